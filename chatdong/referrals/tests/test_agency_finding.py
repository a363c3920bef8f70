"""민간기관 발굴 의뢰: an agency worker sends what the agency found to a 동 of its district, the 동's
receiver registers the person as a case (one transaction) or answers like any referral. Services, pages
and API, each with a success test and a denied test that asserts nothing changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

import pytest
from django.test import Client

from chatdong.accounts.models import Role, User
from chatdong.audit.models import AccessLog
from chatdong.cases.models import Case, CaseAgency, CaseStepChange
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.core.models import Notification
from chatdong.referrals import services
from chatdong.referrals.models import Referral, ReferralEvent
from chatdong.testing.api import bearer_client
from chatdong.testing.world import World

pytestmark = pytest.mark.django_db
Login = Callable[[User], Client]
Find = Callable[..., Referral]


@pytest.fixture
def find(world: World, fixed_today: Callable[[dt.date], None]) -> Find:
    """find(**overrides): the agency worker's 발굴 의뢰 to 동 A about 김가일 (r_z1), as the agency knows him."""

    def make(**kwargs: object) -> Referral:
        values: dict[str, object] = {
            "actor": world.users[Role.AGENCY_WORKER],
            "dong": world.dong_a,
            "name": "김가일",
            "need_category": "daily_living",
            "summary": "복지관 도시락 배달 중 단전 확인, 석 달째 월세 체납.",
            "birth_date": dt.date(1950, 3, 1),
            "phone": "010-1111-0001",
            "address": "가로 1",
        }
        values.update(kwargs)
        return services.referral_agency_finding(**values)  # type: ignore[arg-type]

    return make


def _rows() -> tuple[object, ...]:
    """Everything the flow may write (the access log included), to assert a denied request wrote nothing."""
    return (
        sorted(
            Referral.objects.values_list(
                "pk", "status", "result", "resident_id", "to_user_id", "accepted_by_id", "bounce_count"
            )
        ),
        ReferralEvent.objects.count(),
        Case.objects.count(),
        CaseStepChange.objects.count(),
        CaseAgency.objects.count(),
        Notification.objects.count(),
        AccessLog.objects.count(),
    )


# --- sending ---------------------------------------------------------------------------------------


def test_agency_finding_goes_to_the_poverty_planner_with_the_usual_rules(
    world: World, find: Find, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        referral = find(urgent=True)
    planner = world.users[Role.PLANNER_POVERTY]
    assert (referral.source, referral.source_id, referral.to_kind, referral.to_user) == (
        Referral.Source.AGENCY,
        world.agency.pk,
        Referral.To.STAFF,
        planner,
    )
    assert (referral.dong, referral.district, referral.resident, referral.status) == (
        world.dong_a,
        world.district,
        None,
        Referral.Status.SENT,
    )
    assert (
        referral.client_name,
        referral.client_phone,
        referral.client_birth_date,
        referral.client_address,
    ) == (
        "김가일",
        "010-1111-0001",
        dt.date(1950, 3, 1),
        "가로 1",
    )
    assert referral.due_on == dt.date(2026, 11, 24)  # urgent: 1 business day after Monday 2026-11-23
    assert find(urgent=False).due_on == dt.date(2026, 11, 26)  # staff: 3 business days
    note = Notification.objects.get(kind="referral_urgent")
    assert (note.user, note.urgent, note.url) == (planner, True, f"/referrals/{referral.pk}/")
    log = AccessLog.objects.get(object_type="referral", object_id=str(referral.pk))
    assert (log.user, log.action, log.subjects) == (
        world.users[Role.AGENCY_WORKER],
        AccessLog.Action.CREATE,
        [],
    )


def test_receiver_falls_back_to_team_leader_then_dong_head(world: World, find: Find) -> None:
    User.objects.filter(pk=world.users[Role.PLANNER_POVERTY].pk).update(is_active=False)
    assert find().to_user == world.users[Role.TEAM_LEADER]
    User.objects.filter(pk=world.users[Role.TEAM_LEADER].pk).update(is_active=False)
    assert find().to_user == world.users[Role.DONG_HEAD]


def test_dong_without_receiver_refuses_and_writes_nothing(world: World, find: Find) -> None:
    before = _rows()
    with pytest.raises(ValidationFailed) as raised:
        find(dong=world.dong_b)  # 동 B has only an elder-care planner
    assert list(raised.value.errors) == ["dong"]
    assert _rows() == before


def test_agency_finding_refused_outside_the_district_and_to_other_roles(world: World, find: Find) -> None:
    before = _rows()
    with pytest.raises(PermissionDenied):
        find(dong=world.dong_x)
    for role in (Role.COUNSELOR, Role.PLANNER_POVERTY, Role.DISTRICT_STAFF, Role.HEALTH_MEDICAL):
        with pytest.raises(PermissionDenied):
            find(actor=world.users[role])
    assert _rows() == before


def test_agency_worker_may_send_nothing_but_a_finding(world: World, find: Find) -> None:
    worker = world.users[Role.AGENCY_WORKER]
    planner = world.users[Role.PLANNER_POVERTY]

    def send_as(actor: User, **kwargs: Any) -> Referral:
        return services.referral_send(
            actor=actor, dong=world.dong_a, need_category="health", summary="병원 동행", **kwargs
        )

    before = _rows()
    with pytest.raises(PermissionDenied):  # another kind of referral
        send_as(worker, to_kind=Referral.To.HEALTH, source=Referral.Source.STAFF)
    with pytest.raises(PermissionDenied):  # a finding, but to an agency
        send_as(worker, to_kind=Referral.To.AGENCY, to_agency=world.agency, source=Referral.Source.AGENCY)
    with pytest.raises(PermissionDenied):  # a finding to staff of another 동
        send_as(worker, to_kind=Referral.To.STAFF, to_user=world.planner_b, source=Referral.Source.AGENCY)
    with pytest.raises(PermissionDenied):  # a finding naming a registry resident
        send_as(
            worker,
            to_kind=Referral.To.STAFF,
            to_user=planner,
            source=Referral.Source.AGENCY,
            resident=world.r_z1,
        )
    with pytest.raises(PermissionDenied):  # 동 staff may not send a "민간기관 발굴"
        send_as(
            world.users[Role.COUNSELOR],
            to_kind=Referral.To.STAFF,
            to_user=planner,
            source=Referral.Source.AGENCY,
        )
    assert _rows() == before
    # 동 staff still send their own referrals as before.
    assert send_as(
        world.users[Role.COUNSELOR], to_kind=Referral.To.STAFF, to_user=planner, source=Referral.Source.DESK
    ).status == (Referral.Status.SENT)


def test_finding_needs_a_name(world: World, find: Find) -> None:
    before = _rows()
    with pytest.raises(ValidationFailed) as raised:
        find(name="  ", birth_date=dt.date(2027, 1, 1))
    assert sorted(raised.value.errors) == ["birth_date", "name"]
    assert _rows() == before


def test_returned_finding_is_not_rerouted_by_the_agency(world: World, find: Find) -> None:
    referral = find()
    services.referral_return(actor=world.users[Role.PLANNER_POVERTY], referral=referral, reason="타 동 거주")
    before = _rows()
    with pytest.raises(PermissionDenied):
        services.referral_forward(
            actor=world.users[Role.AGENCY_WORKER],
            referral=referral,
            to_kind=Referral.To.STAFF,
            to_user=world.planner_b,
            reason="나동으로",
        )
    assert _rows() == before


# --- 사례로 등록 -------------------------------------------------------------------------------------


def test_open_case_registers_the_resident_and_closes_the_loop(
    world: World, find: Find, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    referral = find()
    planner = world.users[Role.PLANNER_POVERTY]
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        done, case = services.referral_open_case(actor=planner, referral=referral, resident=world.r_z1)
    assert (done.pk, done.status, case) == (referral.pk, Referral.Status.DONE, Case.objects.get())
    assert (case.source, case.source_id, case.resident, case.household, case.dong, case.worker) == (
        Case.Source.AGENCY,
        referral.pk,
        world.r_z1,
        world.hh_z1,
        world.dong_a,
        planner,
    )
    assert (case.step, case.opened_by) == (Case.Step.DISCOVERED, planner)
    assert (
        case.summary
        == "[민간기관 발굴 · 가나종합사회복지관] 복지관 도시락 배달 중 단전 확인, 석 달째 월세 체납."
    )
    stored = Referral.objects.get(pk=referral.pk)
    assert (stored.status, stored.result, stored.resident, stored.accepted_by) == (
        Referral.Status.DONE,
        f"사례관리 대상으로 등록했습니다(사례 #{case.pk}).",
        world.r_z1,
        planner,
    )
    assert list(stored.events.values_list("action", "to_status")) == [
        ("send", "sent"),
        ("accept", "accepted"),
        ("complete", "done"),
    ]
    note = Notification.objects.get(kind="referral_result")
    assert (note.user, note.url) == (world.users[Role.AGENCY_WORKER], f"/referrals/{referral.pk}/")
    assert set(
        AccessLog.objects.filter(user=planner, action=AccessLog.Action.CREATE).values_list(
            "object_type", "object_id"
        )
    ) == {("case", str(case.pk))}
    # The agency does not become part of the case (it needs the 동's decision and a consent).
    assert CaseAgency.objects.count() == 0


def test_open_case_after_accept_and_with_own_summary(world: World, find: Find) -> None:
    referral = find()
    planner = world.users[Role.PLANNER_POVERTY]
    services.referral_accept(actor=planner, referral=referral)
    _, case = services.referral_open_case(
        actor=planner, referral=referral, resident=world.r_z1, summary="단전·월세 체납 확인"
    )
    assert case.summary == "[민간기관 발굴 · 가나종합사회복지관] 단전·월세 체납 확인"
    assert list(Referral.objects.get(pk=referral.pk).events.values_list("action", flat=True)) == [
        "send",
        "accept",
        "complete",
    ]


def test_open_case_resident_of_another_dong_writes_nothing(world: World, find: Find) -> None:
    referral = find()
    before = _rows()
    with pytest.raises(ValidationFailed) as raised:
        services.referral_open_case(
            actor=world.users[Role.PLANNER_POVERTY], referral=referral, resident=world.r_b
        )
    assert list(raised.value.errors) == ["resident_id"]
    assert _rows() == before


def test_open_case_failing_inside_the_transaction_rolls_everything_back(
    world: World, find: Find, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The case is written first; if the referral's own write then fails, the case goes too."""
    referral = find()
    before = _rows()

    def broken(**kwargs: object) -> None:
        raise ValidationFailed("기록 실패")

    monkeypatch.setattr(services, "_record", broken)
    with pytest.raises(ValidationFailed):
        services.referral_open_case(
            actor=world.users[Role.PLANNER_POVERTY], referral=referral, resident=world.r_z1
        )
    assert _rows() == before


def test_open_case_refused_to_others_and_twice(world: World, find: Find) -> None:
    referral = find()
    before = _rows()
    with pytest.raises(NotFound):  # another 동
        services.referral_open_case(actor=world.planner_b, referral=referral, resident=world.r_z1)
    with pytest.raises(PermissionDenied):  # same 동, not the receiver
        services.referral_open_case(
            actor=world.users[Role.TEAM_LEADER], referral=referral, resident=world.r_z1
        )
    with pytest.raises(PermissionDenied):  # the sending agency
        services.referral_open_case(
            actor=world.users[Role.AGENCY_WORKER], referral=referral, resident=world.r_z1
        )
    assert _rows() == before
    planner = world.users[Role.PLANNER_POVERTY]
    services.referral_open_case(actor=planner, referral=referral, resident=world.r_z1)
    after = _rows()
    with pytest.raises(ValidationFailed):
        services.referral_open_case(actor=planner, referral=referral, resident=world.r_z1)
    assert _rows() == after


def test_open_case_only_for_agency_findings(world: World, send: Callable[..., Referral]) -> None:
    referral = send("staff", source=Referral.Source.DESK)
    before = _rows()
    with pytest.raises(ValidationFailed) as raised:
        services.referral_open_case(
            actor=world.users[Role.PLANNER_POVERTY], referral=referral, resident=world.r_z1
        )
    assert list(raised.value.errors) == ["referral"]
    assert _rows() == before


def test_receiver_can_still_return_a_finding(world: World, find: Find) -> None:
    referral = find()
    services.referral_return(
        actor=world.users[Role.PLANNER_POVERTY], referral=referral, reason="우리 동 주민이 아닙니다."
    )
    stored = Referral.objects.get(pk=referral.pk)
    assert (stored.status, stored.result, Case.objects.count()) == (
        Referral.Status.RETURNED,
        "우리 동 주민이 아닙니다.",
        0,
    )


# --- pages -----------------------------------------------------------------------------------------


def _finding_post(world: World, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "dong": world.dong_a.pk,
        "name": "김가일",
        "birth_date": "1950-03-01",
        "phone": "010-1111-0001",
        "address": "가로 1",
        "need_category": "daily_living",
        "summary": "단전 확인",
        "urgent": "on",
    }
    data.update(overrides)
    return data


def test_finding_page_get_and_post(world: World, fixed_today: object, login_client: Login) -> None:
    client = login_client(world.users[Role.AGENCY_WORKER])
    page = client.get("/referrals/finding/")
    assert page.status_code == 200
    assert [d.pk for d in page.context["form"].fields["dong"].queryset] == [world.dong_a.pk, world.dong_b.pk]
    assert 'href="/referrals/finding/"' in page.content.decode()  # the section menu / tabs
    response = client.post("/referrals/finding/", _finding_post(world))
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{referral.pk}/"
    assert (referral.source, referral.to_user, referral.urgent, referral.client_birth_date) == (
        Referral.Source.AGENCY,
        world.users[Role.PLANNER_POVERTY],
        True,
        dt.date(1950, 3, 1),
    )
    sent = client.get("/referrals/sent/")
    assert [r.pk for r in sent.context["rows"]] == [referral.pk]
    detail = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "1950.03.01" in detail
    assert "사례로 등록" not in detail  # only the 동's receiver registers


def test_finding_page_denied(world: World, fixed_today: object, login_client: Login) -> None:
    users = (world.users[Role.COUNSELOR], world.users[Role.DISTRICT_STAFF], world.staff_x)
    clients = [login_client(user) for user in users]
    agency = login_client(world.users[Role.AGENCY_WORKER])
    before = _rows()
    for client in clients:
        assert client.get("/referrals/finding/").status_code == 403
        assert client.post("/referrals/finding/", _finding_post(world)).status_code == 403
    # Another district's 동 is not a choice: the form refuses it, nothing is sent.
    response = agency.post("/referrals/finding/", _finding_post(world, dong=world.dong_x.pk))
    assert (response.status_code, list(response.context["form"].errors)) == (422, ["dong"])
    assert _rows() == before


def test_receiver_page_shows_the_person_and_registers_the_case(
    world: World, find: Find, login_client: Login
) -> None:
    referral = find()
    planner = world.users[Role.PLANNER_POVERTY]
    client = login_client(planner)
    html = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "사례로 등록" in html
    assert f'action="/referrals/{referral.pk}/open-case/"' in html
    assert 'hx-get="/linkage/live-check/"' in html
    assert 'value="가로 1"' in html
    assert 'hx-get="/cases/new/residents/"' in html
    # What the HTMX pieces show the receiver: the registry candidates, and the pick list.
    live = client.get("/linkage/live-check/", {"name": "김가일", "birth_date": "1950-03-01"})
    assert "김가일" in live.content.decode()
    pick = client.get("/cases/new/residents/", {"q": "김가일"})
    assert f'value="{world.r_z1.pk}"' in pick.content.decode()
    response = client.post(
        f"/referrals/{referral.pk}/open-case/", {"resident_id": world.r_z1.pk, "summary": ""}
    )
    case = Case.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/cases/{case.pk}/")
    assert (case.source, case.source_id) == (Case.Source.AGENCY, referral.pk)
    # The sender sees the result come back on its sent list.
    sent = login_client(world.users[Role.AGENCY_WORKER]).get("/referrals/sent/")
    row = sent.context["rows"][0]
    assert (row.pk, row.status, row.result) == (
        referral.pk,
        Referral.Status.DONE,
        f"사례관리 대상으로 등록했습니다(사례 #{case.pk}).",
    )
    assert f"/registry/residents/{world.r_z1.pk}" not in sent.content.decode()


def test_open_case_page_denied_and_invalid(world: World, find: Find, login_client: Login) -> None:
    referral = find()
    url = f"/referrals/{referral.pk}/open-case/"
    other_dong = login_client(world.planner_b)
    colleague = login_client(world.users[Role.TEAM_LEADER])
    sender = login_client(world.users[Role.AGENCY_WORKER])
    planner = login_client(world.users[Role.PLANNER_POVERTY])
    before = _rows()
    assert other_dong.post(url, {"resident_id": world.r_b.pk}).status_code == 404
    assert colleague.post(url, {"resident_id": world.r_z1.pk}).status_code == 403
    assert sender.post(url, {"resident_id": world.r_z1.pk}).status_code == 403
    assert _rows() == before
    response = planner.post(url, {"resident_id": world.r_b.pk})  # 동 B: not in the planner's registry
    assert response.status_code == 422
    assert response.context["open_case_form"].errors["resident_id"] == ["대상 주민을 검색해서 고르세요."]
    missing = planner.post(url, {})
    assert missing.status_code == 422
    # Only the re-rendered detail page was logged (a view), nothing else changed.
    rows = _rows()
    assert rows[:-1] == before[:-1]
    assert AccessLog.objects.count() == cast(int, before[-1]) + 2
    assert set(AccessLog.objects.order_by("-pk").values_list("action", "object_type")[:2]) == {
        (AccessLog.Action.VIEW, "referral")
    }


# --- API -------------------------------------------------------------------------------------------


def _finding_body(world: World, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "dong_id": world.dong_a.pk,
        "name": "김가일",
        "birth_date": "1950-03-01",
        "phone": "010-1111-0001",
        "address": "가로 1",
        "need_category": "daily_living",
        "summary": "단전 확인",
    }
    body.update(overrides)
    return body


def test_api_agency_finding_and_open_case(world: World, fixed_today: object) -> None:
    agency = bearer_client(world.users[Role.AGENCY_WORKER])
    response = agency.post(
        "/api/v1/referrals/agency-finding", _finding_body(world), content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (
        body["source"],
        body["to_kind"],
        body["to_user_id"],
        body["client_birth_date"],
        body["resident_id"],
    ) == (
        "agency",
        "staff",
        world.users[Role.PLANNER_POVERTY].pk,
        "1950-03-01",
        None,
    )
    referral_id = body["id"]
    planner = bearer_client(world.users[Role.PLANNER_POVERTY])
    opened = planner.post(
        f"/api/v1/referrals/{referral_id}/open-case",
        {"resident_id": world.r_z1.pk, "summary": "단전 확인"},
        content_type="application/json",
    )
    assert opened.status_code == 200
    case = Case.objects.get()
    result = opened.json()
    assert (result["case_id"], result["referral"]["status"], result["referral"]["resident_id"]) == (
        case.pk,
        "done",
        world.r_z1.pk,
    )
    sent = agency.get("/api/v1/referrals?box=sent").json()
    item = sent["items"][0]
    assert (item["id"], item["status"], item["result"]) == (
        referral_id,
        "done",
        f"사례관리 대상으로 등록했습니다(사례 #{case.pk}).",
    )
    detail = agency.get(f"/api/v1/referrals/{referral_id}").json()
    assert detail["resident_id"] is None  # the agency never gets the registry id


def test_api_agency_finding_denied(world: World, fixed_today: object) -> None:
    clients = [
        bearer_client(world.users[r]) for r in (Role.COUNSELOR, Role.PLANNER_POVERTY, Role.DISTRICT_STAFF)
    ]
    agency = bearer_client(world.users[Role.AGENCY_WORKER])
    before = _rows()
    for client in clients:
        response = client.post(
            "/api/v1/referrals/agency-finding", _finding_body(world), content_type="application/json"
        )
        assert response.status_code == 403
    other_district = agency.post(
        "/api/v1/referrals/agency-finding",
        _finding_body(world, dong_id=world.dong_x.pk),
        content_type="application/json",
    )
    assert other_district.status_code == 403
    no_name = agency.post(
        "/api/v1/referrals/agency-finding", _finding_body(world, name=""), content_type="application/json"
    )
    assert no_name.status_code == 422
    assert _rows() == before


def test_api_open_case_denied(world: World, find: Find) -> None:
    referral = find()
    url = f"/api/v1/referrals/{referral.pk}/open-case"
    clients = {
        "other_dong": bearer_client(world.planner_b),
        "colleague": bearer_client(world.users[Role.TEAM_LEADER]),
        "sender": bearer_client(world.users[Role.AGENCY_WORKER]),
        "receiver": bearer_client(world.users[Role.PLANNER_POVERTY]),
    }
    before = _rows()
    statuses = {
        name: clients[name]
        .post(url, {"resident_id": world.r_z1.pk}, content_type="application/json")
        .status_code
        for name in ("other_dong", "colleague", "sender")
    }
    assert statuses == {"other_dong": 404, "colleague": 403, "sender": 403}
    wrong_resident = clients["receiver"].post(
        url, {"resident_id": world.r_b.pk}, content_type="application/json"
    )
    assert wrong_resident.status_code == 404
    assert _rows() == before


def test_openapi_lists_the_endpoints(db: None) -> None:
    paths = Client().get("/api/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/referrals/agency-finding"]
    assert "post" in paths["/api/v1/referrals/{referral_id}/open-case"]
