"""The cases API: every endpoint succeeds for the 동's supervisor and changes nothing when denied (out of
scope 404, role 403, refused move 422)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from chatdong.accounts.models import Role, User
from chatdong.audit.models import AccessLog
from chatdong.cases.models import (
    Assessment,
    Case,
    CaseCheck,
    CaseType,
    Consent,
    ServiceLinkage,
    ServicePlan,
    Supervision,
)
from chatdong.cases.tests.factories import make_case, ready_case, share
from chatdong.cases.tests.helpers import snapshot
from chatdong.core.time import today
from chatdong.testing.api import bearer_client
from chatdong.testing.world import World

S = Case.Step
D = today


@dataclass(frozen=True)
class Endpoint:
    name: str
    step: str  # the case's step before the call
    to_step: str  # what ready_case prepares for
    method: str
    path: str  # {case} {plan} {consent}
    body: Any
    status: int


def _endpoints() -> list[Endpoint]:
    day = D().isoformat()
    later = (D() + dt.timedelta(days=30)).isoformat()
    return [
        Endpoint(
            "advance", S.INTAKE, S.ASSESSMENT, "post", "/cases/{case}/advance", {"to_step": "assessment"}, 200
        ),
        Endpoint(
            "classify",
            S.MEETING,
            S.CLASSIFIED,
            "post",
            "/cases/{case}/classify",
            {"case_type": "general"},
            200,
        ),
        Endpoint(
            "agencies", S.SERVICE, S.CLOSED, "put", "/cases/{case}/agencies", {"lead_agency_id": None}, 200
        ),
        Endpoint(
            "assessment",
            S.ASSESSMENT,
            S.MEETING,
            "post",
            "/cases/{case}/assessments",
            {
                "domains": [{"category": "housing", "risk": "high", "need": "월세 체납"}],
                "overall_risk": "high",
            },
            201,
        ),
        Endpoint(
            "plan",
            S.CLASSIFIED,
            S.PLANNING,
            "post",
            "/cases/{case}/plans",
            {
                "goals": "주거 안정",
                "start_on": day,
                "end_on": later,
                "items": [
                    {
                        "category": "housing",
                        "service": "주거급여",
                        "start_on": day,
                        "end_on": later,
                        "agency_name": "동 주민센터",
                    }
                ],
            },
            201,
        ),
        Endpoint("approve", S.PLANNING, S.SERVICE, "post", "/cases/{case}/plans/{plan}/approve", None, 200),
        Endpoint(
            "linkage",
            S.SERVICE,
            S.CLOSED,
            "post",
            "/cases/{case}/linkages",
            {
                "kind": "public",
                "category": "daily_living",
                "service": "서울형 긴급복지",
                "provided_on": day,
                "provider_name": "성북구청",
                "amount": 500000,
            },
            201,
        ),
        Endpoint("check", S.SERVICE, S.CLOSED, "post", "/cases/{case}/checks", {"text": "점검"}, 201),
        Endpoint("close", S.SERVICE, S.CLOSED, "post", "/cases/{case}/close", {"reason": "goal_met"}, 200),
        Endpoint(
            "supervision",
            S.SERVICE,
            S.CLOSED,
            "post",
            "/cases/{case}/supervisions",
            {"kind": "supportive", "notes": "소진 예방 면담"},
            201,
        ),
        Endpoint(
            "consent",
            S.SERVICE,
            S.CLOSED,
            "post",
            "/cases/{case}/consents",
            {"given_on": day, "agency_ids": [], "scope": ["basic", "services"]},
            201,
        ),
        Endpoint(
            "withdraw", S.SERVICE, S.CLOSED, "post", "/cases/{case}/consents/{consent}/withdraw", None, 200
        ),
    ]


ENDPOINTS = _endpoints()


def _prepare(world: World, endpoint: Endpoint) -> tuple[Case, str, Any]:
    supervisor = world.users[Role.SUPERVISOR]
    case = ready_case(resident=world.r_z1, actor=supervisor, step=endpoint.step, to_step=endpoint.to_step)
    plan = ServicePlan.objects.get(case=case)
    if endpoint.name == "approve":
        ServicePlan.objects.filter(pk=plan.pk).update(approved_on=None, approved_by=None)
    consent = share(case, world.agency, actor=supervisor)
    body = endpoint.body
    if endpoint.name == "consent":
        body = body | {"agency_ids": [world.agency.pk]}
    path = "/api/v1" + endpoint.path.format(case=case.pk, plan=plan.pk, consent=consent.pk)
    return case, path, body


def _call(user: User, method: str, path: str, body: Any) -> Any:
    client = bearer_client(user)
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, body, content_type="application/json")


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_endpoint_succeeds(world: World, endpoint: Endpoint) -> None:
    case, path, body = _prepare(world, endpoint)
    counts = {
        m: m.objects.count()
        for m in (Assessment, ServicePlan, ServiceLinkage, CaseCheck, Supervision, Consent)
    }

    response = _call(world.users[Role.SUPERVISOR], endpoint.method, path, body)

    assert response.status_code == endpoint.status, response.content
    log = AccessLog.objects.filter(object_type="case", action="change").get()
    assert (log.object_id, log.subjects) == (str(case.pk), [world.r_z1.pk])
    created = {m: m.objects.count() - n for m, n in counts.items() if m.objects.count() != n}
    expected_created = {
        "assessment": {Assessment: 1},
        "plan": {ServicePlan: 1},
        "linkage": {ServiceLinkage: 1},
        "check": {CaseCheck: 1},
        "supervision": {Supervision: 1},
        "consent": {Consent: 1},
    }.get(endpoint.name, {})
    assert created == expected_created


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
@pytest.mark.parametrize(
    ("who", "status"), [("planner_b", 404), ("front_desk", 403), ("other_district", 404)]
)
def test_endpoint_denied_changes_nothing(world: World, endpoint: Endpoint, who: str, status: int) -> None:
    _case, path, body = _prepare(world, endpoint)
    user = {
        "planner_b": world.planner_b,
        "front_desk": world.users[Role.FRONT_DESK],
        "other_district": world.staff_x,
    }[who]
    client = bearer_client(user)
    before = snapshot()

    response = (
        getattr(client, endpoint.method)(path, body, content_type="application/json")
        if body is not None
        else getattr(client, endpoint.method)(path)
    )

    assert response.status_code == (403 if who == "front_desk" else status)
    assert snapshot() == before


def test_refused_move_is_422_and_changes_nothing(world: World) -> None:
    case = make_case(resident=world.r_z1, actor=world.users[Role.SUPERVISOR], step=S.DISCOVERED)
    client = bearer_client(world.users[Role.SUPERVISOR])
    before = snapshot()

    response = client.post(
        f"/api/v1/cases/{case.pk}/advance", {"to_step": "service"}, content_type="application/json"
    )

    assert response.status_code == 422
    assert response.json()["detail"] == "'발굴' 단계에서 '서비스 제공 및 점검' 단계로 갈 수 없습니다."
    assert snapshot() == before


def test_list_is_scoped_and_logged(world: World) -> None:
    a = make_case(resident=world.r_z1, actor=world.users[Role.SUPERVISOR])
    make_case(resident=world.r_b, actor=world.planner_b)

    response = bearer_client(world.users[Role.PLANNER_POVERTY]).get("/api/v1/cases")

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], [c["id"] for c in body["items"]]) == (1, [a.pk])
    assert body["items"][0]["step_label"] == "발굴"
    assert list(AccessLog.objects.values_list("action", "object_type")) == [("search", "case_list")]


def test_list_for_a_role_without_cases_is_403(world: World) -> None:
    before = snapshot()

    response = bearer_client(world.users[Role.SUPPORT_TEAM]).get("/api/v1/cases")

    assert response.status_code == 403
    assert snapshot() == before


def test_detail_for_the_agency_is_limited_to_the_consent_scope(world: World) -> None:
    supervisor = world.users[Role.SUPERVISOR]
    case = ready_case(resident=world.r_z1, actor=supervisor, step=S.SERVICE, to_step=S.CLOSED)
    share(case, world.agency, actor=supervisor, scope=["basic", "services"])

    body = bearer_client(world.users[Role.AGENCY_WORKER]).get(f"/api/v1/cases/{case.pk}").json()

    assert body["shared_scope"] == ["basic", "services"]
    assert (len(body["assessments"]), len(body["plans"]), len(body["linkages"]), body["supervisions"]) == (
        0,
        0,
        1,
        [],
    )


def test_open_a_case(world: World) -> None:
    response = bearer_client(world.users[Role.COUNSELOR]).post(
        "/api/v1/cases",
        {"resident_id": world.r_z1.pk, "summary": "가스 끊김", "source": "desk"},
        content_type="application/json",
    )

    assert response.status_code == 201
    case = Case.objects.get()
    assert (response.json()["id"], case.step, case.dong, case.opened_by) == (
        case.pk,
        S.DISCOVERED,
        world.dong_a,
        world.users[Role.COUNSELOR],
    )


def test_open_a_case_for_a_resident_out_of_scope_is_404(world: World) -> None:
    before = snapshot()

    response = bearer_client(world.users[Role.COUNSELOR]).post(
        "/api/v1/cases", {"resident_id": world.r_b.pk, "summary": "x"}, content_type="application/json"
    )

    assert response.status_code == 404
    assert snapshot() == before


def test_classify_a_linkage_case(world: World) -> None:
    supervisor = world.users[Role.SUPERVISOR]
    case = ready_case(resident=world.r_z1, actor=supervisor, step=S.MEETING, to_step=S.LINKAGE)

    response = bearer_client(supervisor).post(
        f"/api/v1/cases/{case.pk}/classify",
        {"case_type": CaseType.LINKAGE, "lead_agency_id": world.agency.pk},
        content_type="application/json",
    )

    body = response.json()
    assert (body["step"], body["case_type"], body["lead_agency"]["id"], body["agencies"][0]["role"]) == (
        "classified",
        "linkage",
        world.agency.pk,
        "lead",
    )


@pytest.mark.parametrize("who", ["planner_b", "staff_x", "agency_without_consent"])
def test_detail_out_of_scope_is_404_and_changes_nothing(world: World, who: str) -> None:
    case = make_case(resident=world.r_z1, actor=world.users[Role.SUPERVISOR])
    user = {
        "planner_b": world.planner_b,
        "staff_x": world.staff_x,
        "agency_without_consent": world.users[Role.AGENCY_WORKER],
    }[who]
    before = snapshot()

    response = bearer_client(user).get(f"/api/v1/cases/{case.pk}")

    assert response.status_code == 404
    assert snapshot() == before


def test_detail_is_a_logged_view(world: World) -> None:
    case = make_case(resident=world.r_z1, actor=world.users[Role.SUPERVISOR])

    response = bearer_client(world.users[Role.DISTRICT_STAFF]).get(f"/api/v1/cases/{case.pk}")

    assert (response.status_code, response.json()["step"], response.json()["resident"]["name"]) == (
        200,
        "discovered",
        "김가일",
    )
    log = AccessLog.objects.get()
    assert (log.action, log.object_type, log.object_id, log.subjects) == (
        "view",
        "case",
        str(case.pk),
        [world.r_z1.pk],
    )
