"""Pages: a success test and a denied test (nothing changed, nothing logged) for each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client

from chatdong.accounts.models import Agency, Role, User
from chatdong.audit.models import AccessLog
from chatdong.cases.models import Case
from chatdong.referrals.models import DeskConsultation, DeskNeed, Referral, ReferralEvent
from chatdong.testing.world import World

pytestmark = pytest.mark.django_db
Send = Callable[..., Referral]
Login = Callable[[User], Client]


def _counts() -> tuple[int, int, int, int, int]:
    return (
        Referral.objects.count(),
        ReferralEvent.objects.count(),
        DeskConsultation.objects.count(),
        DeskNeed.objects.exclude(route="open").count(),
        AccessLog.objects.count(),
    )


def test_inbox_lists_agency_referrals_urgent_first(world: World, send: Send, login_client: Login) -> None:
    plain = send()
    urgent = send(urgent=True, summary="긴급")
    send("health")
    response = login_client(world.users[Role.AGENCY_WORKER]).get("/referrals/")
    assert response.status_code == 200
    assert [r.pk for r in response.context["rows"]] == [urgent.pk, plain.pk]
    assert "rf-row-urgent" in response.content.decode()
    log = AccessLog.objects.filter(object_type="referral_list").get()
    assert (log.user, log.subjects) == (world.users[Role.AGENCY_WORKER], [world.r_z1.pk])


def test_inbox_of_someone_else_shows_nothing(world: World, send: Send, login_client: Login) -> None:
    send()
    response = login_client(world.planner_b).get("/referrals/")
    assert (response.status_code, response.context["rows"]) == (200, [])


def test_health_inbox_only_health_referrals(world: World, send: Send, login_client: Login) -> None:
    send()
    health = send("health")
    response = login_client(world.users[Role.HEALTH_MEDICAL]).get("/referrals/")
    assert [r.pk for r in response.context["rows"]] == [health.pk]


def test_sent_list_shows_results(world: World, send: Send, login_client: Login) -> None:
    from chatdong.referrals import services

    referral = send()
    services.referral_decline(actor=world.users[Role.AGENCY_WORKER], referral=referral, reason="정원 초과")
    response = login_client(world.users[Role.COUNSELOR]).get("/referrals/sent/")
    assert response.status_code == 200
    assert [r.pk for r in response.context["rows"]] == [referral.pk]
    assert "정원 초과" in response.content.decode()


def test_queue_for_supervisors_only(world: World, send: Send, login_client: Login) -> None:
    assert login_client(world.users[Role.SUPERVISOR]).get("/referrals/queue/").status_code == 200
    before = _counts()
    assert login_client(world.users[Role.COUNSELOR]).get("/referrals/queue/").status_code == 403
    assert _counts() == before


def test_detail_for_receiver_and_logged(world: World, send: Send, login_client: Login) -> None:
    referral = send()
    response = login_client(world.users[Role.AGENCY_WORKER]).get(f"/referrals/{referral.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "김가일" in body and "01011110001" in body
    assert f"/registry/residents/{world.r_z1.pk}/" not in body  # agencies get no registry link
    assert (
        AccessLog.objects.filter(object_type="referral", action="view", subjects=[world.r_z1.pk]).count() == 1
    )


@pytest.mark.parametrize("who", ["health", "planner_b", "staff_x"])
def test_detail_out_of_scope_is_404(world: World, send: Send, login_client: Login, who: str) -> None:
    referral = send()
    user = {
        "health": world.users[Role.HEALTH_MEDICAL],
        "planner_b": world.planner_b,
        "staff_x": world.staff_x,
    }[who]
    before = _counts()
    assert login_client(user).get(f"/referrals/{referral.pk}/").status_code == 404
    assert _counts() == before


def test_accept_and_complete_through_pages(world: World, send: Send, login_client: Login) -> None:
    referral = send()
    client = login_client(world.users[Role.AGENCY_WORKER])
    assert client.post(f"/referrals/{referral.pk}/accept/", {"text": ""}).status_code == 302
    response = client.post(f"/referrals/{referral.pk}/complete/", {"text": ""})
    assert response.status_code == 422
    assert Referral.objects.get(pk=referral.pk).status == "accepted"
    assert client.post(f"/referrals/{referral.pk}/complete/", {"text": "연계 완료"}).status_code == 302
    assert Referral.objects.get(pk=referral.pk).status == "done"


def test_sender_cannot_answer(world: World, send: Send, login_client: Login) -> None:
    referral = send()
    before = _counts()
    assert (
        login_client(world.users[Role.COUNSELOR]).post(f"/referrals/{referral.pk}/accept/", {}).status_code
        == 403
    )
    assert (
        login_client(world.users[Role.HEALTH_MEDICAL])
        .post(f"/referrals/{referral.pk}/accept/", {})
        .status_code
        == 404
    )
    assert _counts() == before
    assert Referral.objects.get(pk=referral.pk).status == "sent"


def test_forward_through_page(world: World, send: Send, login_client: Login) -> None:
    referral = send()
    response = login_client(world.users[Role.AGENCY_WORKER]).post(
        f"/referrals/{referral.pk}/forward/", {"to_kind": "health", "reason": "정신건강 문제"}
    )
    assert (response.status_code, response["Location"]) == (302, "/referrals/")
    moved = Referral.objects.get(pk=referral.pk)
    assert (moved.to_kind, moved.to_agency_id, moved.bounce_count) == ("health", None, 1)


def test_desk_page_has_live_check(world: World, login_client: Login) -> None:
    response = login_client(world.users[Role.COUNSELOR]).get("/referrals/desk/")
    assert response.status_code == 200
    assert 'hx-get="/linkage/live-check/"' in response.content.decode()


def test_desk_intake_creates_consultation(world: World, login_client: Login, fixed_today: object) -> None:
    response = login_client(world.users[Role.COUNSELOR]).post(
        "/referrals/desk/",
        {
            "name": "박미등",
            "phone": "01099998888",
            "birth_date": "1970-05-05",
            "needs": ["housing", "jobs"],
            "need_note_housing": "월세 체납 3개월",
        },
    )
    consultation = DeskConsultation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/desk/{consultation.pk}/"
    assert (consultation.name, consultation.birth_date, consultation.resident_id) == (
        "박미등",
        dt.date(1970, 5, 5),
        None,
    )
    assert list(consultation.needs.values_list("category", "note")) == [
        ("housing", "월세 체납 3개월"),
        ("jobs", ""),
    ]


def test_desk_intake_with_registered_resident(world: World, login_client: Login) -> None:
    response = login_client(world.users[Role.COUNSELOR]).post(
        "/referrals/desk/", {"resident_id": world.r_z1.pk, "needs": ["health"]}
    )
    assert response.status_code == 302
    consultation = DeskConsultation.objects.get()
    assert (consultation.resident, consultation.name, consultation.phone) == (
        world.r_z1,
        "김가일",
        "01011110001",
    )


def test_desk_intake_needs_a_need(world: World, login_client: Login) -> None:
    response = login_client(world.users[Role.COUNSELOR]).post("/referrals/desk/", {"name": "박미등"})
    assert response.status_code == 422
    assert DeskConsultation.objects.count() == 0


@pytest.mark.parametrize("role", [Role.AGENCY_WORKER, Role.HEALTH_MEDICAL, Role.ADMIN, Role.SUPPORT_TEAM])
def test_desk_denied_outside_dong_staff(world: World, login_client: Login, role: Role) -> None:
    client = login_client(world.users[role])
    before = _counts()
    assert client.get("/referrals/desk/").status_code == 403
    assert client.post("/referrals/desk/", {"name": "x", "needs": ["housing"]}).status_code == 403
    assert client.get("/referrals/desk/search/?q=김가").status_code == 403
    assert _counts() == before


def test_desk_search_finds_registry_residents(world: World, login_client: Login) -> None:
    response = login_client(world.users[Role.COUNSELOR]).get("/referrals/desk/search/?q=김가일")
    assert response.status_code == 200
    assert f'data-pick-resident="{world.r_z1.pk}"' in response.content.decode()


def _consultation(world: World, login_client: Login, **extra: object) -> DeskConsultation:
    data: dict[str, object] = {"resident_id": world.r_z1.pk, "needs": ["housing", "health", "jobs"]}
    data.update(extra)
    login_client(world.users[Role.COUNSELOR]).post("/referrals/desk/", data)
    return DeskConsultation.objects.get()


def test_route_each_need(world: World, login_client: Login, fixed_today: object) -> None:
    consultation = _consultation(world, login_client)
    housing, health, jobs = consultation.needs.order_by("id")
    client = login_client(world.users[Role.COUNSELOR])
    page = client.get(f"/referrals/desk/{consultation.pk}/")
    assert page.status_code == 200
    assert (
        client.post(
            f"/referrals/desk/needs/{housing.pk}/route/", {f"n{housing.pk}-route": "planner"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/referrals/desk/needs/{health.pk}/route/",
            {f"n{health.pk}-route": "agency", f"n{health.pk}-to_agency": world.agency.pk},
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/referrals/desk/needs/{jobs.pk}/route/",
            {f"n{jobs.pk}-route": "staff", f"n{jobs.pk}-to_user": world.users[Role.OFFICER].pk},
        ).status_code
        == 302
    )
    housing.refresh_from_db()
    health.refresh_from_db()
    jobs.refresh_from_db()
    assert housing.referral is not None and housing.case is not None
    assert (housing.referral.to_user, housing.case.source, housing.case.source_id, housing.case.worker) == (
        world.users[Role.PLANNER_POVERTY],
        "desk",
        consultation.pk,
        world.users[Role.PLANNER_POVERTY],
    )
    assert health.referral is not None and health.referral.to_agency == world.agency
    assert jobs.referral is not None and jobs.referral.to_user == world.users[Role.OFFICER]
    assert {r.source_id for r in Referral.objects.all()} == {consultation.pk}
    # routed twice: refused
    response = client.post(
        f"/referrals/desk/needs/{jobs.pk}/route/", {f"n{jobs.pk}-route": "desk", f"n{jobs.pk}-summary": "x"}
    )
    assert response.status_code == 422
    assert Referral.objects.count() == 3


def test_route_to_planner_needs_registered_resident(world: World, login_client: Login) -> None:
    login_client(world.users[Role.COUNSELOR]).post(
        "/referrals/desk/", {"name": "박미등", "needs": ["housing"]}
    )
    need = DeskNeed.objects.get()
    before = (_counts(), Case.objects.count())
    response = login_client(world.users[Role.COUNSELOR]).post(
        f"/referrals/desk/needs/{need.pk}/route/", {f"n{need.pk}-route": "planner"}
    )
    assert response.status_code == 422
    assert (_counts()[:4], Case.objects.count()) == (before[0][:4], before[1])


def test_route_out_of_scope_is_404(world: World, login_client: Login) -> None:
    consultation = _consultation(world, login_client)
    need = consultation.needs.first()
    assert need is not None
    before = (_counts(), Case.objects.count())
    assert (
        login_client(world.planner_b)
        .post(
            f"/referrals/desk/needs/{need.pk}/route/",
            {f"n{need.pk}-route": "desk", f"n{need.pk}-summary": "x"},
        )
        .status_code
        == 404
    )
    assert login_client(world.planner_b).get(f"/referrals/desk/{consultation.pk}/").status_code == 404
    assert (_counts(), Case.objects.count()) == before


def test_agency_directory_search_and_edit(world: World, login_client: Login) -> None:
    Agency.objects.filter(pk=world.agency.pk).update(
        need_categories=["housing", "care"], services="도시락 배달"
    )
    client = login_client(world.users[Role.AGENCY_WORKER])
    assert [a.pk for a in client.get("/referrals/agencies/?category=care").context["rows"]] == [
        world.agency.pk
    ]
    assert client.get("/referrals/agencies/?category=jobs").context["rows"] == []
    assert [a.pk for a in client.get("/referrals/agencies/?q=도시락").context["rows"]] == [world.agency.pk]
    assert client.get(f"/referrals/agencies/{world.agency.pk}/").status_code == 200
    head = login_client(world.users[Role.DONG_HEAD])
    response = head.post(
        "/referrals/agencies/new/",
        {
            "name": "국민건강보험공단 성북지사",
            "kind": "public",
            "need_categories": ["health"],
            "accepts_referrals": "on",
        },
    )
    created = Agency.objects.get(name="국민건강보험공단 성북지사")
    assert response.status_code == 302
    assert (created.district, created.need_categories, created.accepts_referrals) == (
        world.district,
        ["health"],
        True,
    )
    response = head.post(
        f"/referrals/agencies/{created.pk}/edit/",
        {"name": created.name, "kind": "public", "hours": "09:00-18:00"},
    )
    created.refresh_from_db()
    assert (response.status_code, created.hours, created.accepts_referrals) == (302, "09:00-18:00", False)


@pytest.mark.parametrize("role", [Role.COUNSELOR, Role.AGENCY_WORKER, Role.HEALTH_MEDICAL, Role.SUPERVISOR])
def test_agency_edit_denied(world: World, login_client: Login, role: Role) -> None:
    client = login_client(world.users[role])
    before = Agency.objects.count()
    assert client.get("/referrals/agencies/new/").status_code == 403
    assert client.post("/referrals/agencies/new/", {"name": "새 기관", "kind": "other"}).status_code == 403
    assert (
        client.post(
            f"/referrals/agencies/{world.agency.pk}/edit/", {"name": "바뀜", "kind": "other"}
        ).status_code
        == 403
    )
    assert Agency.objects.count() == before
    assert Agency.objects.get(pk=world.agency.pk).name == "가나종합사회복지관"


def test_other_district_agency_is_404(world: World, login_client: Login) -> None:
    other = Agency.objects.create(district=world.other_district, name="다른 구 기관")
    assert login_client(world.staff_x).get(f"/referrals/agencies/{world.agency.pk}/").status_code == 404
    assert (
        login_client(world.users[Role.DONG_HEAD]).get(f"/referrals/agencies/{other.pk}/edit/").status_code
        == 404
    )


def test_health_referral_shows_screening_summary(
    world: World, send: Send, login_client: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    referral = send("health", source=Referral.Source.SCREENING, source_id=99, urgent=True)
    seen: list[tuple[int, int]] = []

    def fake(*, user: User, referral: Referral, request: object = None) -> dict[str, str]:
        seen.append((user.pk, referral.pk))
        return {"검사": "우울 선별(PHQ-9) 12점", "9번 문항": "1점"}

    monkeypatch.setattr("chatdong.visits.selectors.screening_for_referral", fake)
    response = login_client(world.users[Role.HEALTH_MEDICAL]).get(f"/referrals/{referral.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "우울 선별(PHQ-9) 12점" in body and "긴급 의뢰입니다" in body
    assert seen == [(world.users[Role.HEALTH_MEDICAL].pk, referral.pk)]
