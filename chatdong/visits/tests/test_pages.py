"""Visit pages: the day (grouped, walking order, kit, one tap), a visit's record with the forms, the
follow-up SBQ-R, the infant nurse's due list, the schedule editor and the calendar feed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
import pytest
from django.test import Client
from django.urls import reverse

from chatdong.accounts.models import Role
from chatdong.audit.models import AccessLog
from chatdong.outreach.models import Target
from chatdong.referrals.models import Referral
from chatdong.testing.factories import BanFactory, HouseholdFactory
from chatdong.visits import services
from chatdong.visits.models import CalendarFeed, HealthAssessment, HomeVisitScheduleItem, Screening, Visit
from chatdong.visits.tests.conftest import TODAY, make_target, make_visit, resident
from chatdong.visits.tests.test_scoring import gds, phq

pytestmark = pytest.mark.django_db


def resident_at(vw, tong: int, ban: int, road: str, main: int, name: str):
    from chatdong.accounts.models import Ban, Tong

    tong_obj, _ = Tong.objects.get_or_create(dong=vw.w.dong_a, number=tong)
    ban_obj = Ban.objects.filter(tong=tong_obj, number=ban).first() or BanFactory(tong=tong_obj, number=ban)
    household = HouseholdFactory(ban=ban_obj, road_name=road, building_main=main)
    return resident(household=household, name=name)


def test_today_groups_by_tong_ban_in_walking_order_with_the_kit(vw, login_client) -> None:
    for tong, ban, road, main, name in [
        (2, 1, "나로", 9, "박둘"),
        (1, 2, "가로", 30, "이셋"),
        (1, 2, "가로", 4, "최넷"),
    ]:
        make_visit(make_target(vw.program, resident_at(vw, tong, ban, road, main, name)), vw.planner)
    make_visit(
        make_target(vw.program, resident_at(vw, 1, 1, "가로", 2, "내일")),
        vw.planner,
        day=TODAY + dt.timedelta(days=1),
    )
    make_visit(make_target(vw.program, resident_at(vw, 1, 1, "가로", 3, "남의것")), vw.nurse)
    response = login_client(vw.planner).get(reverse("visits:today"))
    assert response.status_code == 200
    plan = response.context["plan"]
    assert [(g.label, [r.visit.resident.name for r in g.rows]) for g in plan.groups] == [
        ("1통 1반", ["김가일"]),
        ("1통 2반", ["최넷", "이셋"]),
        ("2통 1반", ["박둘"]),
    ]
    assert plan.kit == ["복지서비스 안내 리플릿", "GDS-15 평가지", "방문 동의서"]
    body = response.content.decode()
    assert (
        "챙길 것 (3)" in body and 'hx-post="/visits/' in body and "남의것" not in body and "내일" not in body
    )
    log = AccessLog.objects.get()
    assert (log.action, log.object_type, log.object_id) == ("search", "visit_day", "2026-11-23")
    assert sorted(log.subjects) == sorted(r.visit.resident_id for g in plan.groups for r in g.rows)


def test_the_nurses_kit_has_the_blood_pressure_meter(vw, login_client) -> None:
    make_visit(make_target(vw.program, vw.w.r_z2), vw.nurse)
    plan = login_client(vw.nurse).get(reverse("visits:today")).context["plan"]
    assert plan.kit == ["복지서비스 안내 리플릿", "GDS-15 평가지", "방문 동의서", "혈압계"]


def test_a_district_sets_the_kit_of_a_program(vw, login_client) -> None:
    vw.program.rule = {"bring": ["명함", "안내문"]}
    vw.program.save()
    plan = login_client(vw.planner).get(reverse("visits:today")).context["plan"]
    assert plan.kit == ["명함", "안내문"]


def test_one_tap_records_an_outcome_and_returns_the_row(vw, login_client) -> None:
    client = login_client(vw.planner)
    response = client.post(
        reverse("visits:outcome", args=[vw.visit.pk]), {"outcome": "absent"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.templates[0].name == "visits/_day_row.html"
    assert "<strong>부재</strong>" in response.content.decode()
    vw.visit.refresh_from_db()
    assert vw.visit.outcome == "absent"


@pytest.mark.parametrize(
    ("role", "status"), [(Role.VISITING_NURSE, 404), (Role.SUPERVISOR, 403), (Role.DONG_HEAD, 403)]
)
def test_one_tap_on_someone_elses_visit_changes_nothing(vw, login_client, role, status) -> None:
    response = login_client(vw.user(role)).post(
        reverse("visits:outcome", args=[vw.visit.pk]), {"outcome": "visited"}
    )
    assert response.status_code == status
    vw.visit.refresh_from_db()
    assert (vw.visit.outcome, AccessLog.objects.count()) == ("planned", 0)


@pytest.mark.parametrize(
    "role", [Role.OFFICER, Role.COUNSELOR, Role.HEALTH_MEDICAL, Role.ADMIN, Role.AGENCY_WORKER]
)
def test_the_day_is_for_visitors_only(vw, login_client, role) -> None:
    assert login_client(vw.user(role)).get(reverse("visits:today")).status_code == 403
    assert AccessLog.objects.count() == 0


def post_record(client: Client, visit: Visit, data: dict) -> Any:
    return client.post(reverse("visits:detail", args=[visit.pk]), data)


def test_record_a_visit_with_a_positive_phq9_on_the_page(vw, login_client) -> None:
    client = login_client(vw.planner)
    page = client.get(reverse("visits:detail", args=[vw.visit.pk]))
    assert page.status_code == 200
    assert "우울 선별(PHQ-9)" in page.content.decode()
    data = {
        "outcome": "visited",
        "notes": "우울감 호소",
        "need_health": "on",
        "need_note_health": "정신건강 상담",
    }
    data |= {f"s_phq9_{n}": str(a) for n, a in enumerate(phq(14), start=1)}
    response = post_record(client, vw.visit, data)
    assert response.status_code == 302
    screening = Screening.objects.get()
    referral = Referral.objects.get()
    assert (screening.score, screening.positive, referral.source_id, referral.to_kind) == (
        14,
        True,
        screening.pk,
        "health",
    )
    shown = client.get(reverse("visits:detail", args=[vw.visit.pk])).content.decode()
    assert f"의뢰 {referral.pk}번을 보건소 의약과에 보냈습니다(회신 기한 2026-11-26)." in shown
    assert "<strong>14점</strong> 중간 정도 우울" in shown
    actions = list(AccessLog.objects.order_by("id").values_list("action", "object_type"))
    assert ("view", "visit_health") in actions


def test_an_incomplete_screening_keeps_the_answers_and_writes_nothing(vw, login_client) -> None:
    data = {"outcome": "visited", "s_phq9_1": "2", "s_phq9_2": "3"}
    response = post_record(login_client(vw.planner), vw.visit, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "9번 문항의 답을 고르세요." in body
    assert 'id="s_phq9_2_3" name="s_phq9_2" value="3" checked' in body
    vw.visit.refresh_from_db()
    assert (vw.visit.outcome, Screening.objects.count()) == ("planned", 0)


def test_gds15_prompts_the_sbqr_and_it_is_saved(vw, login_client) -> None:
    client = login_client(vw.planner)
    data = {"outcome": "visited"} | {f"s_gds15_{n}": str(a) for n, a in enumerate(gds(11), start=1)}
    post_record(client, vw.visit, data)
    page = client.get(reverse("visits:detail", args=[vw.visit.pk])).content.decode()
    assert "SBQ-R 추가 평가가 필요합니다" in page
    answers = {f"s_sbqr_{n}": str(a) for n, a in enumerate([2, 2, 1, 1], start=1)}
    response = client.post(reverse("visits:screening_add", args=[vw.visit.pk]), {"kind": "sbqr", **answers})
    assert response.status_code == 302
    assert list(Screening.objects.order_by("id").values_list("kind", "score")) == [("gds15", 11), ("sbqr", 6)]
    assert (
        "SBQ-R 추가 평가가 필요합니다"
        not in client.get(reverse("visits:detail", args=[vw.visit.pk])).content.decode()
    )


def test_the_nurse_records_the_health_assessment_on_the_page(vw, login_client) -> None:
    visit = make_visit(make_target(vw.program, vw.w.r_z2), vw.nurse)
    data = {
        "outcome": "visited",
        "bp_systolic": "150",
        "bp_diastolic": "95",
        "glucose": "140",
        "glucose_kind": "random",
        "chronic": ["hypertension"],
        "health_check_done": "true",
        "health_check_year": "2025",
        "frailty_score": "3",
    }
    assert post_record(login_client(vw.nurse), visit, data).status_code == 302
    saved = HealthAssessment.objects.get()
    assert (
        saved.bp_systolic,
        saved.glucose_kind,
        saved.chronic,
        saved.health_check_done,
        saved.frailty_score,
    ) == (
        150,
        "random",
        ["hypertension"],
        True,
        3,
    )


def test_health_data_is_hidden_from_the_team_leader_but_shown_to_the_supervisor(vw, login_client) -> None:
    services.visit_record(actor=vw.planner, visit=vw.visit, outcome="visited", screenings=[("phq9", phq(16))])
    AccessLog.objects.all().delete()
    leader = (
        login_client(vw.user(Role.TEAM_LEADER))
        .get(reverse("visits:detail", args=[vw.visit.pk]))
        .content.decode()
    )
    assert "16점" not in leader and "마음건강 평가 1건이 있습니다" in leader
    assert list(AccessLog.objects.values_list("object_type", flat=True)) == ["visit"]
    supervisor = (
        login_client(vw.user(Role.SUPERVISOR))
        .get(reverse("visits:detail", args=[vw.visit.pk]))
        .content.decode()
    )
    assert "<strong>16점</strong>" in supervisor
    assert list(AccessLog.objects.order_by("id").values_list("object_type", flat=True)) == [
        "visit",
        "visit",
        "visit_health",
    ]


@pytest.mark.parametrize("who", ["planner_b", "staff_x", "counselor", "officer"])
def test_a_visit_out_of_scope_is_404_and_not_logged(vw, login_client, who) -> None:
    user = {
        "planner_b": vw.w.planner_b,
        "staff_x": vw.w.staff_x,
        "counselor": vw.user(Role.COUNSELOR),
        "officer": vw.user(Role.OFFICER),
    }[who]
    client = login_client(user)
    assert client.get(reverse("visits:detail", args=[vw.visit.pk])).status_code == 404
    assert post_record(client, vw.visit, {"outcome": "visited"}).status_code == 404
    vw.visit.refresh_from_db()
    assert (vw.visit.outcome, AccessLog.objects.count()) == ("planned", 0)


def test_a_visit_page_opens_a_case_and_a_referral(vw, login_client) -> None:
    services.visit_record(actor=vw.planner, visit=vw.visit, outcome="visited")
    client = login_client(vw.planner)
    assert (
        client.post(reverse("visits:case", args=[vw.visit.pk]), {"summary": "긴급복지 검토"}).status_code
        == 302
    )
    response = client.post(
        reverse("visits:refer", args=[vw.visit.pk]),
        {
            "to_kind": "staff",
            "to_user": str(vw.user(Role.COUNSELOR).pk),
            "need_category": "daily_living",
            "summary": "기초연금 신청 안내",
        },
    )
    assert response.status_code == 302
    from chatdong.cases.models import Case

    assert Case.objects.get().source_id == vw.visit.pk
    assert Referral.objects.get().to_user == vw.user(Role.COUNSELOR)


def test_plan_page_plans_a_joint_visit(vw, login_client) -> None:
    target = make_target(vw.program, vw.w.r_z2, assignee=vw.planner)
    client = login_client(vw.planner)
    assert client.get(reverse("visits:plan")).status_code == 200
    response = client.post(
        reverse("visits:plan"),
        {"target": str(target.pk), "scheduled_on": "2026-11-25", "co_staff": str(vw.nurse.pk)},
    )
    assert response.status_code == 302
    visit = Visit.objects.get(target=target)
    assert (visit.scheduled_on, visit.co_staff) == (dt.date(2026, 11, 25), vw.nurse)


def test_plan_page_does_not_reach_targets_of_another_dong(vw, login_client) -> None:
    target = make_target(vw.program, vw.w.r_b)
    response = login_client(vw.planner).post(
        reverse("visits:plan"), {"target": str(target.pk), "scheduled_on": "2026-11-25"}
    )
    assert response.status_code == 404
    assert Visit.objects.filter(target=target).count() == 0


# --- 서울아기 건강첫걸음 ------------------------------------------------------------------------------


def test_default_schedule_is_one_universal_and_22_sustained_visits(vw, login_client) -> None:
    response = login_client(vw.user(Role.INFANT_NURSE)).get(reverse("visits:schedule"))
    assert response.status_code == 200
    items = HomeVisitScheduleItem.objects.filter(schedule__district=vw.w.district)
    assert items.filter(track="universal").count() == 1
    assert items.filter(track="sustained").count() == 22
    assert items.filter(track="sustained", anchor="expected_delivery").count() == 3
    universal = items.get(track="universal")
    assert (universal.anchor, universal.offset_days, universal.window_days) == ("birth", 0, 28)
    assert response.context["can_edit"] is False


def test_district_staff_edit_the_schedule(vw, login_client) -> None:
    client = login_client(vw.user(Role.DISTRICT_STAFF))
    client.get(reverse("visits:schedule"))
    items = list(HomeVisitScheduleItem.objects.order_by("order"))
    data: dict[str, str] = {}
    for n, item in enumerate(items):
        data |= {
            f"item-{n}-id": str(item.pk),
            f"item-{n}-label": item.label,
            f"item-{n}-track": item.track,
            f"item-{n}-anchor": item.anchor,
            f"item-{n}-offset_days": str(item.offset_days),
            f"item-{n}-window_days": str(item.window_days),
        }
    data[f"item-{len(items) - 1}-delete"] = "on"
    n = len(items)
    data |= {
        f"item-{n}-id": "",
        f"item-{n}-label": "생후 30개월",
        f"item-{n}-track": "sustained",
        f"item-{n}-anchor": "birth",
        f"item-{n}-offset_days": "900",
        f"item-{n}-window_days": "28",
    }
    n += 1
    data |= {
        f"item-{n}-id": "",
        f"item-{n}-label": "생후 36개월",
        f"item-{n}-track": "sustained",
        f"item-{n}-anchor": "birth",
        f"item-{n}-offset_days": "1090",
        f"item-{n}-window_days": "28",
    }
    response = client.post(reverse("visits:schedule"), data)
    assert response.status_code == 302
    assert (
        HomeVisitScheduleItem.objects.filter(track="sustained").count() == 23
    )  # 22 − 1 + 2 (e.g. 25 in all is data)
    assert list(HomeVisitScheduleItem.objects.order_by("-order").values_list("label", flat=True)[:2]) == [
        "생후 36개월",
        "생후 30개월",
    ]
    assert HomeVisitScheduleItem.objects.get(pk=items[0].pk).order == 1


@pytest.mark.parametrize("role", [Role.INFANT_NURSE, Role.SUPERVISOR, Role.DONG_HEAD])
def test_schedule_edit_is_refused_to_dong_roles(vw, login_client, role) -> None:
    client = login_client(vw.user(role))
    client.get(reverse("visits:schedule"))
    item = HomeVisitScheduleItem.objects.order_by("order").first()
    assert item is not None
    response = client.post(
        reverse("visits:schedule"),
        {
            "item-0-id": str(item.pk),
            "item-0-label": "바뀜",
            "item-0-track": "universal",
            "item-0-anchor": "birth",
            "item-0-offset_days": "0",
            "item-0-window_days": "28",
        },
    )
    assert response.status_code == 403
    assert HomeVisitScheduleItem.objects.count() == 23
    assert HomeVisitScheduleItem.objects.get(pk=item.pk).label == "보편 방문(출생 후 4주 이내)"


def test_infant_list_shows_due_and_overdue_visits(vw, login_client) -> None:
    nurse = vw.user(Role.INFANT_NURSE)
    baby_due = resident(household=vw.w.hh_z2, name="아기하나", birth_date=TODAY - dt.timedelta(days=10))
    baby_late = resident(household=vw.w.hh_a_free, name="아기둘", birth_date=TODAY - dt.timedelta(days=40))
    baby_seen = resident(household=vw.w.hh_z2, name="아기셋", birth_date=TODAY - dt.timedelta(days=20))
    resident(
        household=vw.w.hh_z2, name="아기넷", birth_date=TODAY + dt.timedelta(days=3)
    )  # not born: no target
    t_due = make_target(vw.infant_program, baby_due, assignee=nurse)
    t_late = make_target(vw.infant_program, baby_late)
    t_seen = make_target(vw.infant_program, baby_seen, assignee=nurse)
    universal = services.schedule_ensure(district=vw.w.district).items.get(track="universal")
    seen = make_visit(t_seen, nurse, day=TODAY)
    Visit.objects.filter(pk=seen.pk).update(schedule_item=universal, outcome="visited")
    response = login_client(nurse).get(reverse("visits:infant"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r.target.pk, [(d.item.label, d.due_on, d.overdue) for d in r.due]) for r in rows] == [
        (t_due.pk, [("보편 방문(출생 후 4주 이내)", TODAY + dt.timedelta(days=18), False)]),
        (t_late.pk, [("보편 방문(출생 후 4주 이내)", TODAY - dt.timedelta(days=12), True)]),
    ]
    assert "지남" in response.content.decode()
    assert AccessLog.objects.get().object_type == "infant_due_list"
    Target.objects.filter(pk=t_late.pk).update(assignee=vw.user(Role.VISITING_NURSE))
    assert [r.target.pk for r in login_client(nurse).get(reverse("visits:infant")).context["rows"]] == [
        t_due.pk
    ]


def test_sustained_programme_items_show_once_the_family_is_on_it(vw, login_client) -> None:
    nurse = vw.user(Role.INFANT_NURSE)
    baby = resident(household=vw.w.hh_z2, name="아기지속", birth_date=TODAY - dt.timedelta(days=15))
    target = make_target(vw.infant_program, baby, assignee=nurse)
    schedule = services.schedule_ensure(district=vw.w.district)
    week1 = schedule.items.get(label="생후 1주")
    first = make_visit(target, nurse)
    Visit.objects.filter(pk=first.pk).update(schedule_item=week1, outcome="visited")
    rows = login_client(nurse).get(reverse("visits:infant")).context["rows"]
    assert [(d.item.label, d.overdue) for d in rows[0].due] == [
        ("보편 방문(출생 후 4주 이내)", False),
        ("생후 2주", False),
    ]


@pytest.mark.parametrize("role", [Role.PLANNER_ELDER, Role.VISITING_NURSE, Role.HEALTH_MEDICAL, Role.OFFICER])
def test_infant_list_is_refused_to_other_roles(vw, login_client, role) -> None:
    assert login_client(vw.user(role)).get(reverse("visits:infant")).status_code == 403
    assert AccessLog.objects.count() == 0


# --- calendar feed ----------------------------------------------------------------------------------


def test_calendar_feed_without_session_and_without_names(vw, login_client) -> None:
    response = login_client(vw.planner).post(reverse("visits:calendar"), {"action": "create"})
    url = response.context["feed_url"]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get()
    assert feed.token_hash != token and len(feed.token_hash) == 64
    answer = Client().get(reverse("visits:feed", args=[token]))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(answer.content)
    events = [c for c in calendar.walk("VEVENT")]
    assert [(str(e["summary"]), e.decoded("dtstart")) for e in events] == [
        ("방문 1통 1반 · 어르신 복지플래너", TODAY)
    ]
    assert "김가일" not in answer.content.decode() and "가로" not in answer.content.decode()
    assert AccessLog.objects.count() == 0


def test_a_new_or_revoked_feed_url_stops_the_old_one(vw, login_client) -> None:
    client = login_client(vw.planner)
    first = (
        client.post(reverse("visits:calendar"), {"action": "create"}).context["feed_url"].rsplit("/", 1)[1]
    )
    second = (
        client.post(reverse("visits:calendar"), {"action": "create"}).context["feed_url"].rsplit("/", 1)[1]
    )
    assert Client().get(f"/visits/calendar/{first}").status_code == 404
    assert Client().get(f"/visits/calendar/{second}").status_code == 200
    client.post(reverse("visits:calendar"), {"action": "revoke"})
    assert Client().get(f"/visits/calendar/{second}").status_code == 404
    assert Client().get("/visits/calendar/guess.ics").status_code == 404


def test_a_deactivated_account_s_feed_stops(vw, login_client) -> None:
    url = login_client(vw.planner).post(reverse("visits:calendar"), {"action": "create"}).context["feed_url"]
    vw.planner.is_active = False
    vw.planner.save()
    assert Client().get(url).status_code == 404


@pytest.mark.parametrize("role", [Role.OFFICER, Role.HEALTH_MEDICAL, Role.TEAM_LEADER])
def test_calendar_feed_is_for_visitors(vw, login_client, role) -> None:
    assert (
        login_client(vw.user(role)).post(reverse("visits:calendar"), {"action": "create"}).status_code == 403
    )
    assert CalendarFeed.objects.count() == 0


def test_planning_from_the_infant_list_links_the_item_and_takes_it_off_the_list(vw, login_client) -> None:
    nurse = vw.user(Role.INFANT_NURSE)
    baby = resident(household=vw.w.hh_z2, name="아기계획", birth_date=TODAY - dt.timedelta(days=5))
    target = make_target(vw.infant_program, baby, assignee=nurse)
    client = login_client(nurse)
    row = client.get(reverse("visits:infant")).context["rows"][0]
    item = row.due[0].item
    assert f"?target={target.pk}&amp;item={item.pk}" in client.get(reverse("visits:infant")).content.decode()
    response = client.post(
        reverse("visits:plan"), {"target": str(target.pk), "item": str(item.pk), "scheduled_on": "2026-11-25"}
    )
    assert response.status_code == 302
    visit = Visit.objects.get(target=target)
    assert (visit.schedule_item, visit.due_on) == (item, TODAY + dt.timedelta(days=23))  # birth + 28 days
    assert client.get(reverse("visits:infant")).context["rows"] == []
