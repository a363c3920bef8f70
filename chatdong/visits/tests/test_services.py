"""Planning and recording visits: outcomes, attempts and the supervisors' alert, target status, the
forms, screenings that open referrals (business-day due dates, urgent flags and notifications), and
what a visit opens (case, referral, next visit)."""

from __future__ import annotations

import datetime as dt

import pytest

from chatdong.accounts.models import Role
from chatdong.audit.models import AccessLog
from chatdong.cases.models import Case
from chatdong.core.errors import PermissionDenied, ValidationFailed
from chatdong.core.models import Notification
from chatdong.outreach.models import Target
from chatdong.referrals.models import Referral
from chatdong.testing.world import staff_member
from chatdong.visits import services
from chatdong.visits.models import HealthAssessment, NeedItem, Screening, Visit
from chatdong.visits.tests.conftest import TODAY, make_target, make_visit
from chatdong.visits.tests.test_scoring import gds, phq

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int, int]:
    return (
        Visit.objects.count(),
        Screening.objects.count(),
        Referral.objects.count(),
        Notification.objects.count(),
        AccessLog.objects.count(),
    )


# --- planning ---------------------------------------------------------------------------------------


def test_plan_a_joint_visit_with_the_nurse(vw) -> None:
    vw.visit.delete()
    visit = services.visit_plan(
        actor=vw.planner, target=vw.target, scheduled_on=TODAY + dt.timedelta(days=2), co_staff=vw.nurse
    )
    assert (visit.staff, visit.co_staff, visit.attempt, visit.outcome, visit.dong) == (
        vw.planner,
        vw.nurse,
        1,
        "planned",
        vw.w.dong_a,
    )
    assert (visit.resident, visit.household) == (vw.w.r_z1, vw.w.hh_z1)
    log = AccessLog.objects.get()
    assert (log.action, log.object_type, log.subjects) == ("create", "visit", [vw.w.r_z1.pk])


def test_only_one_planned_visit_per_target(vw) -> None:
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        services.visit_plan(actor=vw.planner, target=vw.target, scheduled_on=TODAY)
    assert exc.value.errors == {
        "target": ["이 대상에는 이미 예정된 방문이 있습니다. 그 방문을 기록하거나 날짜를 바꾸세요."]
    }
    assert counts() == before


def test_planner_cannot_plan_for_a_colleague_but_the_team_leader_can(vw) -> None:
    vw.visit.delete()
    with pytest.raises(PermissionDenied):
        services.visit_plan(actor=vw.planner, target=vw.target, scheduled_on=TODAY, staff=vw.nurse)
    assert Visit.objects.count() == 0
    visit = services.visit_plan(
        actor=vw.user(Role.TEAM_LEADER), target=vw.target, scheduled_on=TODAY, staff=vw.nurse
    )
    assert visit.staff == vw.nurse


@pytest.mark.parametrize("who", ["planner_b", "staff_x"])
def test_staff_of_another_dong_cannot_plan(vw, who) -> None:
    vw.visit.delete()
    with pytest.raises(PermissionDenied):
        services.visit_plan(actor=getattr(vw.w, who), target=vw.target, scheduled_on=TODAY)
    assert Visit.objects.count() == 0


def test_plan_refuses_past_days_refused_consent_and_wrong_roles(vw) -> None:
    vw.visit.delete()
    with pytest.raises(ValidationFailed) as exc:
        services.visit_plan(actor=vw.planner, target=vw.target, scheduled_on=TODAY - dt.timedelta(days=1))
    assert exc.value.errors == {"scheduled_on": ["오늘이나 그 뒤의 날짜를 고르세요."]}
    child_planner = vw.user(Role.PLANNER_CHILD)
    with pytest.raises(ValidationFailed) as exc:
        services.visit_plan(actor=child_planner, target=vw.target, scheduled_on=TODAY)
    assert exc.value.errors == {"staff": ["이 사업을 방문하는 역할의 직원이 방문자나 동행자여야 합니다."]}
    Target.objects.filter(pk=vw.target.pk).update(consent="withdrawn")
    vw.target.refresh_from_db()
    with pytest.raises(ValidationFailed) as exc:
        services.visit_plan(actor=vw.planner, target=vw.target, scheduled_on=TODAY)
    assert exc.value.errors == {"target": ["방문을 거부(또는 동의 철회)한 대상입니다."]}
    assert Visit.objects.count() == 0


# --- outcomes ---------------------------------------------------------------------------------------


def test_visited_marks_the_target_done_with_needs(vw) -> None:
    recorded = services.visit_record(
        actor=vw.planner,
        visit=vw.visit,
        outcome="visited",
        notes="독거, 난방비 걱정",
        needs={"housing": {"need": True, "note": "난방"}, "health": {"need": False, "note": ""}},
    )
    vw.visit.refresh_from_db()
    vw.target.refresh_from_db()
    assert (vw.visit.outcome, vw.visit.notes, vw.visit.recorded_by) == (
        "visited",
        "독거, 난방비 걱정",
        vw.planner,
    )
    assert (vw.target.status, recorded.target_status, recorded.next_visit) == ("done", "done", None)
    assert list(NeedItem.objects.values_list("category", "need", "note").order_by("category")) == [
        ("health", False, ""),
        ("housing", True, "난방"),
    ]
    log = AccessLog.objects.get()
    assert (log.action, log.object_type, log.object_id, log.subjects) == (
        "change",
        "visit",
        str(vw.visit.pk),
        [vw.w.r_z1.pk],
    )


def test_visited_with_a_next_visit_keeps_the_target_open(vw) -> None:
    recorded = services.visit_record(
        actor=vw.planner, visit=vw.visit, outcome="visited", next_on=TODAY + dt.timedelta(days=14)
    )
    vw.target.refresh_from_db()
    assert vw.target.status == "open"
    assert recorded.next_visit is not None
    assert (recorded.next_visit.scheduled_on, recorded.next_visit.attempt, recorded.next_visit.outcome) == (
        TODAY + dt.timedelta(days=14),
        1,
        "planned",
    )


@pytest.mark.parametrize("outcome", ["moved", "deceased"])
def test_moved_or_deceased_cancels_the_target(vw, outcome) -> None:
    recorded = services.visit_record(actor=vw.planner, visit=vw.visit, outcome=outcome)
    vw.target.refresh_from_db()
    assert (vw.target.status, recorded.target_status) == ("cancelled", "cancelled")
    assert vw.target.status_note == {"moved": "전출 확인(방문)", "deceased": "사망 확인(방문)"}[outcome]


def test_refused_leaves_the_target_open(vw) -> None:
    services.visit_record(actor=vw.planner, visit=vw.visit, outcome="refused")
    vw.target.refresh_from_db()
    assert vw.target.status == "open"


def test_a_visit_is_recorded_once(vw) -> None:
    services.visit_record(actor=vw.planner, visit=vw.visit, outcome="absent")
    before = counts()
    with pytest.raises(ValidationFailed):
        services.visit_record(actor=vw.planner, visit=vw.visit, outcome="visited")
    assert counts() == before


@pytest.mark.parametrize("who", ["nurse", "team_leader", "supervisor", "planner_b"])
def test_only_the_visitor_or_companion_records(vw, who) -> None:
    actor = {
        "nurse": vw.nurse,
        "team_leader": vw.user(Role.TEAM_LEADER),
        "supervisor": vw.user(Role.SUPERVISOR),
        "planner_b": vw.w.planner_b,
    }[who]
    before = counts()
    with pytest.raises(PermissionDenied):
        services.visit_record(actor=actor, visit=vw.visit, outcome="visited")
    vw.visit.refresh_from_db()
    assert (vw.visit.outcome, counts()) == ("planned", before)


def test_the_companion_records_a_joint_visit(vw) -> None:
    Visit.objects.filter(pk=vw.visit.pk).update(co_staff=vw.nurse)
    vw.visit.refresh_from_db()
    services.visit_record(
        actor=vw.nurse, visit=vw.visit, outcome="visited", health={"bp_systolic": 150, "bp_diastolic": 95}
    )
    assert HealthAssessment.objects.get().nurse == vw.nurse


def test_forms_only_with_a_visited_outcome(vw) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.visit_record(
            actor=vw.planner, visit=vw.visit, outcome="absent", screenings=[("phq9", phq(12))]
        )
    assert exc.value.errors == {"outcome": ["확인표·건강 평가·마음건강 평가는 방문 완료일 때만 기록합니다."]}
    assert counts()[:2] == (1, 0)


# --- attempts ---------------------------------------------------------------------------------------


def test_absent_plans_the_next_attempt_and_the_third_failure_tells_supervisors_once(
    vw, settings, django_capture_on_commit_callbacks
) -> None:
    settings.CHATDONG_VISIT_ATTEMPTS_BEFORE_ALERT = 3
    other_dong_supervisor = staff_member(username="sup-b", role=Role.SUPERVISOR, dong=vw.w.dong_b)
    visit = vw.visit
    for attempt in (1, 2, 3):
        assert visit.attempt == attempt
        with django_capture_on_commit_callbacks(execute=True):
            recorded = services.visit_record(
                actor=vw.planner, visit=visit, outcome="absent", next_on=TODAY + dt.timedelta(days=attempt)
            )
        assert recorded.next_visit is not None
        visit = recorded.next_visit
        if attempt < 3:
            assert Notification.objects.count() == 0
    assert visit.attempt == 4
    told = set(Notification.objects.values_list("user__role", "kind"))
    assert told == {("supervisor", "visit_attempts"), ("team_leader", "visit_attempts")}
    assert not Notification.objects.filter(user=other_dong_supervisor).exists()
    # A fourth failure in the same run does not tell them again.
    with django_capture_on_commit_callbacks(execute=True):
        services.visit_record(actor=vw.planner, visit=visit, outcome="absent")
    assert Notification.objects.count() == 2
    assert Notification.objects.filter(user=vw.user(Role.SUPERVISOR)).get().text == (
        f"방문 {visit.pk - 1}번: 3회 연속 부재입니다. 다른 방법(전화·통반장 동행)을 정해 주세요."
    )


def test_plan_after_absences_continues_the_attempt_count(vw) -> None:
    services.visit_record(actor=vw.planner, visit=vw.visit, outcome="absent")
    visit = services.visit_plan(actor=vw.planner, target=vw.target, scheduled_on=TODAY + dt.timedelta(days=3))
    assert visit.attempt == 2


# --- screenings and referrals ------------------------------------------------------------------------


def test_positive_phq9_opens_a_health_referral_due_in_business_days(
    vw, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        recorded = services.visit_record(
            actor=vw.planner, visit=vw.visit, outcome="visited", screenings=[("phq9", phq(12))]
        )
    screening = Screening.objects.get()
    referral = Referral.objects.get()
    assert (screening.score, screening.band, screening.positive, screening.urgent, screening.referral) == (
        12,
        "중간 정도 우울",
        True,
        False,
        referral,
    )
    assert recorded.referrals == [referral]
    assert (
        referral.to_kind,
        referral.source,
        referral.source_id,
        referral.urgent,
        referral.need_category,
    ) == (
        "health",
        "screening",
        screening.pk,
        False,
        "health",
    )
    assert (referral.resident, referral.dong, referral.sender) == (vw.w.r_z1, vw.w.dong_a, vw.planner)
    assert referral.due_on == dt.date(2026, 11, 26)  # Monday + 3 business days
    assert not Notification.objects.filter(urgent=True).exists()


def test_negative_phq9_opens_nothing(vw) -> None:
    services.visit_record(actor=vw.planner, visit=vw.visit, outcome="visited", screenings=[("phq9", phq(9))])
    assert (Screening.objects.get().positive, Referral.objects.count()) == (False, 0)


def test_referral_due_date_skips_chuseok(vw, monkeypatch) -> None:
    day = dt.date(2026, 9, 23)  # the day before 추석 전날 (24–26 September 2026)
    for module in ("chatdong.visits.services", "chatdong.referrals.services"):
        monkeypatch.setattr(f"{module}.today", lambda: day)
    services.visit_record(actor=vw.planner, visit=vw.visit, outcome="visited", screenings=[("phq9", phq(12))])
    assert Referral.objects.get().due_on == dt.date(2026, 9, 30)  # 28, 29, 30 September


def test_phq9_item9_is_urgent_and_tells_the_health_department_at_once(
    vw, django_capture_on_commit_callbacks
) -> None:
    other_health = staff_member(
        username="hm-x", role=Role.HEALTH_MEDICAL, scope="district", district=vw.w.other_district, dong=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.visit_record(
            actor=vw.planner, visit=vw.visit, outcome="visited", screenings=[("phq9", phq(3, item9=1))]
        )
    referral = Referral.objects.get()
    assert (referral.urgent, referral.due_on) == (True, dt.date(2026, 11, 24))
    note = Notification.objects.get()  # one, though both referrals and visits send it (one dedupe key)
    assert (note.user, note.urgent, note.kind, note.url) == (
        vw.user(Role.HEALTH_MEDICAL),
        True,
        "referral_urgent",
        f"/referrals/{referral.pk}/",
    )
    assert note.text.startswith(f"[긴급] 의뢰 {referral.pk}번")
    assert not Notification.objects.filter(user=other_health).exists()


def test_the_urgent_alert_alone_notifies_once_and_again_is_a_no_op(vw) -> None:
    """Without the referral app's arrival notice (on-commit callbacks not run), visits' own alert tells
    the 의약과; sending it again writes nothing."""
    services.visit_record(
        actor=vw.planner, visit=vw.visit, outcome="visited", screenings=[("phq9", phq(3, item9=2))]
    )
    screening = Screening.objects.get()
    assert screening.referral is not None
    assert services._alert_urgent(screening.referral, screening) == 1
    assert services._alert_urgent(screening.referral, screening) == 0
    note = Notification.objects.get()
    assert (note.user, note.urgent) == (vw.user(Role.HEALTH_MEDICAL), True)
    assert note.text == (
        f"[긴급] 의뢰 {screening.referral.pk}번: 마음건강 평가 우울 선별(PHQ-9) 자살위험 — 오늘 연락이 필요합니다."
    )


def test_sbqr_high_risk_is_urgent_after_a_gds15_follow_up(vw, django_capture_on_commit_callbacks) -> None:
    recorded = services.visit_record(
        actor=vw.planner, visit=vw.visit, outcome="visited", screenings=[("gds15", gds(10))]
    )
    gds_screening = recorded.screenings[0]
    assert (gds_screening.follow_up, gds_screening.positive) == ("sbqr", True)
    vw.visit.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        sbqr = services.screening_record(actor=vw.planner, visit=vw.visit, kind="sbqr", answers=[3, 3, 2, 3])
    assert (sbqr.score, sbqr.band, sbqr.urgent) == (11, "자살 고위험", True)
    assert sbqr.referral is not None and sbqr.referral.urgent is True
    assert Referral.objects.count() == 2  # the GDS-15 (positive) and the SBQ-R
    assert Notification.objects.filter(urgent=True).get().user == vw.user(Role.HEALTH_MEDICAL)


def test_sbqr_risk_below_high_is_not_urgent(vw) -> None:
    services.visit_record(actor=vw.planner, visit=vw.visit, outcome="visited")
    vw.visit.refresh_from_db()
    sbqr = services.screening_record(actor=vw.planner, visit=vw.visit, kind="sbqr", answers=[3, 3, 2, 2])
    assert sbqr.referral is not None
    assert (sbqr.score, sbqr.positive, sbqr.urgent, sbqr.referral.urgent) == (10, True, False, False)


def test_an_invalid_screening_writes_nothing(vw) -> None:
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        services.visit_record(
            actor=vw.planner, visit=vw.visit, outcome="visited", screenings=[("phq9", [0] * 8 + [None])]
        )
    assert exc.value.errors == {"answers": ["9번 문항의 답을 고르세요."]}
    vw.visit.refresh_from_db()
    assert (vw.visit.outcome, counts()) == ("planned", before)


# --- health assessment ------------------------------------------------------------------------------


def test_health_assessment_is_the_nurses(vw) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.visit_record(
            actor=vw.planner,
            visit=vw.visit,
            outcome="visited",
            health={"bp_systolic": 140, "bp_diastolic": 90},
        )
    assert exc.value.errors == {"health": ["건강 평가는 방문간호사가 기록합니다."]}
    nurse_target = make_target(vw.program, vw.w.r_z2, assignee=vw.nurse)
    visit = make_visit(nurse_target, vw.nurse)
    health = {
        "bp_systolic": 148,
        "bp_diastolic": 92,
        "glucose": 132,
        "glucose_kind": "fasting",
        "chronic": ["hypertension", "diabetes"],
        "medication_count": 3,
        "medications": "암로디핀, 메트포르민",
        "health_check_done": True,
        "health_check_year": 2025,
        "falls_last_year": 1,
        "frailty_score": 2,
    }
    services.visit_record(actor=vw.nurse, visit=visit, outcome="visited", health=health)
    saved = HealthAssessment.objects.get()
    assert (saved.bp_systolic, saved.bp_diastolic, saved.glucose, saved.chronic, saved.frailty_score) == (
        148,
        92,
        132,
        ["diabetes", "hypertension"],
        2,
    )
    assert saved.chronic_labels == ["당뇨병", "고혈압"]


@pytest.mark.parametrize(
    ("health", "errors"),
    [
        (
            {"bp_systolic": 90, "bp_diastolic": 95},
            {"bp_diastolic": ["이완기 혈압은 수축기 혈압보다 낮아야 합니다."]},
        ),
        ({"bp_systolic": 120}, {"bp_diastolic": ["수축기와 이완기 혈압을 함께 적으세요."]}),
        ({"glucose": 100}, {"glucose_kind": ["혈당을 잰 때(공복/식후)를 고르세요."]}),
        ({"frailty_score": 6}, {"frailty_score": ["0–5 사이의 숫자를 적으세요."]}),
        ({"chronic": ["cold"]}, {"chronic": ["만성질환 목록에서 고르세요."]}),
    ],
)
def test_health_assessment_validation(vw, health, errors) -> None:
    nurse_target = make_target(vw.program, vw.w.r_z2, assignee=vw.nurse)
    visit = make_visit(nurse_target, vw.nurse)
    with pytest.raises(ValidationFailed) as exc:
        services.visit_record(actor=vw.nurse, visit=visit, outcome="visited", health=health)
    assert exc.value.errors == errors
    assert HealthAssessment.objects.count() == 0


# --- what a visit opens -----------------------------------------------------------------------------


def test_a_visit_opens_a_case_and_a_referral(vw) -> None:
    services.visit_record(actor=vw.planner, visit=vw.visit, outcome="visited")
    case = services.visit_open_case(actor=vw.planner, visit=vw.visit, summary="난방비 체납, 긴급복지 검토")
    assert (case.source, case.source_id, case.resident, case.step) == (
        "visit",
        vw.visit.pk,
        vw.w.r_z1,
        "discovered",
    )
    referral = services.visit_refer(
        actor=vw.planner,
        visit=vw.visit,
        to_kind="agency",
        to_agency=vw.w.agency,
        need_category="daily_living",
        summary="밑반찬 지원",
    )
    assert (referral.source, referral.source_id, referral.to_agency) == ("visit", vw.visit.pk, vw.w.agency)


def test_a_colleague_cannot_open_a_case_from_someone_elses_visit(vw) -> None:
    with pytest.raises(PermissionDenied):
        services.visit_open_case(actor=vw.nurse, visit=vw.visit, summary="x")
    assert Case.objects.count() == 0


def test_reschedule_a_planned_visit(vw) -> None:
    services.visit_reschedule(actor=vw.planner, visit=vw.visit, scheduled_on=TODAY + dt.timedelta(days=2))
    vw.visit.refresh_from_db()
    assert vw.visit.scheduled_on == TODAY + dt.timedelta(days=2)
    with pytest.raises(PermissionDenied):
        services.visit_reschedule(actor=vw.nurse, visit=vw.visit, scheduled_on=TODAY)
    vw.visit.refresh_from_db()
    assert vw.visit.scheduled_on == TODAY + dt.timedelta(days=2)


def test_needs_are_corrected_after_the_visit(vw) -> None:
    services.visit_record(
        actor=vw.planner, visit=vw.visit, outcome="visited", needs={"jobs": {"need": True, "note": ""}}
    )
    services.needs_save(
        actor=vw.planner,
        visit=vw.visit,
        needs={"jobs": {"need": False, "note": "이미 취업"}, "care": (True, "돌봄")},
    )
    assert list(NeedItem.objects.order_by("category").values_list("category", "need", "note")) == [
        ("care", True, "돌봄"),
        ("jobs", False, "이미 취업"),
    ]
    with pytest.raises(ValidationFailed) as exc:
        services.needs_save(actor=vw.planner, visit=vw.visit, needs={"wishes": {"need": True}})
    assert exc.value.errors == {"needs": ["모르는 욕구 영역: wishes"]}
    with pytest.raises(PermissionDenied):
        services.needs_save(actor=vw.nurse, visit=vw.visit, needs={"jobs": {"need": True}})
    assert NeedItem.objects.count() == 2


# --- what the visits say on the target (Target.visit_made / visit_refused) ---------------------------


def _facts(target: Target) -> tuple[bool, bool]:
    target.refresh_from_db()
    return target.visit_made, target.visit_refused


def test_recording_sets_the_targets_visit_facts(vw) -> None:
    from chatdong.outreach.services import targets_integrity_check

    assert _facts(vw.target) == (False, False)
    services.visit_record(actor=vw.planner, visit=vw.visit, outcome="absent")
    assert _facts(vw.target) == (False, False)
    again = make_visit(vw.target, vw.planner, attempt=2)
    services.visit_record(actor=vw.planner, visit=again, outcome="refused")
    assert _facts(vw.target) == (False, True)
    third = make_visit(vw.target, vw.planner)
    services.visit_record(actor=vw.planner, visit=third, outcome="visited")
    assert _facts(vw.target) == (True, True)
    assert targets_integrity_check() == {}


def test_the_check_finds_facts_that_disagree_with_the_visits_and_the_refresh_repairs_them(vw) -> None:
    import io

    from django.core.management import CommandError, call_command

    from chatdong.outreach.services import targets_integrity_check

    Visit.objects.filter(pk=vw.visit.pk).update(outcome="visited")  # written past the services
    other = make_target(vw.program, vw.w.r_z2)
    Target.objects.filter(pk=other.pk).update(visit_refused=True)  # no refused visit behind it
    assert targets_integrity_check() == {"visit_made": [vw.target.pk], "visit_refused": [other.pk]}
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("outreach_targets", "--district", vw.w.district.code, "--check", stdout=out)
    assert "방문 기록과 방문 완료 여부가 다른 방문 대상 1건" in out.getvalue()
    assert "--repair-visit-facts" in out.getvalue()

    assert services.targets_visit_facts_refresh([vw.target.pk, other.pk]) == 2
    assert (_facts(vw.target), _facts(other)) == ((True, False), (False, False))
    assert targets_integrity_check() == {}
    Target.objects.filter(pk=other.pk).update(visit_made=True)
    call_command("outreach_targets", "--district", vw.w.district.code, "--repair-visit-facts", stdout=out)
    assert _facts(other) == (False, False)
