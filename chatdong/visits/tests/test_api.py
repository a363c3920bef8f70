"""The visits API: plan, record with forms, screenings scored on the server, health assessments, the
서울아기 schedule — success and denied-with-nothing-changed."""

from __future__ import annotations

import json

import pytest

from chatdong.accounts.models import Role
from chatdong.audit.models import AccessLog
from chatdong.referrals.models import Referral
from chatdong.testing.api import bearer_client
from chatdong.visits import services
from chatdong.visits.models import HealthAssessment, Screening, Visit
from chatdong.visits.tests.conftest import make_target
from chatdong.visits.tests.test_scoring import gds, phq

pytestmark = pytest.mark.django_db


def post(client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_plan_a_visit(vw) -> None:
    target = make_target(vw.program, vw.w.r_z2, assignee=vw.planner)
    response = post(
        bearer_client(vw.planner),
        "/api/v1/visits",
        {"target_id": target.pk, "scheduled_on": "2026-11-24", "co_staff_id": vw.nurse.pk},
    )
    assert response.status_code == 201
    body = response.json()
    assert (
        body["target_id"],
        body["scheduled_on"],
        body["co_staff"]["id"],
        body["place"],
        body["attempt"],
    ) == (
        target.pk,
        "2026-11-24",
        vw.nurse.pk,
        "1통 2반",
        1,
    )


def test_plan_a_visit_for_a_target_of_another_dong_is_404(vw) -> None:
    target = make_target(vw.program, vw.w.r_b)
    before = Visit.objects.count()
    response = post(
        bearer_client(vw.planner), "/api/v1/visits", {"target_id": target.pk, "scheduled_on": "2026-11-24"}
    )
    assert response.status_code == 404
    assert (Visit.objects.count(), AccessLog.objects.count()) == (before, 0)


def test_plan_by_a_role_without_visits_is_403(vw) -> None:
    before = Visit.objects.count()
    response = post(
        bearer_client(vw.user(Role.COUNSELOR)),
        "/api/v1/visits",
        {"target_id": vw.target.pk, "scheduled_on": "2026-11-24"},
    )
    assert response.status_code == 403
    assert Visit.objects.count() == before


def test_record_with_needs_and_an_urgent_phq9(vw) -> None:
    body = {
        "outcome": "visited",
        "notes": "혼자 지냄",
        "needs": {"daily_living": {"need": True, "note": "반찬"}},
        "screenings": [{"kind": "phq9", "answers": phq(6, item9=1)}],
    }
    response = post(bearer_client(vw.planner), f"/api/v1/visits/{vw.visit.pk}/record", body)
    assert response.status_code == 200
    out = response.json()
    referral = Referral.objects.get()
    assert out["target_status"] == "done"
    assert out["referral_ids"] == [referral.pk]
    screening = out["screenings"][0]
    assert (
        screening["score"],
        screening["band"],
        screening["positive"],
        screening["urgent"],
        screening["referral_id"],
    ) == (
        6,
        "가벼운 우울",
        False,
        True,
        referral.pk,
    )
    assert referral.urgent is True
    detail = bearer_client(vw.planner).get(f"/api/v1/visits/{vw.visit.pk}").json()
    assert detail["needs"] == [{"category": "daily_living", "need": True, "note": "반찬"}]
    assert detail["screening_ids"] == [screening["id"]]
    assert detail["referral_ids"] == [referral.pk]


def test_record_with_wrong_answers_is_422_and_changes_nothing(vw) -> None:
    body = {"outcome": "visited", "screenings": [{"kind": "sbqr", "answers": [0, 1, 1, 0]}]}
    response = post(bearer_client(vw.planner), f"/api/v1/visits/{vw.visit.pk}/record", body)
    assert response.status_code == 422
    assert response.json()["errors"] == {"answers": ["1번 문항의 답을 고르세요."]}
    vw.visit.refresh_from_db()
    assert (vw.visit.outcome, Screening.objects.count(), AccessLog.objects.count()) == ("planned", 0, 0)


def test_screening_after_the_visit(vw) -> None:
    services.visit_record(
        actor=vw.planner, visit=vw.visit, outcome="visited", screenings=[("gds15", gds(12))]
    )
    response = post(
        bearer_client(vw.planner),
        f"/api/v1/visits/{vw.visit.pk}/screenings",
        {"kind": "sbqr", "answers": [2, 2, 1, 1]},
    )
    assert response.status_code == 201
    assert (response.json()["score"], response.json()["band"], response.json()["referral_id"]) == (
        6,
        "위험 낮음",
        None,
    )
    first = Screening.objects.order_by("id").first()
    assert first is not None
    shown = bearer_client(vw.planner).get(f"/api/v1/screenings/{first.pk}").json()
    assert (shown["kind"], shown["score"], shown["follow_up"], shown["answers"]) == (
        "gds15",
        12,
        "sbqr",
        gds(12),
    )


def test_screening_on_a_visit_not_made_is_422(vw) -> None:
    response = post(
        bearer_client(vw.planner),
        f"/api/v1/visits/{vw.visit.pk}/screenings",
        {"kind": "phq9", "answers": phq(3)},
    )
    assert response.status_code == 422
    assert Screening.objects.count() == 0


def test_health_assessment_put_and_get(vw) -> None:
    visit = services.visit_plan(
        actor=vw.nurse, target=make_target(vw.program, vw.w.r_z2), scheduled_on=vw.visit.scheduled_on
    )
    services.visit_record(actor=vw.nurse, visit=visit, outcome="visited")
    body = {
        "bp_systolic": 138,
        "bp_diastolic": 86,
        "chronic": ["arthritis"],
        "falls_last_year": 2,
        "frailty_score": 1,
    }
    response = bearer_client(vw.nurse).put(
        f"/api/v1/visits/{visit.pk}/health-assessment", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200
    got = bearer_client(vw.nurse).get(f"/api/v1/visits/{visit.pk}/health-assessment").json()
    assert (got["bp_systolic"], got["chronic"], got["falls_last_year"], got["nurse"]["id"]) == (
        138,
        ["arthritis"],
        2,
        vw.nurse.pk,
    )


def test_health_assessment_put_by_the_planner_is_refused(vw) -> None:
    visit = services.visit_plan(
        actor=vw.planner,
        target=make_target(vw.program, vw.w.r_z2),
        scheduled_on=vw.visit.scheduled_on,
        co_staff=vw.nurse,
    )
    services.visit_record(actor=vw.planner, visit=visit, outcome="visited")
    response = bearer_client(vw.planner).put(
        f"/api/v1/visits/{visit.pk}/health-assessment",
        json.dumps({"bp_systolic": 120, "bp_diastolic": 80}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert HealthAssessment.objects.count() == 0


def test_schedule_get(vw) -> None:
    response = bearer_client(vw.user(Role.INFANT_NURSE)).get("/api/v1/home-visit-schedule")
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == 23
    assert items[0] == {
        "id": items[0]["id"],
        "label": "보편 방문(출생 후 4주 이내)",
        "track": "universal",
        "anchor": "birth",
        "offset_days": 0,
        "window_days": 28,
    }


def test_schedule_put_validation(vw) -> None:
    client = bearer_client(vw.user(Role.DISTRICT_STAFF))
    client.get("/api/v1/home-visit-schedule")
    body = {
        "items": [{"label": "", "track": "universal", "anchor": "birth", "offset_days": 0, "window_days": 0}]
    }
    response = client.put("/api/v1/home-visit-schedule", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"] == {"items.1": ["방문 이름을 적으세요.", "기한(1~365일)을 적으세요."]}
