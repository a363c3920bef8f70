"""Every write to visits: plan, record (with the needs checklist, the health assessment and the
screenings), open a case or a referral from a visit, the 서울아기 schedule and the calendar feed.

One path per state change: permission → validation → write → access log in one transaction; the
notifications (failed attempts to the 동's supervisors, urgent screenings to 보건소 의약과) are sent
after commit and are idempotent (notification_send's dedupe_key)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from chatdong.accounts.models import Agency, District, Role, User
from chatdong.audit.models import AccessLog
from chatdong.audit.services import access_log_record
from chatdong.cases.models import Case
from chatdong.cases.services import case_open
from chatdong.core.errors import PermissionDenied, ValidationFailed
from chatdong.core.needs import NeedCategory
from chatdong.core.notify import notification_send
from chatdong.core.time import today
from chatdong.outreach.models import Target
from chatdong.referrals.models import Referral
from chatdong.referrals.services import referral_send
from chatdong.visits import access, scoring
from chatdong.visits.instruments import INSTRUMENTS
from chatdong.visits.models import (
    TARGET_VISIT_FACTS,
    CalendarFeed,
    HealthAssessment,
    HomeVisitSchedule,
    HomeVisitScheduleItem,
    NeedItem,
    Screening,
    Visit,
)
from chatdong.visits.schedule import item_window

RECORDABLE = (
    Visit.Outcome.VISITED,
    Visit.Outcome.ABSENT,
    Visit.Outcome.REFUSED,
    Visit.Outcome.MOVED,
    Visit.Outcome.DECEASED,
)
# Outcomes after which the target itself ends (its open visits are cancelled).
ENDING: dict[str, str] = {Visit.Outcome.MOVED: "전출 확인(방문)", Visit.Outcome.DECEASED: "사망 확인(방문)"}
REFUSED_CONSENT = ("refused", "withdrawn")


def _subjects(visit: Visit) -> list[int]:
    return [visit.resident_id] if visit.resident_id else []


def _log(
    actor: User,
    request: HttpRequest | None,
    action: str,
    object_type: str,
    obj_id: int,
    visit: Visit,
    **kw: Any,
) -> None:
    access_log_record(
        user=actor,
        request=request,
        action=action,
        object_type=object_type,
        object_id=obj_id,
        subjects=_subjects(visit),
        **kw,
    )


# --- planning --------------------------------------------------------------------------------------


def failed_run(target: Target) -> list[int]:
    """Ids of the absent visits since the last visit that reached (or settled) the household, newest
    first."""
    run: list[int] = []
    for pk, outcome in (
        Visit.objects.filter(target=target)
        .exclude(outcome__in=[Visit.Outcome.PLANNED, Visit.Outcome.CANCELLED])
        .order_by("-visited_at", "-id")
        .values_list("pk", "outcome")
    ):
        if outcome != Visit.Outcome.ABSENT:
            break
        run.append(pk)
    return run


def failed_attempts_in_a_row(target: Target) -> int:
    return len(failed_run(target))


def visit_plan(
    *,
    actor: User,
    target: Target,
    scheduled_on: dt.date,
    staff: User | None = None,
    co_staff: User | None = None,
    schedule_item: HomeVisitScheduleItem | None = None,
    due_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Visit:
    """Plan a visit (alone, or jointly: planner + nurse). The attempt number follows the failed
    attempts in a row; the due date is the target's (or the scheduled item's)."""
    staff = staff or actor
    if not access.can_plan_for(actor, dong_id=target.dong_id, staff=staff, co_staff=co_staff):
        raise PermissionDenied("이 방문을 계획할 권한이 없습니다.")
    errors: dict[str, list[str]] = {}
    if target.status != Target.Status.OPEN:
        errors["target"] = ["진행 중인 대상이 아닙니다(완료 또는 취소)."]
    elif target.consent in REFUSED_CONSENT:
        errors["target"] = ["방문을 거부(또는 동의 철회)한 대상입니다."]
    if not access.can_make_visits_in(staff, target.dong_id):
        errors["staff"] = ["이 동에서 방문하는 복지플래너·간호사를 고르세요."]
    if co_staff is not None and (
        co_staff.pk == staff.pk or not access.can_make_visits_in(co_staff, target.dong_id)
    ):
        errors["co_staff"] = ["동행자는 같은 동의 다른 복지플래너·간호사여야 합니다."]
    roles = list(target.program.visit_roles or [])
    if roles and staff.role not in roles and (co_staff is None or co_staff.role not in roles):
        errors["staff"] = ["이 사업을 방문하는 역할의 직원이 방문자나 동행자여야 합니다."]
    if scheduled_on < today():
        errors["scheduled_on"] = ["오늘이나 그 뒤의 날짜를 고르세요."]
    if schedule_item is not None and schedule_item.schedule.district_id != target.program.district_id:
        errors["schedule_item"] = ["다른 구의 일정 항목입니다."]
    if errors:
        raise ValidationFailed("방문을 계획할 수 없습니다. 표시된 항목을 고치세요.", errors)
    resident = target.resident
    household = target.household or (resident.household if resident is not None else None)
    if due_on is None and schedule_item is not None:
        window = item_window(target, schedule_item)
        due_on = window[1] if window is not None else None
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                target=target,
                dong_id=target.dong_id,
                resident=resident,
                household=household,
                staff=staff,
                co_staff=co_staff,
                scheduled_on=scheduled_on,
                due_on=due_on or getattr(target, "due_on", None),
                attempt=failed_attempts_in_a_row(target) + 1,
                schedule_item=schedule_item,
            )
            _log(actor, request, AccessLog.Action.CREATE, "visit", visit.pk, visit)
    except IntegrityError as exc:
        message = "이 대상에는 이미 예정된 방문이 있습니다. 그 방문을 기록하거나 날짜를 바꾸세요."
        raise ValidationFailed(message, {"target": [message]}) from exc
    return visit


def visit_reschedule(
    *, actor: User, visit: Visit, scheduled_on: dt.date, request: HttpRequest | None = None
) -> Visit:
    if not access.can_record(actor, visit):
        raise PermissionDenied("이 방문의 날짜를 바꿀 권한이 없습니다.")
    if visit.outcome != Visit.Outcome.PLANNED:
        raise ValidationFailed("이미 기록된 방문입니다.")
    if scheduled_on < today():
        raise ValidationFailed(
            "오늘이나 그 뒤의 날짜를 고르세요.", {"scheduled_on": ["오늘이나 그 뒤의 날짜를 고르세요."]}
        )
    with transaction.atomic():
        visit.scheduled_on = scheduled_on
        visit.save(update_fields=["scheduled_on", "updated_at"])
        _log(actor, request, AccessLog.Action.CHANGE, "visit", visit.pk, visit)
    return visit


def _made(visit: Visit) -> bool:
    """Whether the visit was made, read from the database (the caller's object may be older)."""
    return Visit.objects.filter(pk=visit.pk, outcome=Visit.Outcome.VISITED).exists()


# --- recording --------------------------------------------------------------------------------------


@dataclass
class Recorded:
    visit: Visit
    next_visit: Visit | None = None
    screenings: list[Screening] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    target_status: str = ""


def _target_visit_facts_record(target: Target, outcome: str) -> None:
    """Target.visit_made / visit_refused after a visit is recorded (they only ever become true: a
    recorded visit keeps its outcome)."""
    fact = next((name for name, made_by in TARGET_VISIT_FACTS.items() if made_by == outcome), None)
    if fact is not None and not getattr(target, fact):
        setattr(target, fact, True)
        Target.objects.filter(pk=target.pk).update(**{fact: True})


def targets_visit_facts_refresh(target_ids: Iterable[int] | None = None) -> int:
    """Target.visit_made / visit_refused worked out again from the visits, in one UPDATE: after visits
    are loaded in bulk (demo, benchmark) or to repair what targets_integrity_check reports. Returns the
    number of targets updated (all of them, or those given)."""
    visits = Visit.objects.filter(target=OuterRef("pk"))
    facts = {name: Exists(visits.filter(outcome=outcome)) for name, outcome in TARGET_VISIT_FACTS.items()}
    if target_ids is None:
        return Target.objects.update(**facts)
    ids, updated = sorted(set(target_ids)), 0
    for i in range(0, len(ids), 5000):  # under SQLite's limit of query parameters
        updated += Target.objects.filter(pk__in=ids[i : i + 5000]).update(**facts)
    return updated


def target_set_status(*, target: Target, status: str, note: str) -> None:
    """The one change visits make to a target: done after a visit, cancelled on a move or death seen at
    the door. Writes Target.status (and status_note / status_changed_on), nothing else of outreach."""
    target.status = status
    target.status_note = note[:200]
    fields = ["status", "status_note", "updated_at"]
    if hasattr(target, "status_changed_on"):
        target.status_changed_on = today()
        fields.append("status_changed_on")
    target.save(update_fields=fields)


def _clean_needs(needs: Mapping[str, Any]) -> list[tuple[str, bool, str]]:
    rows: list[tuple[str, bool, str]] = []
    bad = [key for key in needs if key not in NeedCategory.values]
    if bad:
        raise ValidationFailed(
            "모르는 욕구 영역이 있습니다.", {"needs": [f"모르는 욕구 영역: {', '.join(bad)}"]}
        )
    for category in NeedCategory.values:
        if category in needs:
            value = needs[category]
            need, note = (
                (value.get("need", False), value.get("note", "")) if isinstance(value, Mapping) else value
            )
            rows.append((category, bool(need), str(note or "").strip()[:300]))
    return rows


HEALTH_FIELDS = (
    "bp_systolic",
    "bp_diastolic",
    "glucose",
    "glucose_kind",
    "chronic",
    "medication_count",
    "medications",
    "health_check_done",
    "health_check_year",
    "falls_last_year",
    "frailty_score",
    "notes",
)
_RANGES = {
    "bp_systolic": (50, 300),
    "bp_diastolic": (30, 200),
    "glucose": (20, 800),
    "medication_count": (0, 50),
    "falls_last_year": (0, 50),
    "frailty_score": (0, 5),
}


def _clean_health(data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for name in HEALTH_FIELDS:
        value = data.get(name)
        if name in _RANGES:
            low, high = _RANGES[name]
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high
            ):
                errors[name] = [f"{low}–{high} 사이의 숫자를 적으세요."]
        clean[name] = value
    chronic = clean.get("chronic") or []
    if not isinstance(chronic, list | tuple) or any(
        c not in HealthAssessment.Chronic.values for c in chronic
    ):
        errors["chronic"] = ["만성질환 목록에서 고르세요."]
    clean["chronic"] = sorted(set(chronic)) if "chronic" not in errors else []
    if clean.get("glucose_kind") not in (None, "", *HealthAssessment.Glucose.values):
        errors["glucose_kind"] = ["공복 또는 식후·무작위를 고르세요."]
    if clean.get("glucose") is not None and not clean.get("glucose_kind"):
        errors["glucose_kind"] = ["혈당을 잰 때(공복/식후)를 고르세요."]
    systolic, diastolic = clean.get("bp_systolic"), clean.get("bp_diastolic")
    if (systolic is None) != (diastolic is None):
        errors["bp_diastolic"] = ["수축기와 이완기 혈압을 함께 적으세요."]
    elif (
        isinstance(systolic, int)
        and isinstance(diastolic, int)
        and "bp_systolic" not in errors
        and systolic <= diastolic
    ):
        errors["bp_diastolic"] = ["이완기 혈압은 수축기 혈압보다 낮아야 합니다."]
    year = clean.get("health_check_year")
    if year is not None and (not isinstance(year, int) or not 2000 <= year <= today().year):
        errors["health_check_year"] = [f"2000–{today().year} 사이의 연도를 적으세요."]
    if errors:
        raise ValidationFailed("건강 평가를 저장할 수 없습니다. 표시된 항목을 고치세요.", errors)
    clean["glucose_kind"] = clean.get("glucose_kind") or ""
    clean["medications"] = str(clean.get("medications") or "").strip()
    clean["notes"] = str(clean.get("notes") or "").strip()
    return clean


def _next_on_errors(next_on: dt.date | None) -> list[str]:
    if next_on is None:
        return []
    if next_on <= today():
        return ["다음 방문일은 내일 이후여야 합니다."]
    return []


def visit_record(
    *,
    actor: User,
    visit: Visit,
    outcome: str,
    notes: str = "",
    needs: Mapping[str, Any] | None = None,
    health: Mapping[str, Any] | None = None,
    screenings: Sequence[tuple[str, Sequence[Any]]] = (),
    next_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Recorded:
    """Record the outcome of a planned visit and its forms, in one transaction.

    - visited: the target is done, unless a next visit is planned (next_on), which keeps it open;
    - absent: another attempt (attempt + 1) is planned on next_on, or may be planned later; after
      CHATDONG_VISIT_ATTEMPTS_BEFORE_ALERT absences in a row the 동's supervisors and 팀장 are told;
    - refused: recorded (consent is recorded in outreach); moved / deceased: the target is cancelled.
    A positive (or urgent) screening opens a referral to 보건소 의약과."""
    if not access.can_record(actor, visit):
        raise PermissionDenied("이 방문을 기록할 권한이 없습니다. 방문자나 동행자만 기록합니다.")
    errors: dict[str, list[str]] = {}
    if outcome not in RECORDABLE:
        errors["outcome"] = ["방문 결과를 고르세요."]
    forms_given = bool(needs) or bool(health) or bool(screenings)
    if outcome != Visit.Outcome.VISITED and forms_given:
        errors["outcome"] = ["확인표·건강 평가·마음건강 평가는 방문 완료일 때만 기록합니다."]
    if health and not access.can_record_health(actor, visit):
        errors["health"] = ["건강 평가는 방문간호사가 기록합니다."]
    if next_on is not None and outcome not in (Visit.Outcome.VISITED, Visit.Outcome.ABSENT):
        errors["next_on"] = ["다음 방문은 방문 완료나 부재일 때만 계획합니다."]
    errors_next = _next_on_errors(next_on)
    if errors_next:
        errors["next_on"] = errors_next
    clean_needs = _clean_needs(needs or {}) if needs else []
    clean_health = _clean_health(health) if health else None
    scored: list[tuple[str, list[int], scoring.Result]] = []
    for kind, answers in screenings:
        scored.append((kind, list(answers), scoring.score(kind, answers)))  # raises per-item messages
    if errors:
        raise ValidationFailed("방문을 기록할 수 없습니다. 표시된 항목을 고치세요.", errors)

    after: list[Any] = []
    with transaction.atomic():
        locked = Visit.objects.select_for_update().select_related("target__program", "dong").get(pk=visit.pk)
        if locked.outcome != Visit.Outcome.PLANNED:
            raise ValidationFailed("이미 기록된 방문입니다. 화면을 새로 고치세요.")
        locked.outcome = outcome
        locked.notes = notes.strip()
        locked.visited_at = timezone.now()
        locked.recorded_by = actor
        locked.save(update_fields=["outcome", "notes", "visited_at", "recorded_by", "updated_at"])
        result = Recorded(visit=locked)
        for category, need, note in clean_needs:
            NeedItem.objects.create(visit=locked, category=category, need=need, note=note)
        if clean_health is not None:
            HealthAssessment.objects.create(visit=locked, nurse=actor, **clean_health)
        for kind, answers, score in scored:
            screening, referral = _screening_create(
                actor=actor,
                visit=locked,
                kind=kind,
                answers=answers,
                result=score,
                request=request,
                after=after,
            )
            result.screenings.append(screening)
            if referral is not None:
                result.referrals.append(referral)
        target = locked.target
        _target_visit_facts_record(target, outcome)
        if outcome in ENDING:
            target_set_status(target=target, status=Target.Status.CANCELLED, note=ENDING[outcome])
            result.target_status = Target.Status.CANCELLED
        elif outcome == Visit.Outcome.VISITED and next_on is None:
            target_set_status(target=target, status=Target.Status.DONE, note="방문 완료")
            result.target_status = Target.Status.DONE
        if next_on is not None:
            result.next_visit = Visit.objects.create(
                target=target,
                dong_id=locked.dong_id,
                resident_id=locked.resident_id,
                household_id=locked.household_id,
                staff_id=locked.staff_id,
                co_staff_id=locked.co_staff_id,
                scheduled_on=next_on,
                due_on=locked.due_on,
                attempt=locked.attempt + 1 if outcome == Visit.Outcome.ABSENT else 1,
            )
            _log(actor, request, AccessLog.Action.CREATE, "visit", result.next_visit.pk, locked)
        _log(actor, request, AccessLog.Action.CHANGE, "visit", locked.pk, locked, detail={"outcome": outcome})
        if outcome == Visit.Outcome.ABSENT:
            run = failed_run(target)
            if len(run) >= settings.CHATDONG_VISIT_ATTEMPTS_BEFORE_ALERT:
                after.append(lambda v=locked, r=run: _alert_attempts(v, r))
        for call in after:
            transaction.on_commit(call)
    return result


def _alert_attempts(visit: Visit, run: list[int]) -> int:
    """Tell the 동's 복지수퍼바이저 and 팀장, once per run of failures (keyed by its first visit)."""
    users = User.objects.filter(dong_id=visit.dong_id, role__in=access.ATTEMPT_ALERT_ROLES, is_active=True)
    return notification_send(
        users=users,
        kind="visit_attempts",
        text=f"방문 {visit.pk}번: {len(run)}회 연속 부재입니다. 다른 방법(전화·통반장 동행)을 정해 주세요.",
        dedupe_key=f"visit-attempts:{visit.target_id}:{run[-1]}",
        url=reverse("visits:detail", args=[visit.pk]),
    )


def _referral_url(referral: Referral) -> str:
    for name in ("referrals:detail", "referrals:referral_detail"):
        try:
            return reverse(name, args=[referral.pk])
        except NoReverseMatch:
            continue
    return "/referrals/"


def _alert_urgent(referral: Referral, screening: Screening) -> int:
    """보건소 의약과 of the district hears of an urgent screening at once. referrals.services notifies the
    receivers of every new referral with the key `referral-<id>-arrive-<first event>`; using the same key
    here makes the two one notification, whichever runs first."""
    users = User.objects.filter(role=Role.HEALTH_MEDICAL, district_id=referral.district_id, is_active=True)
    first_event = referral.events.order_by("id").values_list("pk", flat=True).first()
    return notification_send(
        users=users,
        kind="referral_urgent",
        text=f"[긴급] 의뢰 {referral.pk}번: 마음건강 평가 {screening.get_kind_display()} 자살위험 — 오늘 연락이 필요합니다.",
        dedupe_key=f"referral-{referral.pk}-arrive-{first_event}",
        url=_referral_url(referral),
        urgent=True,
    )


def _screening_create(
    *,
    actor: User,
    visit: Visit,
    kind: str,
    answers: list[int],
    result: scoring.Result,
    request: HttpRequest | None,
    after: list[Any],
) -> tuple[Screening, Referral | None]:
    screening = Screening.objects.create(
        visit=visit,
        dong_id=visit.dong_id,
        resident_id=visit.resident_id,
        staff=actor,
        kind=kind,
        answers=answers,
        score=result.score,
        band=result.band,
        positive=result.positive,
        urgent=result.urgent,
        follow_up=result.follow_up,
    )
    _log(actor, request, AccessLog.Action.CREATE, "screening", screening.pk, visit)
    referral: Referral | None = None
    if result.refer:
        title = INSTRUMENTS[kind].title
        flag = " · 긴급(자살위험)" if result.urgent else ""
        referral = referral_send(
            actor=actor,
            dong=visit.dong,
            need_category=NeedCategory.HEALTH,
            summary=f"가정방문 마음건강 평가: {title} {result.score}점({result.band}){flag}. 결과 확인과 상담 연계를 부탁드립니다.",
            to_kind=Referral.To.HEALTH,
            source=Referral.Source.SCREENING,
            source_id=screening.pk,
            resident=visit.resident,
            household=visit.household,
            urgent=result.urgent,
        )
        screening.referral = referral
        screening.save(update_fields=["referral", "updated_at"])
        if result.urgent:
            after.append(lambda r=referral, s=screening: _alert_urgent(r, s))
    return screening, referral


def screening_record(
    *, actor: User, visit: Visit, kind: str, answers: Sequence[Any], request: HttpRequest | None = None
) -> Screening:
    """A screening after the visit was recorded (e.g. the SBQ-R a GDS-15 asked for)."""
    if not access.can_record(actor, visit):
        raise PermissionDenied("이 방문에 마음건강 평가를 기록할 권한이 없습니다.")
    if not _made(visit):
        raise ValidationFailed(
            "마음건강 평가는 방문 완료된 방문에만 기록합니다.", {"visit": ["방문 완료 후 기록하세요."]}
        )
    result = scoring.score(kind, list(answers))
    after: list[Any] = []
    with transaction.atomic():
        screening, _referral = _screening_create(
            actor=actor,
            visit=visit,
            kind=kind,
            answers=list(answers),
            result=result,
            request=request,
            after=after,
        )
        for call in after:
            transaction.on_commit(call)
    return screening


def health_assessment_save(
    *, actor: User, visit: Visit, data: Mapping[str, Any], request: HttpRequest | None = None
) -> HealthAssessment:
    """Create or replace the nurse's health assessment of a visited visit."""
    if not access.can_record_health(actor, visit):
        raise PermissionDenied("건강 평가는 이 방문의 방문간호사가 기록합니다.")
    if not _made(visit):
        raise ValidationFailed("건강 평가는 방문 완료된 방문에만 기록합니다.")
    clean = _clean_health(data)
    with transaction.atomic():
        assessment, created = HealthAssessment.objects.update_or_create(
            visit=visit, defaults={"nurse": actor, **clean}
        )
        action = AccessLog.Action.CREATE if created else AccessLog.Action.CHANGE
        _log(actor, request, action, "health_assessment", assessment.pk, visit)
    return assessment


def needs_save(
    *, actor: User, visit: Visit, needs: Mapping[str, Any], request: HttpRequest | None = None
) -> list[NeedItem]:
    if not access.can_record(actor, visit):
        raise PermissionDenied("이 방문의 확인표를 고칠 권한이 없습니다.")
    if not _made(visit):
        raise ValidationFailed("복지욕구 확인표는 방문 완료된 방문에만 기록합니다.")
    rows = _clean_needs(needs)
    with transaction.atomic():
        for category, need, note in rows:
            NeedItem.objects.update_or_create(
                visit=visit, category=category, defaults={"need": need, "note": note}
            )
        _log(actor, request, AccessLog.Action.CHANGE, "visit_needs", visit.pk, visit)
    return list(visit.needs.all())


# --- what a visit opens -----------------------------------------------------------------------------


def visit_open_case(*, actor: User, visit: Visit, summary: str, request: HttpRequest | None = None) -> Case:
    """A case-management intake (발굴) from a visit."""
    if not access.can_record(actor, visit):
        raise PermissionDenied("이 방문에서 사례를 등록할 권한이 없습니다.")
    return case_open(
        actor=actor,
        dong=visit.dong,
        summary=summary,
        source=Case.Source.VISIT,
        source_id=visit.pk,
        resident=visit.resident,
        household=visit.household,
    )


def visit_refer(
    *,
    actor: User,
    visit: Visit,
    to_kind: str,
    need_category: str,
    summary: str,
    to_user: User | None = None,
    to_agency: Agency | None = None,
    urgent: bool = False,
) -> Referral:
    """A referral from a visit to a 동 staff member, an agency or the health department."""
    if not access.can_record(actor, visit):
        raise PermissionDenied("이 방문에서 의뢰할 권한이 없습니다.")
    return referral_send(
        actor=actor,
        dong=visit.dong,
        need_category=need_category,
        summary=summary,
        to_kind=to_kind,
        source=Referral.Source.VISIT,
        source_id=visit.pk,
        to_user=to_user,
        to_agency=to_agency,
        resident=visit.resident,
        household=visit.household,
        urgent=urgent,
    )


# --- 서울아기 건강첫걸음 schedule ---------------------------------------------------------------------

# (label, track, anchor, offset_days, window_days). The seed's default: the universal visit within 4
# weeks after birth; the sustained programme with 3 prenatal visits and visits until age 2, 22 in all.
DEFAULT_SCHEDULE: tuple[tuple[str, str, str, int, int], ...] = (
    ("보편 방문(출생 후 4주 이내)", "universal", "birth", 0, 28),
    ("산전 1차(임신 22주 무렵)", "sustained", "expected_delivery", -126, 21),
    ("산전 2차(임신 28주 무렵)", "sustained", "expected_delivery", -84, 21),
    ("산전 3차(임신 34주 무렵)", "sustained", "expected_delivery", -42, 21),
    *(
        (label, "sustained", "birth", days, 14 if days <= 84 else 28)
        for label, days in (
            ("생후 1주", 7),
            ("생후 2주", 14),
            ("생후 3주", 21),
            ("생후 6주", 42),
            ("생후 8주", 56),
            ("생후 3개월", 84),
            ("생후 4개월", 112),
            ("생후 5개월", 140),
            ("생후 6개월", 168),
            ("생후 7개월", 210),
            ("생후 9개월", 252),
            ("생후 10개월", 300),
            ("생후 12개월", 365),
            ("생후 14개월", 425),
            ("생후 16개월", 485),
            ("생후 18개월", 545),
            ("생후 20개월", 610),
            ("생후 22개월", 670),
            ("생후 24개월", 720),
        )
    ),
)


def schedule_ensure(*, district: District) -> HomeVisitSchedule:
    """The district's schedule, seeded with the default on first use (idempotent)."""
    schedule, created = HomeVisitSchedule.objects.get_or_create(district=district)
    if created:
        HomeVisitScheduleItem.objects.bulk_create(
            HomeVisitScheduleItem(
                schedule=schedule,
                order=n,
                label=label,
                track=track,
                anchor=anchor,
                offset_days=offset,
                window_days=window,
            )
            for n, (label, track, anchor, offset, window) in enumerate(DEFAULT_SCHEDULE, start=1)
        )
    return schedule


def schedule_items_replace(
    *,
    actor: User,
    schedule: HomeVisitSchedule,
    items: Sequence[Mapping[str, Any]],
    request: HttpRequest | None = None,
) -> list[HomeVisitScheduleItem]:
    """Replace the schedule's items (a district edits its schedule). Items keep their ids where an `id`
    is given, so planned visits stay linked to them."""
    if not access.can_edit_schedule(actor, schedule.district):
        raise PermissionDenied("영유아 방문 일정을 고칠 권한이 없습니다.")
    errors: dict[str, list[str]] = {}
    existing = {item.pk: item for item in schedule.items.all()}
    for n, item in enumerate(items, start=1):
        problems = []
        if not str(item.get("label", "")).strip():
            problems.append("방문 이름을 적으세요.")
        if item.get("track") not in HomeVisitScheduleItem.Track.values:
            problems.append("보편/지속 방문을 고르세요.")
        if item.get("anchor") not in HomeVisitScheduleItem.Anchor.values:
            problems.append("기준일을 고르세요.")
        offset, window = item.get("offset_days"), item.get("window_days")
        if not isinstance(offset, int) or isinstance(offset, bool) or not -300 <= offset <= 1100:
            problems.append("기준일부터 며칠(−300~1100)을 적으세요.")
        if not isinstance(window, int) or isinstance(window, bool) or not 1 <= window <= 365:
            problems.append("기한(1~365일)을 적으세요.")
        if item.get("id") is not None and item.get("id") not in existing:
            problems.append("다른 일정의 항목입니다.")
        if problems:
            errors[f"items.{n}"] = problems
    if not items:
        errors["items"] = ["방문을 한 개 이상 두세요."]
    if errors:
        raise ValidationFailed("일정을 저장할 수 없습니다. 표시된 항목을 고치세요.", errors)
    with transaction.atomic():
        kept = {item["id"] for item in items if item.get("id") is not None}
        HomeVisitScheduleItem.objects.filter(schedule=schedule).exclude(pk__in=kept).delete()
        # Move kept rows out of the way of the unique (schedule, order) before renumbering.
        for pk in kept:
            HomeVisitScheduleItem.objects.filter(pk=pk).update(order=10000 + pk)
        for n, item in enumerate(items, start=1):
            values = {
                "order": n,
                "label": str(item["label"]).strip()[:60],
                "track": item["track"],
                "anchor": item["anchor"],
                "offset_days": item["offset_days"],
                "window_days": item["window_days"],
            }
            if item.get("id") is not None:
                HomeVisitScheduleItem.objects.filter(pk=item["id"]).update(**values)
            else:
                HomeVisitScheduleItem.objects.create(schedule=schedule, **values)
        schedule.save(update_fields=["updated_at"])
        access_log_record(
            user=actor,
            request=request,
            action=AccessLog.Action.CHANGE,
            object_type="home_visit_schedule",
            object_id=schedule.pk,
            detail={"items": len(items)},
        )
    return list(schedule.items.all())


# --- calendar feed ----------------------------------------------------------------------------------


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_create(*, actor: User) -> str:
    """A new secret feed token for the actor (the old one stops working). Returned once, stored hashed."""
    if not access.is_visitor(actor):
        raise PermissionDenied("방문 일정 구독은 방문하는 직원만 만들 수 있습니다.")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.filter(user=actor, revoked_at__isnull=True).update(revoked_at=timezone.now())
        CalendarFeed.objects.create(user=actor, token_hash=feed_token_hash(token))
    return token


def calendar_feed_revoke(*, actor: User) -> int:
    return CalendarFeed.objects.filter(user=actor, revoked_at__isnull=True).update(revoked_at=timezone.now())


def calendar_feed_user(token: str) -> User | None:
    """The active staff member behind a feed token (None if unknown, revoked or the account is off)."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=feed_token_hash(token), revoked_at__isnull=True)
        .first()
    )
    if feed is None or not access.is_visitor(feed.user):
        return None
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed.user
