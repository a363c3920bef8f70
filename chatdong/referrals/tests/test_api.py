"""API: success and denied-with-nothing-changed for every endpoint."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chatdong.accounts.models import Role
from chatdong.audit.models import AccessLog
from chatdong.cases.models import Case
from chatdong.referrals.models import DeskConsultation, DeskNeed, Referral, ReferralEvent
from chatdong.testing.api import bearer_client
from chatdong.testing.world import World

pytestmark = pytest.mark.django_db
Send = Callable[..., Referral]


def _counts() -> tuple[int, ...]:
    return (
        Referral.objects.count(),
        ReferralEvent.objects.count(),
        DeskConsultation.objects.count(),
        DeskNeed.objects.exclude(route="open").count(),
        Case.objects.count(),
        AccessLog.objects.filter(object_type__in=["referral", "referral_list", "desk_consultation"]).count(),
    )


def test_inbox_and_sent(world: World, send: Send) -> None:
    referral = send(urgent=True)
    body = bearer_client(world.users[Role.AGENCY_WORKER]).get("/api/v1/referrals?box=inbox").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["id"], item["urgent"], item["status"], item["client_name"], item["receiver"]) == (
        referral.pk,
        True,
        "sent",
        "김가일",
        "가나종합사회복지관",
    )
    sent = bearer_client(world.users[Role.COUNSELOR]).get("/api/v1/referrals?box=sent").json()
    assert [i["id"] for i in sent["items"]] == [referral.pk]
    assert bearer_client(world.planner_b).get("/api/v1/referrals?box=inbox").json()["count"] == 0


def test_detail_hides_resident_id_from_agency(world: World, send: Send) -> None:
    referral = send()
    agency_view = (
        bearer_client(world.users[Role.AGENCY_WORKER]).get(f"/api/v1/referrals/{referral.pk}").json()
    )
    staff_view = bearer_client(world.users[Role.COUNSELOR]).get(f"/api/v1/referrals/{referral.pk}").json()
    assert (agency_view["resident_id"], staff_view["resident_id"]) == (None, world.r_z1.pk)
    assert [e["action"] for e in staff_view["events"]] == ["send"]


def test_detail_out_of_scope_404(world: World, send: Send) -> None:
    referral = send()
    before = _counts()
    assert (
        bearer_client(world.users[Role.HEALTH_MEDICAL]).get(f"/api/v1/referrals/{referral.pk}").status_code
        == 404
    )
    assert _counts() == before


def test_lifecycle_over_the_api(world: World, send: Send) -> None:
    referral = send()
    client = bearer_client(world.users[Role.AGENCY_WORKER])
    assert (
        client.post(f"/api/v1/referrals/{referral.pk}/accept", {}, content_type="application/json").json()[
            "status"
        ]
        == "accepted"
    )
    response = client.post(
        f"/api/v1/referrals/{referral.pk}/complete", {"result": " "}, content_type="application/json"
    )
    assert response.status_code == 422
    done = client.post(
        f"/api/v1/referrals/{referral.pk}/complete", {"result": "완료"}, content_type="application/json"
    )
    assert (done.status_code, done.json()["status"], done.json()["result"]) == (200, "done", "완료")


def test_decline_return_forward_over_the_api(world: World, send: Send) -> None:
    one, two, three = send(), send(), send()
    client = bearer_client(world.users[Role.AGENCY_WORKER])
    post = lambda url, data: client.post(url, data, content_type="application/json")  # noqa: E731
    assert post(f"/api/v1/referrals/{one.pk}/decline", {"reason": "대상 아님"}).json()["status"] == "declined"
    assert post(f"/api/v1/referrals/{two.pk}/return", {"reason": "정보 부족"}).json()["status"] == "returned"
    moved = post(
        f"/api/v1/referrals/{three.pk}/forward",
        {"to_kind": "staff", "to_user_id": world.users[Role.PLANNER_POVERTY].pk, "reason": "빈곤위기"},
    ).json()
    assert (moved["to_kind"], moved["to_user_id"], moved["bounce_count"]) == (
        "staff",
        world.users[Role.PLANNER_POVERTY].pk,
        1,
    )


@pytest.mark.parametrize("action", ["accept", "decline", "complete", "return", "forward"])
def test_actions_denied_change_nothing(world: World, send: Send, action: str) -> None:
    referral = send()
    data = {"note": "", "reason": "x", "result": "x", "to_kind": "health"}
    before = _counts()
    sender = bearer_client(world.users[Role.COUNSELOR])
    assert (
        sender.post(
            f"/api/v1/referrals/{referral.pk}/{action}", data, content_type="application/json"
        ).status_code
        == 403
    )
    outsider = bearer_client(world.planner_b)
    assert (
        outsider.post(
            f"/api/v1/referrals/{referral.pk}/{action}", data, content_type="application/json"
        ).status_code
        == 404
    )
    assert _counts() == before


def test_consultation_create_detail_route(world: World) -> None:
    client = bearer_client(world.users[Role.COUNSELOR])
    created = client.post(
        "/api/v1/desk/consultations",
        {"resident_id": world.r_z1.pk, "needs": [{"category": "housing", "note": "월세"}]},
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["name"], body["needs"][0]["route"]) == ("김가일", "open")
    assert client.get(f"/api/v1/desk/consultations/{body['id']}").json()["id"] == body["id"]
    routed = client.post(
        f"/api/v1/desk/needs/{body['needs'][0]['id']}/route",
        {"route": "planner"},
        content_type="application/json",
    ).json()
    need = routed["needs"][0]
    assert need["route"] == "planner"
    assert Referral.objects.get(pk=need["referral_id"]).to_user == world.users[Role.PLANNER_POVERTY]
    assert Case.objects.get(pk=need["case_id"]).source == "desk"


def test_consultation_denied(world: World) -> None:
    before = _counts()
    agency = bearer_client(world.users[Role.AGENCY_WORKER])
    response = agency.post(
        "/api/v1/desk/consultations",
        {"name": "x", "needs": [{"category": "housing"}]},
        content_type="application/json",
    )
    assert response.status_code == 403
    other = bearer_client(world.planner_b)  # 동 B may not file a 동 A resident
    response = other.post(
        "/api/v1/desk/consultations",
        {"resident_id": world.r_z1.pk, "needs": [{"category": "housing"}]},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert _counts() == before


def test_consultation_detail_and_route_out_of_scope(world: World) -> None:
    client = bearer_client(world.users[Role.COUNSELOR])
    body = client.post(
        "/api/v1/desk/consultations",
        {"name": "박미등", "needs": [{"category": "jobs"}]},
        content_type="application/json",
    ).json()
    before = _counts()
    other = bearer_client(world.planner_b)
    assert other.get(f"/api/v1/desk/consultations/{body['id']}").status_code == 404
    response = other.post(
        f"/api/v1/desk/needs/{body['needs'][0]['id']}/route",
        {"route": "desk", "summary": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert _counts() == before


def test_agencies(world: World) -> None:
    client = bearer_client(world.users[Role.HEALTH_MEDICAL])
    assert [a["name"] for a in client.get("/api/v1/agencies").json()] == ["가나종합사회복지관"]
    assert client.get(f"/api/v1/agencies/{world.agency.pk}").json()["kind_label"] == "종합사회복지관"
    assert bearer_client(world.staff_x).get(f"/api/v1/agencies/{world.agency.pk}").status_code == 404
    assert bearer_client(world.staff_x).get("/api/v1/agencies").json() == []
