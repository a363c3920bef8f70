"""The case pages: every page and action succeeds for the 동 and changes nothing when denied."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from chatdong.accounts.models import Role, User
from chatdong.audit.models import AccessLog
from chatdong.cases.models import Case, CaseStepChange, ServicePlan
from chatdong.cases.tests.factories import make_case, ready_case, share
from chatdong.cases.tests.helpers import snapshot
from chatdong.core.time import today
from chatdong.testing.world import World

S = Case.Step
LoginClient = Callable[[User], Client]
HX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


PAGES = ["/cases/", "/cases/new/", "/cases/supervision/", "/cases/export/"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_open_for_the_supervisor(world: World, login_client: LoginClient, url: str) -> None:
    response = login_client(world.users[Role.SUPERVISOR]).get(url)

    assert response.status_code == 200


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.SUPPORT_TEAM, Role.ADMIN])
def test_pages_denied_change_nothing(world: World, login_client: LoginClient, url: str, role: Role) -> None:
    before = snapshot()

    response = login_client(world.users[role]).get(url)

    assert response.status_code == 403
    assert snapshot() == before


def test_register_lists_the_dong_and_filters(world: World, login_client: LoginClient) -> None:
    supervisor = world.users[Role.SUPERVISOR]
    late = make_case(
        resident=world.r_z1, actor=supervisor, step=S.ASSESSMENT, due_on=today() - dt.timedelta(days=2)
    )
    fine = make_case(resident=world.r_z2, actor=supervisor, step=S.DISCOVERED)
    make_case(resident=world.r_b, actor=world.planner_b)
    client = login_client(supervisor)

    everything = client.get("/cases/")
    overdue = client.get("/cases/?overdue=on", **HX)

    assert [c.pk for c in everything.context["page"].object_list] == [fine.pk, late.pk]
    assert [c.pk for c in overdue.context["page"].object_list] == [late.pk]
    assert "경과" in overdue.content.decode()


def test_register_for_the_agency_shows_only_shared_cases(world: World, login_client: LoginClient) -> None:
    supervisor = world.users[Role.SUPERVISOR]
    shared = make_case(resident=world.r_z1, actor=supervisor)
    share(shared, world.agency, actor=supervisor)
    make_case(resident=world.r_z2, actor=supervisor)

    response = login_client(world.users[Role.AGENCY_WORKER]).get("/cases/")

    assert [c.pk for c in response.context["page"].object_list] == [shared.pk]


def test_detail_shows_the_timeline(world: World, login_client: LoginClient) -> None:
    supervisor = world.users[Role.SUPERVISOR]
    case = make_case(resident=world.r_z1, actor=supervisor, step=S.INITIAL_CONSULT)
    CaseStepChange.objects.create(
        case=case, on=today(), actor=supervisor, from_step=S.DISCOVERED, to_step=S.INITIAL_CONSULT
    )

    body = login_client(supervisor).get(f"/cases/{case.pk}/").content.decode()

    assert "초기상담" in body
    assert 'id="action-advance"' in body


def _actions(world: World) -> list[tuple[str, str, str, dict[str, Any]]]:
    day = today().isoformat()
    later = (today() + dt.timedelta(days=30)).isoformat()
    return [
        ("advance", S.INTAKE, S.ASSESSMENT, {"to_step": "assessment", "note": ""}),
        ("meeting", S.MEETING, S.CLASSIFIED, {"held_on": day}),
        ("classify", S.MEETING, S.CLASSIFIED, {"case_type": "general", "lead_agency": world.agency.pk}),
        ("agencies", S.SERVICE, S.CLOSED, {"lead_agency": world.agency.pk}),
        ("assign", S.SERVICE, S.CLOSED, {"worker": world.users[Role.PLANNER_POVERTY].pk}),
        (
            "assessment",
            S.ASSESSMENT,
            S.MEETING,
            {"overall_risk": "high", "risk_housing": "high", "need_housing": "체납"},
        ),
        (
            "plan",
            S.CLASSIFIED,
            S.PLANNING,
            {
                "goals": "주거 안정",
                "start_on": day,
                "end_on": later,
                "item1_category": "housing",
                "item1_service": "주거급여",
                "item1_agency_name": "주민센터",
            },
        ),
        ("approve", S.PLANNING, S.SERVICE, {}),
        (
            "linkage",
            S.SERVICE,
            S.CLOSED,
            {
                "kind": "private",
                "category": "daily_living",
                "service": "밑반찬",
                "provider": world.agency.pk,
                "provided_on": day,
                "amount": "50000",
            },
        ),
        ("check", S.SERVICE, S.CLOSED, {"kind": "contact", "text": "전화 상담"}),
        ("close", S.SERVICE, S.CLOSED, {"reason": "goal_met", "follow_up_on": later}),
        ("propose_closure", S.SERVICE, S.CLOSED, {"reason": "목표 달성"}),
        ("supervision", S.SERVICE, S.CLOSED, {"kind": "administrative", "notes": "기록 점검"}),
        (
            "consent",
            S.SERVICE,
            S.CLOSED,
            {"given_on": day, "agencies": [world.agency.pk], "scope": ["basic", "plan"]},
        ),
        ("withdraw", S.SERVICE, S.CLOSED, {}),
    ]


def _prepare(
    world: World, action: str, step: str, to_step: str, data: dict[str, Any]
) -> tuple[Case, dict[str, Any]]:
    supervisor = world.users[Role.SUPERVISOR]
    case = ready_case(resident=world.r_z1, actor=supervisor, step=step, to_step=to_step)
    consent = share(case, world.agency, actor=supervisor)
    plan = ServicePlan.objects.get(case=case)
    if action == "approve":
        ServicePlan.objects.filter(pk=plan.pk).update(approved_on=None, approved_by=None)
        data = {"plan_id": plan.pk}
    if action == "withdraw":
        data = {"consent_id": consent.pk}
    return case, data


ACTION_NAMES = [
    "advance",
    "meeting",
    "classify",
    "agencies",
    "assign",
    "assessment",
    "plan",
    "approve",
    "linkage",
    "check",
    "close",
    "propose_closure",
    "supervision",
    "consent",
    "withdraw",
]


@pytest.mark.parametrize("index", range(len(ACTION_NAMES)), ids=ACTION_NAMES)
def test_action_succeeds(world: World, login_client: LoginClient, index: int) -> None:
    action, step, to_step, data = _actions(world)[index]
    case, data = _prepare(world, action, step, to_step, data)
    before = snapshot()

    response = login_client(world.users[Role.SUPERVISOR]).post(f"/cases/{case.pk}/{action}/", data, **HX)

    assert response.status_code == 200
    assert 'id="case-body"' in response.content.decode()
    assert "form-hint-invalid" not in response.content.decode()
    assert snapshot() != before
    log = AccessLog.objects.order_by("-id").first()
    assert log is not None
    assert (log.action, log.object_type, log.object_id) == ("change", "case", str(case.pk))


@pytest.mark.parametrize("index", range(len(ACTION_NAMES)), ids=ACTION_NAMES)
@pytest.mark.parametrize(("who", "status"), [("planner_b", 404), ("front_desk", 403)])
def test_action_denied_changes_nothing(
    world: World, login_client: LoginClient, index: int, who: str, status: int
) -> None:
    action, step, to_step, data = _actions(world)[index]
    case, data = _prepare(world, action, step, to_step, data)
    user = world.planner_b if who == "planner_b" else world.users[Role.FRONT_DESK]
    before = snapshot()

    response = login_client(user).post(f"/cases/{case.pk}/{action}/", data, **HX)

    assert response.status_code == status
    assert snapshot() == before


def test_invalid_action_shows_the_error_and_changes_nothing(world: World, login_client: LoginClient) -> None:
    case = make_case(
        resident=world.r_z1, actor=world.users[Role.SUPERVISOR], step=S.ASSESSMENT, intake_on=today()
    )
    before = snapshot()

    response = login_client(world.users[Role.SUPERVISOR]).post(
        f"/cases/{case.pk}/advance/", {"to_step": "meeting"}, **HX
    )

    assert response.status_code == 200
    assert "욕구 및 위기도 조사 결과를 먼저 기록하세요." in response.content.decode()
    assert snapshot() == before


def test_planner_may_not_record_supervision(world: World, login_client: LoginClient) -> None:
    case = make_case(resident=world.r_z1, actor=world.users[Role.SUPERVISOR])
    before = snapshot()

    response = login_client(world.users[Role.PLANNER_POVERTY]).post(
        f"/cases/{case.pk}/supervision/", {"kind": "supportive", "notes": "x"}
    )

    assert response.status_code == 403
    assert snapshot() == before


def test_manual_intake(world: World, login_client: LoginClient) -> None:
    client = login_client(world.users[Role.PLANNER_POVERTY])
    pick = client.get("/cases/new/residents/", {"q": "김가일"})

    response = client.post(
        "/cases/new/", {"resident_id": world.r_z1.pk, "summary": "이웃 제보: 고독사 위험", "source": "staff"}
    )

    assert f'value="{world.r_z1.pk}"' in pick.content.decode()
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    assert (case.resident, case.step, case.worker) == (
        world.r_z1,
        S.DISCOVERED,
        world.users[Role.PLANNER_POVERTY],
    )


def test_manual_intake_refuses_a_resident_out_of_scope(world: World, login_client: LoginClient) -> None:
    before = snapshot()

    response = login_client(world.users[Role.PLANNER_POVERTY]).post(
        "/cases/new/", {"resident_id": world.r_b.pk, "summary": "x", "source": "staff"}
    )

    assert response.status_code == 200
    assert "대상 주민을 검색해서 고르세요." in response.content.decode()
    assert snapshot() == before


def test_manual_intake_shows_an_open_case_of_the_resident(world: World, login_client: LoginClient) -> None:
    case = make_case(resident=world.r_z1, actor=world.users[Role.SUPERVISOR])

    pick = login_client(world.users[Role.PLANNER_POVERTY]).get("/cases/new/residents/", {"q": "김가일"})

    assert f"진행 중 사례 {case.pk}번(발굴)" in pick.content.decode()


def test_supervisor_queue(world: World, login_client: LoginClient) -> None:
    supervisor = world.users[Role.SUPERVISOR]
    late = make_case(
        resident=world.r_z1, actor=supervisor, step=S.ASSESSMENT, due_on=today() - dt.timedelta(days=1)
    )
    risky = make_case(resident=world.r_z2, actor=supervisor, step=S.SERVICE, risk_level="high")
    quiet = make_case(
        resident=world.r_a_free, actor=supervisor, step=S.SERVICE, step_since=today() - dt.timedelta(days=45)
    )
    make_case(
        resident=world.r_b, actor=world.planner_b, step=S.ASSESSMENT, due_on=today() - dt.timedelta(days=1)
    )

    response = login_client(supervisor).get("/cases/supervision/")

    reasons = {item.case.pk: item.reasons for item in response.context["items"]}
    assert reasons == {
        late.pk: [f"처리기한 경과({late.due_on:%m.%d})"],
        risky.pk: ["위기도 상"],
        quiet.pk: ["30일 넘게 점검·연락 없음"],
    }
    log = AccessLog.objects.get()
    assert (log.action, log.object_type) == ("search", "case_supervision_queue")


def test_intake_page_includes_the_live_duplicate_check(world: World, login_client: LoginClient) -> None:
    body = login_client(world.users[Role.COUNSELOR]).get("/cases/new/").content.decode()

    assert 'hx-get="/linkage/live-check/"' in body


def test_agency_withdrawing_its_consent_is_sent_back_to_the_register(
    world: World, login_client: LoginClient
) -> None:
    supervisor = world.users[Role.SUPERVISOR]
    case = make_case(resident=world.r_z1, actor=supervisor)
    consent = share(case, world.agency, actor=supervisor)

    response = login_client(world.users[Role.AGENCY_WORKER]).post(
        f"/cases/{case.pk}/withdraw/", {"consent_id": consent.pk}, **HX
    )

    consent.refresh_from_db()
    assert (response.status_code, response["HX-Redirect"], consent.withdrawn_on) == (200, "/cases/", today())


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.DISTRICT_STAFF, Role.AGENCY_WORKER])
def test_resident_pick_denied_changes_nothing(world: World, login_client: LoginClient, role: Role) -> None:
    before = snapshot()

    response = login_client(world.users[role]).get("/cases/new/residents/", {"q": "김가일"})

    assert response.status_code == 403
    assert snapshot() == before


def test_resident_pick_is_a_logged_search(world: World, login_client: LoginClient) -> None:
    response = login_client(world.users[Role.COUNSELOR]).get("/cases/new/residents/", {"q": "김가일"})

    assert response.status_code == 200
    log = AccessLog.objects.get()
    assert (log.action, log.object_type, log.subjects) == ("search", "resident", [world.r_z1.pk])
