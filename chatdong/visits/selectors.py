"""Reads of visits, their forms and the 서울아기 schedule. Every read of personal data is scoped by
visits.access and written to the access log (health data separately, as 민감정보)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from chatdong.accounts.models import User
from chatdong.audit.models import AccessLog
from chatdong.audit.services import access_log_record
from chatdong.core.errors import NotFound, PermissionDenied
from chatdong.core.time import today
from chatdong.outreach.models import Program, Target
from chatdong.referrals.models import Referral
from chatdong.visits import access, scoring
from chatdong.visits.instruments import INSTRUMENTS
from chatdong.visits.models import (
    HealthAssessment,
    HomeVisitSchedule,
    HomeVisitScheduleItem,
    Screening,
    Visit,
)
from chatdong.visits.schedule import anchors, item_window

# What to bring, per program kind. A district overrides it per program with rule["bring"] (a list).
DEFAULT_KIT: dict[str, tuple[str, ...]] = {
    Program.Kind.ELDER_PLANNER: ("복지서비스 안내 리플릿", "GDS-15 평가지", "방문 동의서"),
    Program.Kind.ELDER_NURSE: ("혈압계", "혈당측정기", "건강평가지", "GDS-15 평가지"),
    Program.Kind.CHILD: ("출산·양육 지원 안내 리플릿", "K-EPDS 평가지", "방문 동의서"),
    Program.Kind.INFANT_HEALTH: ("영아 체중계", "혈압계", "K-EPDS 평가지", "모유수유 안내 자료"),
    Program.Kind.POVERTY: ("긴급복지 안내 리플릿", "복지욕구 확인표", "PHQ-9 평가지"),
    Program.Kind.YOUTH: ("청소년 지원 안내 리플릿", "PHQ-9 평가지"),
}
NURSE_KIT = ("혈압계",)

_VISIT_RELATED = (
    "target__program",
    "resident",
    "household__ban__tong",
    "staff",
    "co_staff",
    "dong",
)
# Walking order: 통, 반, then road name and building number (a street-by-street walk of each 반).
WALK_ORDER = (
    "household__ban__tong__number",
    "household__ban__number",
    "household__road_name",
    "household__building_main",
    "household__building_sub",
    "id",
)


def kit_for(visit: Visit, user: User) -> list[str]:
    program = visit.target.program
    bring = (program.rule or {}).get("bring") if isinstance(program.rule, dict) else None
    items = list(bring) if isinstance(bring, list) else list(DEFAULT_KIT.get(program.kind, ()))
    if user.role in access.NURSE_ROLES:
        items += [item for item in NURSE_KIT if item not in items]
    return [str(item) for item in items]


def _subjects(visits: list[Visit]) -> list[int]:
    return sorted({v.resident_id for v in visits if v.resident_id})


def _place(visit: Visit) -> tuple[int | None, int | None]:
    ban = visit.household.ban if visit.household is not None else None
    return (ban.tong.number, ban.number) if ban is not None else (None, None)


def place_label(visit: Visit) -> str:
    tong, ban = _place(visit)
    return f"{tong}통 {ban}반" if tong is not None else "통·반 미상"


@dataclass
class DayRow:
    visit: Visit
    kit: list[str]


@dataclass
class DayGroup:
    label: str
    rows: list[DayRow] = field(default_factory=list)


@dataclass
class Day:
    day: dt.date
    groups: list[DayGroup]
    kit: list[str]  # everything to bring for the day
    count: int
    done: int


def my_visits(user: User) -> QuerySet[Visit]:
    """The user's own visits (as visitor or companion), within her scope."""
    return access.visits_visible_to(user).filter(Q(staff=user) | Q(co_staff=user))


def visit_day(*, user: User, day: dt.date, request: HttpRequest | None) -> Day:
    """A staff member's visits of one day, grouped by 통/반 in walking order (logged as a search)."""
    if not access.is_visitor(user):
        raise PermissionDenied("오늘의 방문은 방문하는 복지플래너·간호사의 화면입니다.")
    visits = list(
        my_visits(user)
        .filter(scheduled_on=day)
        .exclude(outcome=Visit.Outcome.CANCELLED)
        .select_related(*_VISIT_RELATED)
        .order_by(*WALK_ORDER)
    )
    groups = [
        DayGroup(label=label, rows=[DayRow(v, kit_for(v, user)) for v in rows])
        for label, rows in groupby(visits, key=place_label)
    ]
    kit: list[str] = []
    for visit in visits:
        kit += [item for item in kit_for(visit, user) if item not in kit]
    if visits:
        access_log_record(
            user=user,
            request=request,
            action=AccessLog.Action.SEARCH,
            object_type="visit_day",
            object_id=day.isoformat(),
            subjects=_subjects(visits),
        )
    done = sum(1 for v in visits if v.outcome != Visit.Outcome.PLANNED)
    return Day(day=day, groups=groups, kit=kit, count=len(visits), done=done)


def visit_scoped(*, user: User, visit_id: int) -> Visit:
    """The visit if the user may see it (no log: callers that show personal data log)."""
    visit = access.visits_visible_to(user).select_related(*_VISIT_RELATED).filter(pk=visit_id).first()
    if visit is None:
        raise NotFound("방문을 찾을 수 없습니다.")
    return visit


@dataclass
class VisitDetail:
    visit: Visit
    can_record: bool
    can_view_health: bool
    can_record_health: bool
    needs: list
    health: HealthAssessment | None
    screenings: list[Screening]
    screening_count: int
    referrals: list[Referral]
    history: list[Visit]


def visit_get(*, user: User, visit_id: int, request: HttpRequest | None) -> VisitDetail:
    visit = visit_scoped(user=user, visit_id=visit_id)
    subjects = [visit.resident_id] if visit.resident_id else []
    access_log_record(
        user=user,
        request=request,
        action=AccessLog.Action.VIEW,
        object_type="visit",
        object_id=visit.pk,
        subjects=subjects,
    )
    see_health = access.can_view_health(user, visit)
    health = HealthAssessment.objects.filter(visit=visit).first() if see_health else None
    screenings = list(Screening.objects.filter(visit=visit).select_related("referral")) if see_health else []
    if see_health and (health is not None or screenings):
        access_log_record(
            user=user,
            request=request,
            action=AccessLog.Action.VIEW,
            object_type="visit_health",
            object_id=visit.pk,
            subjects=subjects,
        )
    screening_ids = list(Screening.objects.filter(visit=visit).values_list("pk", flat=True))
    referrals = list(
        Referral.objects.filter(
            Q(source=Referral.Source.VISIT, source_id=visit.pk)
            | Q(source=Referral.Source.SCREENING, source_id__in=screening_ids)
        ).order_by("id")
    )
    history = list(
        access.visits_visible_to(user)
        .filter(target_id=visit.target_id)
        .exclude(pk=visit.pk)
        .order_by("-scheduled_on", "-id")[:20]
    )
    return VisitDetail(
        visit=visit,
        can_record=access.can_record(user, visit),
        can_view_health=see_health,
        can_record_health=access.can_record_health(user, visit),
        needs=list(visit.needs.all()),
        health=health,
        screenings=screenings,
        screening_count=len(screening_ids),
        referrals=referrals,
        history=history,
    )


def visit_list(
    *,
    user: User,
    request: HttpRequest | None,
    dong_id: int | None = None,
    staff_id: int | None = None,
    outcome: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    mine: bool = False,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Visit], int]:
    visits = my_visits(user) if mine else access.visits_visible_to(user)
    if dong_id is not None:
        visits = visits.filter(dong_id=dong_id)
    if staff_id is not None:
        visits = visits.filter(Q(staff_id=staff_id) | Q(co_staff_id=staff_id))
    if outcome:
        visits = visits.filter(outcome=outcome)
    if date_from is not None:
        visits = visits.filter(scheduled_on__gte=date_from)
    if date_to is not None:
        visits = visits.filter(scheduled_on__lte=date_to)
    total = visits.count()
    rows = list(
        visits.select_related(*_VISIT_RELATED).order_by("-scheduled_on", *WALK_ORDER)[offset : offset + limit]
    )
    if rows:
        access_log_record(
            user=user,
            request=request,
            action=AccessLog.Action.SEARCH,
            object_type="visit_list",
            subjects=_subjects(rows),
        )
    return rows, total


def screening_get(*, user: User, screening_id: int, request: HttpRequest | None) -> Screening:
    screening = (
        access.screenings_visible_to(user)
        .select_related("visit", "referral", "dong")
        .filter(pk=screening_id)
        .first()
    )
    if screening is None:
        raise NotFound("마음건강 평가를 찾을 수 없습니다.")
    access_log_record(
        user=user,
        request=request,
        action=AccessLog.Action.VIEW,
        object_type="screening",
        object_id=screening.pk,
        subjects=[screening.resident_id] if screening.resident_id else [],
    )
    return screening


def screening_summary(screening: Screening) -> dict[str, str]:
    """A screening as label → text, for pages that show it (the 의약과 referral page)."""
    instrument = INSTRUMENTS[screening.kind]
    points = scoring.item_scores(screening.kind, list(screening.answers))
    summary = {
        "평가 도구": instrument.title,
        "총점": f"{screening.score}점",
        "판정": screening.band + (" · 양성" if screening.positive else ""),
        "긴급": "예 — 자살위험 문항 응답" if screening.urgent else "아니오",
        "평가일": f"{timezone.localtime(screening.created_at):%Y-%m-%d %H:%M}",
        "평가자": screening.staff.full_name or screening.staff.username,
        "문항별 점수": " · ".join(f"{n}:{p}" for n, p in enumerate(points, start=1)),
    }
    if screening.follow_up == "sbqr":
        summary["추가 평가"] = "SBQ-R 권고"
    return summary


def screening_for_referral(
    *, user: User, referral: Referral, request: HttpRequest | None = None
) -> dict[str, str] | None:
    """The screening behind a referral (source "screening") as label → text, for the 의약과 referral
    page: None when the referral did not come from a screening or the user may not see it (health
    data: HEALTH_MEDICAL for referred screenings, the visit's staff, the 동's nurses and supervisor).
    Each view is logged."""
    if referral.source != Referral.Source.SCREENING or referral.source_id is None:
        return None
    screening = (
        access.screenings_visible_to(user).select_related("staff").filter(pk=referral.source_id).first()
    )
    if screening is None:
        return None
    access_log_record(
        user=user,
        request=request,
        action=AccessLog.Action.VIEW,
        object_type="screening",
        object_id=screening.pk,
        subjects=[screening.resident_id] if screening.resident_id else [],
        detail={"referral": referral.pk},
    )
    return screening_summary(screening)


def health_assessment_get(*, user: User, visit_id: int, request: HttpRequest | None) -> HealthAssessment:
    assessment = (
        access.health_assessments_visible_to(user).select_related("visit").filter(visit_id=visit_id).first()
    )
    if assessment is None:
        raise NotFound("건강 평가를 찾을 수 없습니다.")
    access_log_record(
        user=user,
        request=request,
        action=AccessLog.Action.VIEW,
        object_type="health_assessment",
        object_id=assessment.pk,
        subjects=[assessment.visit.resident_id] if assessment.visit.resident_id else [],
    )
    return assessment


# --- 서울아기 건강첫걸음 ------------------------------------------------------------------------------


def schedule_for_user(user: User) -> HomeVisitSchedule:
    from chatdong.visits.services import schedule_ensure  # the schedule is seeded on first use

    district = user.dong.district if user.dong is not None else user.district
    if district is None or not access.is_active_staff(user):
        raise NotFound("영유아 방문 일정을 찾을 수 없습니다.")
    schedule_ensure(district=district)
    return access.schedules_visible_to(user).get(district=district)


@dataclass
class DueItem:
    item: HomeVisitScheduleItem
    opens_on: dt.date
    due_on: dt.date
    overdue: bool


@dataclass
class InfantRow:
    target: Target
    sustained: bool
    anchor_birth: dt.date | None
    anchor_expected: dt.date | None
    due: list[DueItem]


def infant_due_list(
    *, user: User, on: dt.date | None = None, request: HttpRequest | None = None
) -> list[InfantRow]:
    """For each open 영유아 건강간호 target of the nurse (hers, or unassigned in her 동): the scheduled
    visits that are due (open window) or overdue (window passed, no visit made for the item). Sustained
    items count for targets whose program rule or visits put them on the sustained programme (a
    planned or made visit for a sustained item)."""
    if not access.can_view_infant_list(user):
        raise PermissionDenied("영유아 방문 목록은 영유아 건강간호사와 동 관리자의 화면입니다.")
    day = on or today()
    schedule = schedule_for_user(user)
    items = list(schedule.items.all())
    targets = Target.objects.filter(
        dong_id=user.dong_id or 0, program__kind=Program.Kind.INFANT_HEALTH, status=Target.Status.OPEN
    ).exclude(consent__in=("refused", "withdrawn"))
    if user.role not in access.OVERSIGHT_ROLES:
        targets = targets.filter(Q(assignee=user) | Q(co_assignee=user) | Q(assignee__isnull=True))
    related = ["program", "resident"] + (["pregnancy"] if hasattr(Target, "pregnancy") else [])
    targets_list = list(targets.select_related(*related).order_by("id")[:500])
    visits = Visit.objects.filter(target__in=targets_list, schedule_item__isnull=False).exclude(
        outcome=Visit.Outcome.CANCELLED
    )
    made: dict[int, set[int]] = {}
    sustained: set[int] = set()
    item_track = {i.pk: i.track for i in items}
    for target_id, item_id, outcome in visits.values_list("target_id", "schedule_item_id", "outcome"):
        if item_track.get(item_id) == HomeVisitScheduleItem.Track.SUSTAINED:
            sustained.add(target_id)
        if outcome in (Visit.Outcome.VISITED, Visit.Outcome.PLANNED):
            made.setdefault(target_id, set()).add(item_id)
    rows: list[InfantRow] = []
    for target in targets_list:
        birth, expected = anchors(target)
        on_sustained = target.pk in sustained or bool((target.program.rule or {}).get("sustained"))
        due: list[DueItem] = []
        for item in items:
            if item.track == HomeVisitScheduleItem.Track.SUSTAINED and not on_sustained:
                continue
            window = item_window(target, item)
            if window is None or item.pk in made.get(target.pk, set()):
                continue
            opens, until = window
            if opens <= day:
                due.append(DueItem(item, opens, until, until < day))
        if due:
            rows.append(InfantRow(target, on_sustained, birth, expected, due))
    if rows:
        access_log_record(
            user=user,
            request=request,
            action=AccessLog.Action.SEARCH,
            object_type="infant_due_list",
            subjects=sorted({r.target.resident_id for r in rows if r.target.resident_id}),
        )
    return rows


def calendar_visits(user: User, *, start: dt.date, end: dt.date) -> list[Visit]:
    """The user's planned and recorded visits between two days, for the iCal feed (no names used)."""
    return list(
        my_visits(user)
        .filter(scheduled_on__gte=start, scheduled_on__lte=end)
        .exclude(outcome=Visit.Outcome.CANCELLED)
        .select_related("target__program", "household__ban__tong")
        .order_by("scheduled_on", *WALK_ORDER)
    )


def plannable_targets(user: User) -> QuerySet[Target]:
    """Open targets of the user's 동 she may plan a visit for (outreach's scope)."""
    from chatdong.outreach.access import targets_visible_to

    if not access.can_plan_visits(user):
        return Target.objects.none()
    return (
        targets_visible_to(user)
        .filter(status=Target.Status.OPEN, dong_id=user.dong_id or 0)
        .exclude(consent__in=("refused", "withdrawn"))
    )
