"""Every outreach page and endpoint: a success and a denial (403 for a role that may not, 404 out of
scope) that changes nothing — no row, no access-log entry."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from chatdong.accounts.models import Role
from chatdong.audit.models import AccessLog
from chatdong.outreach import access
from chatdong.outreach.models import Notice, OutboxMessage, Program, Target, TargetConsent, TargetRun
from chatdong.outreach.services import programs_install_defaults, targets_extract
from chatdong.outreach.tests.factories import programs, resident_in
from chatdong.registry.models import Resident
from chatdong.testing.api import bearer_client
from chatdong.testing.world import build_world

pytestmark = pytest.mark.django_db

Y2026 = dt.date(2026, 1, 1)


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
    world.p = progs["elder-planner"]
    world.t = Target.objects.get(resident=world.elder)
    world.t_b = Target.objects.get(resident=world.elder_b)
    return world


def _state() -> tuple:
    return (
        AccessLog.objects.count(),
        Target.objects.count(),
        TargetRun.objects.count(),
        TargetConsent.objects.count(),
        Notice.objects.count(),
        OutboxMessage.objects.count(),
        list(Target.objects.order_by("pk").values_list("assignee_id", "consent", "status")),
        list(Program.objects.order_by("pk").values_list("rule", "active")),
    )


# ---------------------------------------------------------------------------------------------------
# The scope rule


def test_who_sees_which_targets(w):
    def seen(user):
        return set(access.targets_visible_to(user).values_list("resident_id", flat=True))

    a_dong = {w.elder.pk, w.elder_z2.pk}
    assert seen(w.users[Role.DISTRICT_STAFF]) == a_dong | {w.elder_b.pk}
    assert seen(w.users[Role.DONG_HEAD]) == a_dong
    assert seen(w.users[Role.SUPERVISOR]) == a_dong
    assert seen(w.users[Role.PLANNER_ELDER]) == a_dong
    assert seen(w.users[Role.PLANNER_CHILD]) == set()  # not a visiting role of the elder program
    assert seen(w.users[Role.OFFICER]) == {w.elder.pk}  # zone scope: zone Z1 only
    assert seen(w.planner_b) == {w.elder_b.pk}
    assert seen(w.users[Role.SUPPORT_TEAM]) == set()
    assert seen(w.users[Role.AGENCY_WORKER]) == set()
    assert seen(w.staff_x) == set()
    # Assigned work is visible even outside the role's programs.
    Target.objects.filter(pk=w.t.pk).update(co_assignee=w.users[Role.PLANNER_CHILD])
    assert seen(w.users[Role.PLANNER_CHILD]) == {w.elder.pk}


# ---------------------------------------------------------------------------------------------------
# Pages


def test_program_list_page(w, login_client):
    response = login_client(w.users[Role.SUPPORT_TEAM]).get("/outreach/")
    assert response.status_code == 200
    assert "어르신 복지플래너" in response.content.decode()
    before = _state()
    assert login_client(w.users[Role.AGENCY_WORKER]).get("/outreach/").status_code == 403
    assert _state() == before


def test_program_edit_page(w, login_client):
    client = login_client(w.users[Role.DISTRICT_STAFF])
    assert client.get(f"/outreach/programs/{w.p.pk}/edit/").status_code == 200
    data = {
        "name": "어르신 복지플래너",
        "active": "on",
        "period": "year",
        "visit_roles": ["planner_elder"],
        "ages": "65, 70, 75",
        "age_labels": "",
        "due_type": "period_end",
        "visits_per_year": "1",
    }
    response = client.post(f"/outreach/programs/{w.p.pk}/edit/", data)
    assert response.status_code == 302
    w.p.refresh_from_db()
    assert w.p.rule["ages"] == [65, 70, 75]
    before = _state()
    data["ages"] = "80"
    assert (
        login_client(w.users[Role.PLANNER_ELDER]).post(f"/outreach/programs/{w.p.pk}/edit/", data).status_code
        == 403
    )
    other = Program.objects.get(district=w.other_district, code="elder-planner")
    assert client.post(f"/outreach/programs/{other.pk}/edit/", data).status_code == 404
    assert _state() == before


def test_program_edit_shows_rule_errors(w, login_client):
    client = login_client(w.users[Role.DISTRICT_STAFF])
    before = _state()
    data = {
        "name": "x",
        "period": "year",
        "visit_roles": ["planner_elder"],
        "ages": "",
        "due_type": "period_end",
        "visits_per_year": "1",
    }
    response = client.post(f"/outreach/programs/{w.p.pk}/edit/", data)
    assert response.status_code == 200
    assert "나이를 하나 이상 적어 주세요" in response.content.decode()
    assert _state() == before


def test_extract_page(w, login_client):
    response = login_client(w.users[Role.DISTRICT_STAFF]).post(
        f"/outreach/programs/{w.p.pk}/extract/", {"period_start": "2027-01-01"}
    )
    assert response.status_code == 302
    assert Target.objects.filter(period_start=dt.date(2027, 1, 1)).count() == 0  # nobody turns 65/70 in 2027
    assert TargetRun.objects.filter(period_start=dt.date(2027, 1, 1)).count() == 1
    before = _state()
    assert (
        login_client(w.users[Role.DONG_HEAD])
        .post(f"/outreach/programs/{w.p.pk}/extract/", {"period_start": "2027-01-01"})
        .status_code
        == 403
    )
    assert _state() == before


def test_target_list_page(w, login_client):
    response = login_client(w.users[Role.PLANNER_ELDER]).get(
        f"/outreach/programs/{w.p.pk}/targets/?period=2026-01-01"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert (w.elder.name in body, w.elder_b.name in body) == (True, False)
    log = AccessLog.objects.latest("pk")
    assert (log.action, sorted(log.subjects)) == ("view", sorted([w.elder.pk, w.elder_z2.pk]))
    htmx = login_client(w.users[Role.PLANNER_ELDER]).get(
        f"/outreach/programs/{w.p.pk}/targets/?period=2026-01-01&consent=all", HTTP_HX_REQUEST="true"
    )
    assert htmx.status_code == 200 and "<h1>" not in htmx.content.decode()
    before = _state()
    assert (
        login_client(w.users[Role.SUPPORT_TEAM]).get(f"/outreach/programs/{w.p.pk}/targets/").status_code
        == 403
    )
    assert login_client(w.staff_x).get(f"/outreach/programs/{w.p.pk}/targets/").status_code == 404
    assert _state() == before


def test_target_detail_page(w, login_client):
    response = login_client(w.users[Role.PLANNER_ELDER]).get(f"/outreach/targets/{w.t.pk}/")
    assert response.status_code == 200
    assert "1961년생, 2026년 만 65세 도래" in response.content.decode()
    before = _state()
    assert login_client(w.planner_b).get(f"/outreach/targets/{w.t.pk}/").status_code == 404
    assert login_client(w.users[Role.PLANNER_CHILD]).get(f"/outreach/targets/{w.t.pk}/").status_code == 404
    assert login_client(w.users[Role.SUPPORT_TEAM]).get(f"/outreach/targets/{w.t.pk}/").status_code == 403
    assert _state() == before


def test_consent_page(w, login_client):
    data = {"state": "given", "on": "2026-02-02", "channel": "phone", "note": ""}
    assert (
        login_client(w.users[Role.PLANNER_ELDER])
        .post(f"/outreach/targets/{w.t.pk}/consent/", data)
        .status_code
        == 302
    )
    assert Target.objects.get(pk=w.t.pk).consent == "given"
    before = _state()
    assert (
        login_client(w.users[Role.FRONT_DESK]).post(f"/outreach/targets/{w.t.pk}/consent/", data).status_code
        == 403
    )
    assert login_client(w.planner_b).post(f"/outreach/targets/{w.t.pk}/consent/", data).status_code == 404
    assert _state() == before


def test_assign_page(w, login_client):
    planner = w.users[Role.PLANNER_ELDER]
    data = {"assignee": planner.pk, "co_assignee": w.users[Role.VISITING_NURSE].pk}
    assert (
        login_client(w.users[Role.TEAM_LEADER]).post(f"/outreach/targets/{w.t.pk}/assign/", data).status_code
        == 302
    )
    assert Target.objects.get(pk=w.t.pk).assignee_id == planner.pk
    before = _state()
    assert (
        login_client(planner).post(f"/outreach/targets/{w.t.pk}/assign/", {"assignee": ""}).status_code == 403
    )
    assert login_client(w.planner_b).post(f"/outreach/targets/{w.t.pk}/assign/", data).status_code == 404
    assert _state() == before


def test_auto_assign_page(w, login_client):
    url = f"/outreach/programs/{w.p.pk}/assign/"
    data = {"period": "2026-01-01", "dong": w.dong_a.pk}
    assert login_client(w.users[Role.DONG_HEAD]).post(url, data).status_code == 302
    assert Target.objects.filter(dong=w.dong_a, assignee=w.users[Role.PLANNER_ELDER]).count() == 2
    before = _state()
    assert login_client(w.users[Role.PLANNER_ELDER]).post(url, data).status_code == 403
    assert (
        login_client(w.users[Role.DONG_HEAD])
        .post(url, {"period": "2026-01-01", "dong": w.dong_b.pk})
        .status_code
        == 404
    )
    assert _state() == before


def test_notice_page_and_outbox(w, login_client, django_capture_on_commit_callbacks):
    template = w.district.message_templates.get(code="visit-notice")
    data = {"template": template.pk, "visit_on": "2099-03-03"}
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            login_client(w.users[Role.PLANNER_ELDER])
            .post(f"/outreach/targets/{w.t.pk}/notice/", data)
            .status_code
            == 302
        )
    assert OutboxMessage.objects.get().phone == "01012345678"
    outbox = login_client(w.users[Role.PLANNER_ELDER]).get("/outreach/outbox/")
    assert outbox.status_code == 200 and "01012345678" in outbox.content.decode()
    log = AccessLog.objects.latest("pk")
    assert (log.object_type, log.subjects) == ("outreach.outbox", [w.elder.pk])
    other = login_client(w.planner_b).get("/outreach/outbox/")
    assert other.status_code == 200 and "01012345678" not in other.content.decode()
    before = _state()
    assert (
        login_client(w.users[Role.FRONT_DESK]).post(f"/outreach/targets/{w.t.pk}/notice/", data).status_code
        == 403
    )
    assert login_client(w.users[Role.SUPPORT_TEAM]).get("/outreach/outbox/").status_code == 403
    assert _state() == before


def test_list_upload_page(w, login_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chatdong.core.rrn import decrypt_rrn

    youth = Program.objects.get(district=w.district, code="youth")
    teen = resident_in(w.ban_z1, dt.date(2010, 1, 1))
    content = f"주민등록번호,사유\n{decrypt_rrn(bytes(teen.rrn_encrypted))},위기 청소년\n".encode()
    url = f"/outreach/programs/{youth.pk}/upload/"
    response = login_client(w.users[Role.PLANNER_YOUTH]).post(
        url, {"period": "2026-01-01", "file": SimpleUploadedFile("list.csv", content)}
    )
    assert response.status_code == 302
    assert Target.objects.filter(program=youth).count() == 1
    before = _state()
    denied = login_client(w.users[Role.FRONT_DESK]).post(
        url, {"period": "2026-01-01", "file": SimpleUploadedFile("list.csv", content)}
    )
    assert denied.status_code == 403
    assert _state() == before


def test_load_page(w, login_client):
    Target.objects.filter(pk=w.t.pk).update(assignee=w.users[Role.PLANNER_ELDER])
    response = login_client(w.users[Role.SUPERVISOR]).get("/outreach/load/")
    assert response.status_code == 200
    assert w.users[Role.PLANNER_ELDER].full_name in response.content.decode()
    before = _state()
    assert login_client(w.users[Role.PLANNER_ELDER]).get("/outreach/load/").status_code == 403
    assert (
        login_client(w.users[Role.SUPERVISOR]).get(f"/outreach/load/?dong={w.dong_b.pk}").status_code == 404
    )
    assert _state() == before


# ---------------------------------------------------------------------------------------------------
# API


def test_api_programs(w):
    response = bearer_client(w.users[Role.SUPPORT_TEAM]).get("/api/v1/outreach/programs")
    assert response.status_code == 200
    assert [p["code"] for p in response.json()] == [
        "child",
        "elder-nurse",
        "elder-planner",
        "infant-health",
        "poverty",
        "youth",
    ]
    assert bearer_client(w.users[Role.PLANNER_ELDER]).get(f"/api/v1/outreach/programs/{w.p.pk}").json()[
        "rule"
    ]["ages"] == [65, 70]
    other = Program.objects.get(district=w.other_district, code="elder-planner")
    before = _state()
    assert bearer_client(w.users[Role.AGENCY_WORKER]).get("/api/v1/outreach/programs").status_code == 403
    assert (
        bearer_client(w.users[Role.PLANNER_ELDER]).get(f"/api/v1/outreach/programs/{other.pk}").status_code
        == 404
    )
    assert _state() == before


def test_api_program_update(w):
    url = f"/api/v1/outreach/programs/{w.p.pk}"
    body = json.dumps({"rule": {"type": "turning_age", "ages": [66]}, "active": True})
    response = bearer_client(w.users[Role.DISTRICT_STAFF]).patch(url, body, content_type="application/json")
    assert (response.status_code, response.json()["rule"]["ages"]) == (200, [66])
    bad = json.dumps({"rule": {"type": "turning_age", "ages": []}})
    before = _state()
    invalid = bearer_client(w.users[Role.DISTRICT_STAFF]).patch(url, bad, content_type="application/json")
    assert (invalid.status_code, invalid.json()["errors"]) == (
        422,
        {"rule.ages": ["나이를 하나 이상 적어 주세요(예: [65, 70])."]},
    )
    assert (
        bearer_client(w.users[Role.DONG_HEAD]).patch(url, body, content_type="application/json").status_code
        == 403
    )
    assert _state() == before


def test_api_extract(w):
    url = f"/api/v1/outreach/programs/{w.p.pk}/extract"
    response = bearer_client(w.users[Role.DISTRICT_STAFF]).post(
        url, {"period_start": "2026-01-01"}, content_type="application/json"
    )
    assert (response.status_code, response.json()["counts"]["selected"]) == (200, 3)
    before = _state()
    assert (
        bearer_client(w.users[Role.PLANNER_ELDER])
        .post(url, {"period_start": "2026-01-01"}, content_type="application/json")
        .status_code
        == 403
    )
    bad = bearer_client(w.users[Role.DISTRICT_STAFF]).post(
        url, {"period_start": "2026-03-01"}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert _state() == before


def test_api_target_list_and_detail(w):
    client = bearer_client(w.users[Role.PLANNER_ELDER])
    response = client.get(f"/api/v1/outreach/programs/{w.p.pk}/targets?period_start=2026-01-01")
    body = response.json()
    assert (response.status_code, body["count"], body["counts"]["open"]) == (200, 2, 2)
    assert {i["reason"] for i in body["items"]} == {"1961년생, 2026년 만 65세 도래"}
    detail = client.get(f"/api/v1/outreach/targets/{w.t.pk}")
    assert (detail.status_code, detail.json()["name"], detail.json()["changes"]) == (200, w.elder.name, [])
    before = _state()
    assert (
        bearer_client(w.users[Role.SUPPORT_TEAM])
        .get(f"/api/v1/outreach/programs/{w.p.pk}/targets?period_start=2026-01-01")
        .status_code
        == 403
    )
    assert bearer_client(w.planner_b).get(f"/api/v1/outreach/targets/{w.t.pk}").status_code == 404
    assert _state() == before


def test_api_consent_and_assign(w):
    planner = w.users[Role.PLANNER_ELDER]
    consent = {"state": "refused", "on": "2026-02-03", "channel": "phone", "note": "원치 않음"}
    response = bearer_client(planner).post(
        f"/api/v1/outreach/targets/{w.t.pk}/consent", consent, content_type="application/json"
    )
    assert (response.status_code, response.json()["consent"]) == (200, "refused")
    listing = (
        bearer_client(planner)
        .get(f"/api/v1/outreach/programs/{w.p.pk}/targets?period_start=2026-01-01")
        .json()
    )
    assert (listing["count"], listing["counts"]["refused"]) == (1, 1)
    assign = {"assignee_id": planner.pk, "co_assignee_id": None}
    response = bearer_client(w.users[Role.TEAM_LEADER]).post(
        f"/api/v1/outreach/targets/{w.t.pk}/assign", assign, content_type="application/json"
    )
    assert (response.status_code, response.json()["assignee"]["id"]) == (200, planner.pk)
    assert (
        bearer_client(w.planner_b)
        .post(f"/api/v1/outreach/targets/{w.t_b.pk}/consent", consent, content_type="application/json")
        .status_code
        == 200
    )  # her own 동's target
    before = _state()
    assert (
        bearer_client(w.users[Role.FRONT_DESK])
        .post(f"/api/v1/outreach/targets/{w.t.pk}/consent", consent, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        bearer_client(planner)
        .post(f"/api/v1/outreach/targets/{w.t.pk}/assign", assign, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        bearer_client(w.planner_b)
        .post(f"/api/v1/outreach/targets/{w.t.pk}/consent", consent, content_type="application/json")
        .status_code
        == 404
    )
    assert _state() == before


def test_pregnancy_page(w, login_client):
    from chatdong.core.rrn import decrypt_rrn
    from chatdong.outreach.models import PregnancyRegistration

    mother = resident_in(w.ban_z1, dt.date(1994, 1, 1))
    rrn = decrypt_rrn(bytes(mother.rrn_encrypted))
    nurse = login_client(w.users[Role.INFANT_NURSE])
    data = {
        "rrn": rrn,
        "expected_delivery_on": "2026-09-14",
        "registered_on": "2026-03-02",
        "delivered_on": "",
    }
    assert nurse.post("/outreach/pregnancies/", data).status_code == 302
    registration = PregnancyRegistration.objects.get()
    assert (registration.resident_id, registration.dong_id) == (mother.pk, w.dong_a.pk)
    page = nurse.get("/outreach/pregnancies/")
    assert page.status_code == 200 and mother.name in page.content.decode()
    before = _state()
    assert login_client(w.users[Role.DONG_HEAD]).post("/outreach/pregnancies/", data).status_code == 403
    assert login_client(w.users[Role.PLANNER_ELDER]).get("/outreach/pregnancies/").status_code == 403
    assert _state() == before and PregnancyRegistration.objects.count() == 1
    # Out of scope: a nurse of 동 B gets a form error and nothing is written.
    from chatdong.testing.world import staff_member

    nurse_b = staff_member(username="nurse-b", full_name="나동 간호사", role=Role.INFANT_NURSE, dong=w.dong_b)
    response = login_client(nurse_b).post(
        "/outreach/pregnancies/", data | {"expected_delivery_on": "2026-09-20"}
    )
    assert response.status_code == 200
    assert "담당 범위에 없습니다" in response.content.decode()
    assert PregnancyRegistration.objects.count() == 1


def test_pregnancy_list_upload_is_all_or_nothing(w, login_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chatdong.core.rrn import decrypt_rrn
    from chatdong.outreach.models import PregnancyRegistration

    mother = resident_in(w.ban_z1, dt.date(1994, 1, 1))
    rrn = decrypt_rrn(bytes(mother.rrn_encrypted))
    bad = f"주민등록번호,출산예정일,등록일,출산일\n{rrn},2026-09-14,2026-03-02,\n{rrn},2026-13-01,2026-03-02,\n".encode()
    nurse = login_client(w.users[Role.INFANT_NURSE])
    nurse.post("/outreach/pregnancies/", {"file": SimpleUploadedFile("p.csv", bad)})
    assert PregnancyRegistration.objects.count() == 0
    good = f"주민등록번호,출산예정일,등록일,출산일\n{rrn},2026-09-14,2026-03-02,2026-09-10\n".encode("cp949")
    assert (
        nurse.post("/outreach/pregnancies/", {"file": SimpleUploadedFile("p.csv", good)}).status_code == 302
    )
    assert list(PregnancyRegistration.objects.values_list("resident_id", "delivered_on")) == [
        (mother.pk, dt.date(2026, 9, 10))
    ]


def test_template_page(w, login_client):
    from chatdong.outreach.models import MessageTemplate

    client = login_client(w.users[Role.DONG_HEAD])
    assert client.get("/outreach/templates/").status_code == 200
    data = {
        "code": "visit-notice",
        "name": "방문 사전안내",
        "body": "{이름}님, {방문예정일}에 찾아뵙겠습니다.",
        "active": "on",
    }
    assert client.post("/outreach/templates/", data).status_code == 302
    assert MessageTemplate.objects.get(district=w.district, code="visit-notice").body == data["body"]
    bad = client.post("/outreach/templates/", data | {"body": "{성함}님"})
    assert bad.status_code == 200 and "알 수 없는 자리표시: {성함}" in bad.content.decode()
    before = _state()
    assert (
        login_client(w.users[Role.PLANNER_ELDER])
        .post("/outreach/templates/", data | {"body": "x"})
        .status_code
        == 403
    )
    assert _state() == before
    assert MessageTemplate.objects.get(district=w.district, code="visit-notice").body == data["body"]
