"""The outreach page actions that are also API calls: adding targets (one by one and from a list), auto
assignment, the load page, advance notices and the outbox, message templates, pregnancy registrations.
Each: a success, and a denial (403 for a role that may not, 404 out of scope) that changes nothing — no
row, no access-log entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chatdong.accounts.models import Role
from chatdong.audit.models import AccessLog
from chatdong.core.rrn import decrypt_rrn
from chatdong.outreach.models import (
    MessageTemplate,
    Notice,
    OutboxMessage,
    PregnancyRegistration,
    Program,
    Target,
    TargetChange,
    TargetRun,
)
from chatdong.outreach.services import programs_install_defaults, targets_extract
from chatdong.outreach.tests.factories import programs, resident_in
from chatdong.registry.models import Resident
from chatdong.testing.api import bearer_client
from chatdong.testing.world import build_world, staff_member

pytestmark = pytest.mark.django_db

Y2026 = dt.date(2026, 1, 1)
JSON = "application/json"


@pytest.fixture
def w():
    world = build_world()
    Resident.objects.update(birth_date=dt.date(1975, 5, 17))
    progs = programs(world)
    programs_install_defaults(world.other_district)
    world.elder = resident_in(world.ban_z1, dt.date(1961, 4, 4), phone="01012345678")
    world.elder_z2 = resident_in(world.ban_z2, dt.date(1961, 5, 5))
    world.elder_b = resident_in(world.ban_b, dt.date(1961, 6, 6))
    targets_extract(actor=None, program=progs["elder-planner"], period_start=Y2026)
    world.progs = progs
    world.p = progs["elder-planner"]
    world.youth = progs["youth"]
    world.t = Target.objects.get(resident=world.elder)
    world.t_b = Target.objects.get(resident=world.elder_b)
    return world


def _state() -> tuple[Any, ...]:
    return (
        AccessLog.objects.count(),
        Target.objects.count(),
        TargetRun.objects.count(),
        TargetChange.objects.count(),
        Notice.objects.count(),
        OutboxMessage.objects.count(),
        PregnancyRegistration.objects.count(),
        list(Target.objects.order_by("pk").values_list("assignee_id", "co_assignee_id", "status", "reason")),
        list(MessageTemplate.objects.order_by("pk").values_list("code", "name", "body", "active")),
        list(
            PregnancyRegistration.objects.order_by("pk").values_list("expected_delivery_on", "delivered_on")
        ),
    )


def _rrn(resident: Resident) -> str:
    return decrypt_rrn(bytes(resident.rrn_encrypted))


def _csv(name: str, text: str, encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), "text/csv")


# ---------------------------------------------------------------------------------------------------
# Adding targets


def test_api_target_add(w):
    teen = resident_in(w.ban_z1, dt.date(2010, 1, 1))
    url = f"/api/v1/outreach/programs/{w.youth.pk}/targets"
    body = {"period_start": "2026-01-01", "resident_id": teen.pk, "reason": "위기 청소년(학교 연계)"}

    response = bearer_client(w.users[Role.PLANNER_YOUTH]).post(url, body, content_type=JSON)

    assert response.status_code == 201, response.content
    data = response.json()
    target = Target.objects.get(program=w.youth, resident=teen)
    assert (data["id"], data["resident_id"], data["source"], data["reason"], data["status"]) == (
        target.pk,
        teen.pk,
        "staff",
        "위기 청소년(학교 연계)",
        "open",
    )
    assert (data["period_start"], data["period_end"], data["dong_id"]) == (
        "2026-01-01",
        "2026-12-31",
        w.dong_a.pk,
    )
    log = AccessLog.objects.latest("pk")
    assert (log.action, log.object_type, log.subjects) == (
        AccessLog.Action.CREATE,
        "outreach.target",
        [teen.pk],
    )
    # Twice: already on the list.
    again = bearer_client(w.users[Role.PLANNER_YOUTH]).post(url, body, content_type=JSON)
    assert again.status_code == 422 and "resident" in again.json()["errors"]

    other = resident_in(w.ban_z1, dt.date(2011, 2, 2))
    before = _state()
    denied = body | {"resident_id": other.pk}
    # A role that may not add (민원창구) → 403; a resident out of scope (나동 planner) → 404.
    assert bearer_client(w.users[Role.FRONT_DESK]).post(url, denied, content_type=JSON).status_code == 403
    assert bearer_client(w.planner_b).post(url, denied, content_type=JSON).status_code == 404
    # Another district's program → 404.
    foreign = Program.objects.get(district=w.other_district, code="youth")
    assert (
        bearer_client(w.users[Role.PLANNER_YOUTH])
        .post(f"/api/v1/outreach/programs/{foreign.pk}/targets", denied, content_type=JSON)
        .status_code
        == 404
    )
    # Not a period start, or no reason → 422.
    for bad in ({"period_start": "2026-03-01"}, {"reason": "  "}):
        response = bearer_client(w.users[Role.PLANNER_YOUTH]).post(url, denied | bad, content_type=JSON)
        assert response.status_code == 422
    assert _state() == before


def test_api_target_add_household_program_answers_the_new_target(w):
    """A worker may add a household to a program her role does not visit; the answer is still the target."""
    head = resident_in(w.ban_z1, dt.date(1970, 1, 1), relation="본인")
    poverty = w.progs["poverty"]
    response = bearer_client(w.users[Role.PLANNER_ELDER]).post(
        f"/api/v1/outreach/programs/{poverty.pk}/targets",
        {"period_start": "2026-01-01", "resident_id": head.pk, "reason": "숨은 위기가구(이웃 제보)"},
        content_type=JSON,
    )

    assert response.status_code == 201, response.content
    target = Target.objects.get(program=poverty)
    assert (target.resident_id, target.household_id) == (None, head.household_id)
    assert (response.json()["household_id"], response.json()["name"]) == (head.household_id, head.name)


def test_api_list_upload(w):
    teen = resident_in(w.ban_z1, dt.date(2010, 1, 1))
    url = f"/api/v1/outreach/programs/{w.youth.pk}/targets/upload"
    good = f"주민등록번호,사유\n{_rrn(teen)},위기 청소년\n"

    response = bearer_client(w.users[Role.PLANNER_YOUTH]).post(
        url, {"period_start": "2026-01-01", "file": _csv("list.csv", good, "cp949")}
    )

    assert response.status_code == 200, response.content
    assert response.json()["kind"] == "list"
    assert response.json()["counts"] == {"rows": 1, "added": 1, "restored": 0, "unchanged": 0}
    assert Target.objects.get(program=w.youth).resident_id == teen.pk

    before = _state()
    denied = bearer_client(w.users[Role.FRONT_DESK]).post(
        url, {"period_start": "2026-01-01", "file": _csv("list.csv", good)}
    )
    assert denied.status_code == 403
    assert _state() == before


def test_api_list_upload_row_errors_are_422_and_add_nothing(w):
    teen = resident_in(w.ban_z1, dt.date(2010, 1, 1))
    teen_b = resident_in(w.ban_b, dt.date(2010, 2, 2))
    url = f"/api/v1/outreach/programs/{w.youth.pk}/targets/upload"
    rows = f"주민등록번호,사유\n{_rrn(teen)},위기 청소년\n900101-1234567,\n{_rrn(teen_b)},다른 동\n{_rrn(teen)},두 번\n"
    before = _state()

    response = bearer_client(w.users[Role.PLANNER_YOUTH]).post(
        url, {"period_start": "2026-01-01", "file": _csv("list.csv", rows)}
    )

    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "명단의 3개 행에 오류가 있어 아무것도 등록하지 않았습니다."
    assert sorted(body["errors"]) == ["3행", "4행", "5행"]
    assert "사유를 적어 주세요." in body["errors"]["3행"]
    assert body["errors"]["4행"] == ["주민등록번호에 해당하는 주민이 담당 범위에 없습니다."]
    assert body["errors"]["5행"] == ["같은 사람(세대)이 명단에 두 번 있습니다."]
    assert _state() == before
    # A bad header, or no file at all.
    header = bearer_client(w.users[Role.PLANNER_YOUTH]).post(
        url, {"period_start": "2026-01-01", "file": _csv("list.csv", "이름,사유\n")}
    )
    assert header.status_code == 422 and header.json()["errors"] == {"file": ["제목 줄을 확인하세요."]}
    missing = bearer_client(w.users[Role.PLANNER_YOUTH]).post(url, {"period_start": "2026-01-01"})
    assert missing.status_code == 422
    assert _state() == before


# ---------------------------------------------------------------------------------------------------
# Assignment and load


def test_api_assign_auto(w):
    url = f"/api/v1/outreach/programs/{w.p.pk}/assign-auto"
    body = {"period_start": "2026-01-01", "dong_id": w.dong_a.pk}

    response = bearer_client(w.users[Role.DONG_HEAD]).post(url, body, content_type=JSON)

    assert response.status_code == 200, response.content
    assert sum(response.json().values()) == 2 and response.json()["unassigned"] == 0
    assert Target.objects.filter(dong=w.dong_a, assignee=w.users[Role.PLANNER_ELDER]).count() == 2
    assert AccessLog.objects.latest("pk").reason == "방문 대상 자동 배정"

    Target.objects.update(assignee=None)
    before = _state()
    assert bearer_client(w.users[Role.PLANNER_ELDER]).post(url, body, content_type=JSON).status_code == 403
    other_dong = body | {"dong_id": w.dong_b.pk}
    assert bearer_client(w.users[Role.DONG_HEAD]).post(url, other_dong, content_type=JSON).status_code == 404
    not_start = body | {"period_start": "2026-02-01"}
    assert bearer_client(w.users[Role.DONG_HEAD]).post(url, not_start, content_type=JSON).status_code == 422
    assert _state() == before


def test_api_staff_load(w):
    planner = w.users[Role.PLANNER_ELDER]
    Target.objects.filter(pk=w.t.pk).update(assignee=planner, due_on=dt.date(2000, 1, 1))

    response = bearer_client(w.users[Role.SUPERVISOR]).get("/api/v1/outreach/load")

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["dongs"] == [{"id": w.dong_a.pk, "name": w.dong_a.name}]
    assert data["dong"] == {"id": w.dong_a.pk, "name": w.dong_a.name}
    row = next(r for r in data["rows"] if r["staff"]["id"] == planner.pk)
    assert (row["staff"]["name"], row["open"], row["overdue"], row["co_open"]) == (planner.full_name, 1, 1, 0)
    district = bearer_client(w.users[Role.DISTRICT_STAFF]).get(f"/api/v1/outreach/load?dong_id={w.dong_b.pk}")
    assert district.status_code == 200 and district.json()["dong"]["id"] == w.dong_b.pk
    assert {d["id"] for d in district.json()["dongs"]} == {w.dong_a.pk, w.dong_b.pk}

    before = _state()
    assert bearer_client(planner).get("/api/v1/outreach/load").status_code == 403
    assert (
        bearer_client(w.users[Role.SUPERVISOR])
        .get(f"/api/v1/outreach/load?dong_id={w.dong_b.pk}")
        .status_code
        == 404
    )
    assert _state() == before


# ---------------------------------------------------------------------------------------------------
# Advance notices, outbox, templates


def test_api_notice_and_outbox(w, django_capture_on_commit_callbacks):
    template = w.district.message_templates.get(code="visit-notice")
    url = f"/api/v1/outreach/targets/{w.t.pk}/notice"
    body = {"template_id": template.pk, "visit_on": "2099-03-03"}
    planner = bearer_client(w.users[Role.PLANNER_ELDER])

    with django_capture_on_commit_callbacks(execute=True):
        response = planner.post(url, body, content_type=JSON)

    assert response.status_code == 200, response.content
    data = response.json()
    notice = Notice.objects.get()
    assert (data["id"], data["target_id"], data["phone"], data["visit_on"]) == (
        notice.pk,
        w.t.pk,
        "01012345678",
        "2099-03-03",
    )
    assert w.elder.name in data["body"] and "3월 3일" in data["body"]
    assert Notice.objects.get().status == "sent"
    assert OutboxMessage.objects.get().phone == "01012345678"
    # Asking again sends nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        again = planner.post(url, body, content_type=JSON)
    assert again.status_code == 200 and again.json()["id"] == notice.pk
    assert (again.json()["status"], OutboxMessage.objects.count()) == ("sent", 1)

    outbox = planner.get("/api/v1/outreach/outbox")
    assert outbox.status_code == 200
    assert [(m["target_id"], m["name"], m["phone"]) for m in outbox.json()] == [
        (w.t.pk, w.elder.name, "01012345678")
    ]
    log = AccessLog.objects.latest("pk")
    assert (log.action, log.object_type, log.subjects) == (
        AccessLog.Action.VIEW,
        "outreach.outbox",
        [w.elder.pk],
    )
    other = bearer_client(w.planner_b).get("/api/v1/outreach/outbox")
    assert other.status_code == 200 and other.json() == []

    before = _state()
    assert bearer_client(w.users[Role.FRONT_DESK]).post(url, body, content_type=JSON).status_code == 403
    assert bearer_client(w.planner_b).post(url, body, content_type=JSON).status_code == 404
    past = body | {"visit_on": "2000-01-01", "template_id": template.pk}
    bad = planner.post(url, past, content_type=JSON)
    assert bad.status_code == 422 and "visit_on" in bad.json()["errors"]
    assert bearer_client(w.users[Role.SUPPORT_TEAM]).get("/api/v1/outreach/outbox").status_code == 403
    assert _state() == before


def test_api_message_templates(w):
    head = bearer_client(w.users[Role.DONG_HEAD])
    MessageTemplate.objects.filter(district=w.district, code="visit-reminder").update(active=False)

    listed = head.get("/api/v1/outreach/message-templates")

    assert listed.status_code == 200
    assert [(t["code"], t["active"]) for t in listed.json()] == [
        ("visit-notice", True),
        ("visit-reminder", False),
    ]
    # Senders see the templates they may choose from (active ones).
    for_planner = bearer_client(w.users[Role.PLANNER_ELDER]).get("/api/v1/outreach/message-templates")
    assert [t["code"] for t in for_planner.json()] == ["visit-notice"]
    body = {"name": "방문 사전안내", "body": "{이름}님, {방문예정일}에 찾아뵙겠습니다.", "active": True}
    saved = head.put("/api/v1/outreach/message-templates/visit-notice", body, content_type=JSON)
    assert saved.status_code == 200, saved.content
    assert MessageTemplate.objects.get(district=w.district, code="visit-notice").body == body["body"]
    assert saved.json()["body"] == body["body"]
    created = head.put("/api/v1/outreach/message-templates/second-notice", body, content_type=JSON)
    assert created.status_code == 200
    assert MessageTemplate.objects.filter(district=w.district).count() == 3

    before = _state()
    bad = head.put(
        "/api/v1/outreach/message-templates/visit-notice", body | {"body": "{성함}님"}, content_type=JSON
    )
    assert bad.status_code == 422 and "알 수 없는 자리표시: {성함}" in bad.json()["errors"]["body"][0]
    bad_code = head.put("/api/v1/outreach/message-templates/방문", body, content_type=JSON)
    assert bad_code.status_code == 422 and "code" in bad_code.json()["errors"]
    planner_put = bearer_client(w.users[Role.PLANNER_ELDER]).put(
        "/api/v1/outreach/message-templates/visit-notice", body | {"body": "x"}, content_type=JSON
    )
    assert planner_put.status_code == 403
    assert (
        bearer_client(w.users[Role.SUPPORT_TEAM]).get("/api/v1/outreach/message-templates").status_code == 403
    )
    assert _state() == before


# ---------------------------------------------------------------------------------------------------
# Pregnancy registrations


def test_api_pregnancies(w):
    mother = resident_in(w.ban_z1, dt.date(1994, 1, 1))
    body = {"rrn": _rrn(mother), "expected_delivery_on": "2026-09-14", "registered_on": "2026-03-02"}
    nurse = bearer_client(w.users[Role.INFANT_NURSE])

    response = nurse.post("/api/v1/outreach/pregnancies", body, content_type=JSON)

    assert response.status_code == 200, response.content
    registration = PregnancyRegistration.objects.get()
    assert (registration.resident_id, registration.dong_id) == (mother.pk, w.dong_a.pk)
    assert (response.json()["id"], response.json()["name"]) == (registration.pk, mother.name)
    assert _rrn(mother) not in str(list(AccessLog.objects.values_list("detail", "reason")))
    # By resident id: the same woman and due date is updated (the birth date added).
    by_id = {"resident_id": mother.pk, "expected_delivery_on": "2026-09-14", "registered_on": "2026-03-02"}
    updated = nurse.post(
        "/api/v1/outreach/pregnancies", by_id | {"delivered_on": "2026-09-10"}, content_type=JSON
    )
    assert updated.status_code == 200 and updated.json()["id"] == registration.pk
    assert PregnancyRegistration.objects.get().delivered_on == dt.date(2026, 9, 10)

    listed = bearer_client(w.users[Role.DONG_HEAD]).get("/api/v1/outreach/pregnancies")
    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    assert [(r["resident_id"], r["name"]) for r in listed.json()["items"]] == [(mother.pk, mother.name)]
    log = AccessLog.objects.latest("pk")
    assert (log.object_type, log.subjects) == ("outreach.pregnancy_list", [mother.pk])

    nurse_b = bearer_client(
        staff_member(username="nurse-b", full_name="나동 간호사", role=Role.INFANT_NURSE, dong=w.dong_b)
    )
    before = _state()
    # 동장 reads but may not register; a planner may not read; out of scope → 404; both or neither → 422.
    head = bearer_client(w.users[Role.DONG_HEAD])
    assert head.post("/api/v1/outreach/pregnancies", body, content_type=JSON).status_code == 403
    assert head.post("/api/v1/outreach/pregnancies", by_id, content_type=JSON).status_code == 403
    assert bearer_client(w.users[Role.PLANNER_ELDER]).get("/api/v1/outreach/pregnancies").status_code == 403
    later = {"expected_delivery_on": "2026-09-20"}
    assert nurse_b.post("/api/v1/outreach/pregnancies", body | later, content_type=JSON).status_code == 404
    assert nurse_b.post("/api/v1/outreach/pregnancies", by_id | later, content_type=JSON).status_code == 404
    both = nurse.post("/api/v1/outreach/pregnancies", body | by_id | later, content_type=JSON)
    assert both.status_code == 422
    neither = {"expected_delivery_on": "2026-09-20", "registered_on": "2026-03-02"}
    assert nurse.post("/api/v1/outreach/pregnancies", neither, content_type=JSON).status_code == 422
    too_late = nurse.post(
        "/api/v1/outreach/pregnancies", body | {"expected_delivery_on": "2027-09-20"}, content_type=JSON
    )
    assert too_late.status_code == 422 and "expected_delivery_on" in too_late.json()["errors"]
    assert _state() == before


def test_api_pregnancy_upload(w):
    mother = resident_in(w.ban_z1, dt.date(1994, 1, 1))
    rrn = _rrn(mother)
    url = "/api/v1/outreach/pregnancies/upload"
    nurse = bearer_client(w.users[Role.INFANT_NURSE])
    bad = (
        f"주민등록번호,출산예정일,등록일,출산일\n{rrn},2026-09-14,2026-03-02,\n{rrn},2026-13-01,2026-03-02,\n"
    )
    before = _state()

    rejected = nurse.post(url, {"file": _csv("p.csv", bad)})

    assert rejected.status_code == 422
    assert rejected.json()["errors"] == {
        "3행": ["출산예정일 '2026-13-01'는 날짜(예: 2026-05-01)가 아닙니다."]
    }
    assert _state() == before
    good = f"주민등록번호,출산예정일,등록일,출산일\n{rrn},2026-09-14,2026-03-02,2026-09-10\n"
    assert bearer_client(w.users[Role.DONG_HEAD]).post(url, {"file": _csv("p.csv", good)}).status_code == 403
    assert _state() == before

    response = nurse.post(url, {"file": _csv("p.csv", good, "cp949")})

    assert response.status_code == 200, response.content
    assert response.json() == {"rows": 1, "created": 1, "updated": 0}
    assert list(PregnancyRegistration.objects.values_list("resident_id", "delivered_on")) == [
        (mother.pk, dt.date(2026, 9, 10))
    ]
