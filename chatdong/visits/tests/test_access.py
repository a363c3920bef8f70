"""Who may see and do what with visits, for every role (the shared world: 동 roles in 동 A, district
roles in 성북구). Each denied request also changes nothing and logs nothing."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from chatdong.accounts.models import Role
from chatdong.audit.models import AccessLog
from chatdong.referrals.models import Referral
from chatdong.testing.api import bearer_client
from chatdong.testing.world import ROLES
from chatdong.visits import services
from chatdong.visits.models import HealthAssessment, HomeVisitScheduleItem, Screening, Visit
from chatdong.visits.tests.conftest import make_target, make_visit
from chatdong.visits.tests.test_scoring import phq

pytestmark = pytest.mark.django_db

R = Role
OVERSIGHT = {R.DONG_HEAD, R.TEAM_LEADER, R.SUPERVISOR}
VISITORS = {
    R.PLANNER_ELDER,
    R.PLANNER_CHILD,
    R.PLANNER_POVERTY,
    R.PLANNER_YOUTH,
    R.VISITING_NURSE,
    R.INFANT_NURSE,
}

# The planner's recorded visit (with a positive PHQ-9 referred to 의약과): who sees it.
SEES_PLANNER_VISIT = {R.PLANNER_ELDER, *OVERSIGHT, R.DISTRICT_STAFF}
# Its screening (민감정보): the visitor, the 동's nurses and supervisor, and 의약과 (referred).
SEES_SCREENING = {R.PLANNER_ELDER, R.VISITING_NURSE, R.INFANT_NURSE, R.SUPERVISOR, R.HEALTH_MEDICAL}
# The nurse's health assessment: the nurse, the 동's other nurse and the supervisor.
SEES_HEALTH = {R.VISITING_NURSE, R.INFANT_NURSE, R.SUPERVISOR}
LISTS_VISITS = {*VISITORS, *OVERSIGHT, R.DISTRICT_STAFF}


@pytest.fixture
def acc(vw):
    services.visit_record(actor=vw.planner, visit=vw.visit, outcome="visited", screenings=[("phq9", phq(12))])
    nurse_visit = make_visit(make_target(vw.program, vw.w.r_z2, assignee=vw.nurse), vw.nurse)
    services.visit_record(
        actor=vw.nurse, visit=nurse_visit, outcome="visited", health={"bp_systolic": 130, "bp_diastolic": 80}
    )
    planned = make_visit(make_target(vw.program, vw.w.r_a_free, assignee=vw.planner), vw.planner)
    services.schedule_ensure(district=vw.w.district)
    AccessLog.objects.all().delete()
    return {
        "vw": vw,
        "visit": vw.visit,
        "nurse_visit": nurse_visit,
        "planned": planned,
        "screening": Screening.objects.get(),
        "referral": Referral.objects.get(),
    }


def state() -> tuple:
    return (
        list(Visit.objects.order_by("id").values_list("outcome", flat=True)),
        Screening.objects.count(),
        HealthAssessment.objects.count(),
        list(HomeVisitScheduleItem.objects.order_by("id").values_list("label", "offset_days")),
        AccessLog.objects.count(),
    )


def _expect(role: Role, allowed: set, denied: int = 404) -> int:
    return 200 if role in allowed else denied


@pytest.mark.parametrize("role", ROLES)
def test_visit_page(acc, login_client, role) -> None:
    client = login_client(acc["vw"].user(role))
    expected = _expect(role, SEES_PLANNER_VISIT)
    response = client.get(reverse("visits:detail", args=[acc["visit"].pk]))
    assert response.status_code == expected
    logged = list(AccessLog.objects.values_list("object_type", flat=True).order_by("id"))
    assert (
        logged == {200: ["visit", "visit_health"] if role in SEES_SCREENING else ["visit"], 404: []}[expected]
    )


@pytest.mark.parametrize("role", ROLES)
def test_screening_api(acc, role) -> None:
    user = acc["vw"].user(role)
    response = bearer_client(user).get(f"/api/v1/screenings/{acc['screening'].pk}")
    assert response.status_code == _expect(role, SEES_SCREENING)
    assert AccessLog.objects.filter(object_type="screening").count() == (1 if role in SEES_SCREENING else 0)


@pytest.mark.parametrize("role", ROLES)
def test_screening_for_referral(acc, role) -> None:
    from chatdong.visits.selectors import screening_for_referral

    user = acc["vw"].user(role)
    summary = screening_for_referral(user=user, referral=acc["referral"])
    expected = (
        {
            "평가 도구": "우울 선별(PHQ-9)",
            "총점": "12점",
            "판정": "중간 정도 우울 · 양성",
            "긴급": "아니오",
            "평가일": summary["평가일"] if summary else "",
            "평가자": "어르신 복지플래너 직원",
            "문항별 점수": "1:3 · 2:3 · 3:3 · 4:3 · 5:0 · 6:0 · 7:0 · 8:0 · 9:0",
        }
        if role in SEES_SCREENING
        else None
    )
    assert summary == expected
    assert AccessLog.objects.filter(object_type="screening").count() == (1 if role in SEES_SCREENING else 0)


@pytest.mark.parametrize("role", ROLES)
def test_health_assessment_api(acc, role) -> None:
    response = bearer_client(acc["vw"].user(role)).get(
        f"/api/v1/visits/{acc['nurse_visit'].pk}/health-assessment"
    )
    assert response.status_code == _expect(role, SEES_HEALTH)
    assert AccessLog.objects.filter(object_type="health_assessment").count() == (
        1 if role in SEES_HEALTH else 0
    )


@pytest.mark.parametrize("role", ROLES)
def test_visit_list_api(acc, role) -> None:
    response = bearer_client(acc["vw"].user(role)).get("/api/v1/visits")
    assert response.status_code == _expect(role, LISTS_VISITS, 403)


def _record(acc, role: Role):
    return bearer_client(acc["vw"].user(role)).post(
        f"/api/v1/visits/{acc['planned'].pk}/record",
        json.dumps({"outcome": "absent"}),
        content_type="application/json",
    )


def test_record_api_by_the_visitor(acc) -> None:
    response = _record(acc, R.PLANNER_ELDER)
    assert response.status_code == 200
    assert (response.json()["visit"]["outcome"], response.json()["target_status"]) == ("absent", "")


# 동 managers and 구 사업담당 see the visit but may not record it (403); everyone else does not see it (404).
RECORD_DENIED = [
    (role, 403 if role in (OVERSIGHT | {R.DISTRICT_STAFF}) else 404)
    for role in ROLES
    if role != R.PLANNER_ELDER
]


@pytest.mark.parametrize(("role", "status"), RECORD_DENIED)
def test_record_api_denied_changes_nothing(acc, role, status) -> None:
    before = state()
    assert _record(acc, role).status_code == status
    assert state() == before


def _schedule_put(acc, role: Role):
    item = HomeVisitScheduleItem.objects.order_by("order").first()
    assert item is not None
    body = {
        "items": [
            {
                "id": item.pk,
                "label": "보편 방문",
                "track": "universal",
                "anchor": "birth",
                "offset_days": 0,
                "window_days": 28,
            }
        ]
    }
    return bearer_client(acc["vw"].user(role)).put(
        "/api/v1/home-visit-schedule", json.dumps(body), content_type="application/json"
    )


@pytest.mark.parametrize("role", [R.DISTRICT_STAFF, R.HEALTH_MEDICAL])
def test_schedule_edit_api(acc, role) -> None:
    response = _schedule_put(acc, role)
    assert response.status_code == 200
    assert [i["label"] for i in response.json()["items"]] == ["보편 방문"]
    assert AccessLog.objects.get().object_type == "home_visit_schedule"


SCHEDULE_DENIED = [
    (role, 404 if role == R.AGENCY_WORKER else 403)
    for role in ROLES
    if role not in (R.DISTRICT_STAFF, R.HEALTH_MEDICAL)
]


@pytest.mark.parametrize(("role", "status"), SCHEDULE_DENIED)
def test_schedule_edit_api_denied_changes_nothing(acc, role, status) -> None:
    before = state()
    assert _schedule_put(acc, role).status_code == status
    assert state() == before


@pytest.mark.parametrize("role", ROLES)
def test_day_page(acc, login_client, role) -> None:
    response = login_client(acc["vw"].user(role)).get(reverse("visits:today"))
    assert response.status_code == _expect(role, VISITORS, 403)


@pytest.mark.parametrize("role", ROLES)
def test_list_page(acc, login_client, role) -> None:
    response = login_client(acc["vw"].user(role)).get(reverse("visits:list"))
    assert response.status_code == _expect(role, LISTS_VISITS, 403)


@pytest.mark.parametrize("role", ROLES)
def test_plan_page(acc, login_client, role) -> None:
    response = login_client(acc["vw"].user(role)).get(reverse("visits:plan"))
    assert response.status_code == _expect(role, VISITORS | OVERSIGHT, 403)


def test_other_district_sees_nothing(acc, login_client) -> None:
    staff_x = acc["vw"].w.staff_x
    assert login_client(staff_x).get(reverse("visits:detail", args=[acc["visit"].pk])).status_code == 404
    assert bearer_client(staff_x).get(f"/api/v1/screenings/{acc['screening'].pk}").status_code == 404
    assert bearer_client(staff_x).get("/api/v1/visits").json()["count"] == 0
    assert AccessLog.objects.count() == 0


def test_a_planner_lists_only_her_own_visits(acc) -> None:
    vw = acc["vw"]
    make_visit(make_target(vw.program, vw.w.r_z1_child), vw.nurse)  # the nurse's, same 동
    ids = [v["id"] for v in bearer_client(vw.planner).get("/api/v1/visits").json()["items"]]
    assert sorted(ids) == sorted([acc["visit"].pk, acc["planned"].pk])
    leader_ids = [
        v["id"] for v in bearer_client(vw.user(R.TEAM_LEADER)).get("/api/v1/visits").json()["items"]
    ]
    assert len(leader_ids) == 4


@pytest.mark.parametrize(
    "name",
    ["visits:today", "visits:list", "visits:plan", "visits:infant", "visits:schedule", "visits:calendar"],
)
def test_pages_without_login_go_to_the_login_page(acc, client, name) -> None:
    before = state()
    response = client.get(reverse(name))
    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/accounts/login/")
    assert state() == before


def test_posts_without_login_change_nothing(acc, client) -> None:
    before = state()
    for name in ("visits:detail", "visits:outcome", "visits:screening_add", "visits:case", "visits:refer"):
        response = client.post(
            reverse(name, args=[acc["planned"].pk]), {"outcome": "visited", "kind": "phq9"}
        )
        assert (response.status_code, response["Location"].split("?")[0]) == (302, "/accounts/login/")
    assert state() == before


def _url(acc, path: str) -> str:
    return path.format(**{k: getattr(v, "pk", None) for k, v in acc.items()})


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/visits",
        "/api/v1/visits/{visit}",
        "/api/v1/screenings/{screening}",
        "/api/v1/referrals/{referral}/screening",
        "/api/v1/visits/{nurse_visit}/health-assessment",
        "/api/v1/home-visit-schedule",
    ],
)
def test_api_reads_without_a_token_are_401(acc, client, path) -> None:
    before = state()
    assert client.get(_url(acc, path)).status_code == 401
    assert state() == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/visits"),
        ("post", "/api/v1/visits/{planned}/record"),
        ("post", "/api/v1/visits/{visit}/screenings"),
        ("put", "/api/v1/visits/{nurse_visit}/health-assessment"),
        ("put", "/api/v1/home-visit-schedule"),
    ],
)
def test_api_writes_without_a_token_are_401(acc, client, method, path) -> None:
    before = state()
    response = getattr(client, method)(_url(acc, path), "{}", content_type="application/json")
    assert response.status_code == 401
    assert state() == before
