"""API: a success and a denied-with-nothing-changed test for each endpoint."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from chatdong.accounts.models import Role
from chatdong.audit.models import AccessLog
from chatdong.casemeeting.models import AgendaItem, Attendee, Decision, Meeting
from chatdong.casemeeting.tests.helpers import S, case_at, item_on, meeting_for, plan_for, share
from chatdong.cases.models import Case, CaseType
from chatdong.testing.api import bearer_client
from chatdong.testing.world import World

pytestmark = pytest.mark.django_db
BASE = "/api/v1/case-meetings"


def _counts() -> tuple[int, int, int, int, int]:
    return (
        Meeting.objects.count(),
        AgendaItem.objects.count(),
        Attendee.objects.count(),
        Decision.objects.count(),
        AccessLog.objects.count(),
    )


def _json(client: Client, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    return getattr(client, method)(url, body or {}, content_type="application/json")


def test_list(world: World) -> None:
    head = world.users[Role.DONG_HEAD]
    mine = meeting_for(head)
    meeting_for(world.planner_b)

    response = bearer_client(head).get(BASE)

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], [m["id"] for m in body["items"]]) == (1, [mine.pk])
    assert body["items"][0]["status_label"] == "예정"


def test_list_denied_to_the_front_desk(world: World) -> None:
    client = bearer_client(world.users[Role.FRONT_DESK])
    before = _counts()

    assert client.get(BASE).status_code == 403
    assert _counts() == before


def test_create(world: World) -> None:
    head = world.users[Role.DONG_HEAD]

    response = _json(
        bearer_client(world.users[Role.TEAM_LEADER]),
        "post",
        BASE,
        {"held_on": "2026-12-16", "place": "회의실", "chair_id": head.pk},
    )

    assert response.status_code == 201
    meeting = Meeting.objects.get()
    assert (response.json()["id"], meeting.dong, meeting.chair) == (meeting.pk, world.dong_a, head)
    assert list(meeting.attendees.values_list("user_id", flat=True)) == [head.pk]


def test_create_denied_to_district_staff(world: World) -> None:
    client = bearer_client(world.users[Role.DISTRICT_STAFF])
    before = _counts()

    response = _json(client, "post", BASE, {"held_on": "2026-12-16"})

    assert response.status_code == 403
    assert _counts() == before


def test_detail_scoped_for_the_agency_worker(world: World) -> None:
    head = world.users[Role.DONG_HEAD]
    worker = world.users[Role.AGENCY_WORKER]
    meeting = meeting_for(head)
    shared = case_at(S.MEETING, resident=world.r_z1, actor=head)
    share(shared, world.agency, actor=head)
    item_on(meeting, shared, actor=head, position=1)
    item_on(meeting, case_at(S.MEETING, resident=world.r_z2, actor=head), actor=head, position=2)
    Attendee.objects.create(meeting=meeting, side="private", user=worker, agency=world.agency, name="기관")

    staff = bearer_client(head).get(f"{BASE}/{meeting.pk}").json()
    agency = bearer_client(worker).get(f"{BASE}/{meeting.pk}").json()

    assert len(staff["items"]) == 2
    assert [(i["case_id"], i["name_masked"]) for i in agency["items"]] == [(shared.pk, "김*일")]


def test_detail_of_another_dong_is_404(world: World) -> None:
    meeting = meeting_for(world.users[Role.DONG_HEAD])
    client = bearer_client(world.planner_b)
    before = _counts()

    assert client.get(f"{BASE}/{meeting.pk}").status_code == 404
    assert _counts() == before


def test_suggestions(world: World) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    case = case_at(S.MEETING, resident=world.r_z1, actor=head)

    response = bearer_client(head).get(f"{BASE}/{meeting.pk}/suggestions")

    assert response.json() == [
        {
            "case_id": case.pk,
            "name_masked": "김*일",
            "step": "meeting",
            "step_label": "사례회의",
            "reason": "사례 유형·주사례관리 기관 결정",
        }
    ]


def test_suggestions_denied_to_district_staff(world: World) -> None:
    meeting = meeting_for(world.users[Role.DONG_HEAD])
    client = bearer_client(world.users[Role.DISTRICT_STAFF])
    before = _counts()

    assert client.get(f"{BASE}/{meeting.pk}/suggestions").status_code == 403
    assert _counts() == before


def test_attendee_add_and_remove(world: World) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    client = bearer_client(head)

    added = _json(
        client, "post", f"{BASE}/{meeting.pk}/attendees", {"user_id": world.users[Role.AGENCY_WORKER].pk}
    )
    external = _json(
        client, "post", f"{BASE}/{meeting.pk}/attendees", {"name": "박전문", "organisation": "센터"}
    )
    removed = client.delete(f"{BASE}/{meeting.pk}/attendees/{added.json()['id']}")

    assert (added.status_code, external.status_code, removed.status_code) == (201, 201, 204)
    assert added.json()["side"] == "private"
    assert list(meeting.attendees.values_list("name", flat=True)) == ["박전문"]


def test_attendee_add_denied_to_another_dong(world: World) -> None:
    meeting = meeting_for(world.users[Role.DONG_HEAD])
    client = bearer_client(world.planner_b)
    before = _counts()

    response = _json(client, "post", f"{BASE}/{meeting.pk}/attendees", {"name": "x", "organisation": "y"})

    assert response.status_code == 404
    assert _counts() == before


def test_items_add_record_remove(world: World) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    case = case_at(S.PLANNING, resident=world.r_z1, actor=head, case_type=CaseType.GENERAL)
    plan = plan_for(case, actor=head)
    client = bearer_client(head)

    added = _json(client, "post", f"{BASE}/{meeting.pk}/items", {"case_id": case.pk, "suggested": True})
    item_id = added.json()["items"][0]["id"]
    recorded = _json(
        client,
        "put",
        f"{BASE}/{meeting.pk}/items/{item_id}",
        {"discussion": "계획 적정", "decisions": [{"kind": "plan_approve", "plan_id": plan.pk}]},
    )

    assert added.status_code == 201
    assert recorded.status_code == 200
    item = recorded.json()["items"][0]
    assert (item["discussion"], item["decisions"][0]["kind"], item["decisions"][0]["plan_id"]) == (
        "계획 적정",
        "plan_approve",
        plan.pk,
    )
    assert client.delete(f"{BASE}/{meeting.pk}/items/{item_id}").status_code == 204
    assert AgendaItem.objects.count() == 0


def test_items_denied_to_district_staff(world: World) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    case = case_at(S.MEETING, resident=world.r_z1, actor=head)
    item = item_on(meeting, case, actor=head)
    client = bearer_client(world.users[Role.DISTRICT_STAFF])
    before = _counts()

    add = _json(client, "post", f"{BASE}/{meeting.pk}/items", {"case_id": case.pk})
    put = _json(client, "put", f"{BASE}/{meeting.pk}/items/{item.pk}", {"discussion": "x"})
    delete = client.delete(f"{BASE}/{meeting.pk}/items/{item.pk}")

    assert (add.status_code, put.status_code, delete.status_code) == (403, 403, 403)
    assert _counts() == before


def test_minutes_apply_every_decision(world: World) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    case = case_at(S.MEETING, resident=world.r_z1, actor=head)
    item = item_on(meeting, case, actor=head)
    client = bearer_client(head)
    _json(
        client,
        "put",
        f"{BASE}/{meeting.pk}/items/{item.pk}",
        {"decisions": [{"kind": "classify", "case_type": "linkage", "co_agency_ids": [world.agency.pk]}]},
    )

    response = _json(client, "post", f"{BASE}/{meeting.pk}/minutes", {"summary": "끝"})

    assert response.status_code == 200
    assert response.json()["meeting"]["status"] == "held"
    case.refresh_from_db()
    assert (case.step, case.case_type) == (S.CLASSIFIED, CaseType.LINKAGE)


def test_minutes_refused_transition_is_422_with_the_item(world: World) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    case = case_at(S.DISCOVERED, resident=world.r_z1, actor=head)
    item = item_on(meeting, case, actor=head)
    Decision.objects.create(item=item, kind=Decision.Kind.CLASSIFY, case_type=CaseType.GENERAL)
    before = _counts()

    response = _json(bearer_client(head), "post", f"{BASE}/{meeting.pk}/minutes", {})

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [f"item-{item.pk}"]
    assert _counts()[:4] == before[:4]
    assert Case.objects.get(pk=case.pk).step == S.DISCOVERED


def test_minutes_denied_to_a_planner_without_decision_role(world: World) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    case = case_at(S.MEETING, resident=world.r_z1, actor=head)
    item = item_on(meeting, case, actor=head)
    Decision.objects.create(item=item, kind=Decision.Kind.CLASSIFY, case_type=CaseType.GENERAL)
    client = bearer_client(world.users[Role.PLANNER_ELDER])
    before = _counts()

    response = _json(client, "post", f"{BASE}/{meeting.pk}/minutes", {})

    assert response.status_code == 403
    assert _counts() == before
    assert Case.objects.get(pk=case.pk).step == S.MEETING


def test_close(world: World) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head, status=Meeting.Status.HELD)
    before = _counts()

    denied = _json(bearer_client(world.planner_b), "post", f"{BASE}/{meeting.pk}/close")
    assert denied.status_code == 404
    assert _counts() == before

    response = _json(bearer_client(head), "post", f"{BASE}/{meeting.pk}/close")
    assert (response.status_code, response.json()["status"]) == (200, "closed")


def test_export(world: World) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    item_on(meeting, case_at(S.MEETING, resident=world.r_z1, actor=head), actor=head)
    client = bearer_client(head)
    before = _counts()

    no_reason = _json(client, "post", f"{BASE}/{meeting.pk}/minutes.xlsx", {"reason": ""})
    assert no_reason.status_code == 422
    assert _counts() == before

    response = _json(client, "post", f"{BASE}/{meeting.pk}/minutes.xlsx", {"reason": "구 제출"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert (response.status_code, sheet["A1"].value, sheet["C15"].value) == (
        200,
        "가동 민·관 통합사례회의 회의록",
        "김*일",
    )
    log = AccessLog.objects.order_by("-id").first()
    assert log is not None
    assert (log.action, log.reason) == ("download", "구 제출")


def test_export_denied_to_an_agency_worker_who_did_not_attend(world: World) -> None:
    meeting = meeting_for(world.users[Role.DONG_HEAD])
    client = bearer_client(world.users[Role.AGENCY_WORKER])
    before = _counts()

    response = _json(client, "post", f"{BASE}/{meeting.pk}/minutes.xlsx", {"reason": "보관"})

    assert response.status_code == 404
    assert _counts() == before


def test_attendee_remove_denied_to_district_staff(world: World) -> None:
    meeting = meeting_for(world.users[Role.DONG_HEAD])
    attendee = Attendee.objects.create(meeting=meeting, side="private", name="박전문", organisation="센터")
    client = bearer_client(world.users[Role.DISTRICT_STAFF])
    before = _counts()

    assert client.delete(f"{BASE}/{meeting.pk}/attendees/{attendee.pk}").status_code == 403
    assert _counts() == before


def test_list_for_an_agency_worker_shows_the_meetings_she_attended_with_whole_counts(world: World) -> None:
    head = world.users[Role.DONG_HEAD]
    worker = world.users[Role.AGENCY_WORKER]
    attended = meeting_for(head)
    meeting_for(head, held_on=dt.date(2026, 10, 21))  # not attended
    Attendee.objects.create(meeting=attended, side="public", user=head, name="동장")
    Attendee.objects.create(meeting=attended, side="private", user=worker, agency=world.agency, name="기관")

    body = bearer_client(worker).get(BASE).json()

    assert [(m["id"], m["attendee_count"]) for m in body["items"]] == [(attended.pk, 2)]
