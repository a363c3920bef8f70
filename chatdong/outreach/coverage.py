"""Coverage of the outreach programs (방문 현황): how many targets each 동, program and staff member has,
and how many are consented, visited, refused, pending, overdue or have an open referral.

Every figure is counted by the database from the work records (Target, Visit, Referral) in one grouped
query over the targets of the period, grouped by 동/program/staff (see _grouped_figures). Nothing is
typed in: what the visits say is read from Target.visit_made / visit_refused, which the visits app keeps
in the transaction that records a visit. The figures' conditions (_conditions) also select the list behind a figure (the
drill-down), so a list has exactly as many rows as the figure it came from.

Aggregates are not personal data: every role that covers a 동 (accounts.access.dongs_in_scope) sees its
figures. The lists behind them are personal data: PERSONAL_DATA_ROLES only, scoped by the target lists'
own rule (outreach.access.targets_visible_to), and every list page or download is written to the access
log. Definitions: docs/coverage.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from chatdong.accounts import access as accounts_access
from chatdong.accounts.models import Dong, Scope, User
from chatdong.audit.models import AccessLog
from chatdong.audit.services import access_log_record
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.core.time import today
from chatdong.outreach import access as outreach_access
from chatdong.outreach.models import Program, Target
from chatdong.referrals.models import Referral
from chatdong.registry.models import Resident
from chatdong.visits.models import Visit

# --- the figures ------------------------------------------------------------------------------------

# (name, Korean label) in the order of the table columns.
FIGURES: tuple[tuple[str, str], ...] = (
    ("targets", "대상"),
    ("consented", "동의"),
    ("visited", "방문 완료"),
    ("refused", "거부"),
    ("pending", "미방문"),
    ("overdue", "기한 경과"),
    ("referrals_open", "의뢰 진행"),
)
FIGURE_NAMES: tuple[str, ...] = tuple(name for name, _ in FIGURES)
FIGURE_LABELS: dict[str, str] = dict(FIGURES)

# A target counts while it is open or done; a cancelled one (moved out, died, taken off the list) does not.
COUNTED_STATUSES = (Target.Status.OPEN, Target.Status.DONE)
REFUSED_CONSENTS = (Target.Consent.REFUSED, Target.Consent.WITHDRAWN)
OPEN_REFERRAL_STATUSES = (Referral.Status.SENT, Referral.Status.ACCEPTED)
VISIT_REFERRAL_SOURCES = (Referral.Source.VISIT, Referral.Source.SCREENING)

# Target.due_on is added by the target-list work; until it exists the due date is the latest planned visit's.
TARGET_HAS_DUE_ON = any(f.name == "due_on" for f in Target._meta.get_fields())

# Target.visit_made / visit_refused: what the target's visits say, kept by the visits app when a visit
# is recorded (models.Target). Reading them instead of looking into the visits per target is what keeps
# a whole district's figures cheap (docs/coverage.md).
_REFUSED = Q(consent__in=REFUSED_CONSENTS) | Q(visit_refused=True)
# Cheap column tests first: databases stop at the first false part, before the overdue subquery.
_PENDING = Q(status=Target.Status.OPEN) & Q(visit_made=False) & ~_REFUSED


def _conditions(on: dt.date) -> dict[str, Q]:
    """The condition of each figure over targets annotated by _annotate(…, on)."""
    return {
        "targets": Q(),
        "consented": Q(consent=Target.Consent.GIVEN),
        "visited": Q(visit_made=True),
        "refused": _REFUSED,
        "pending": _PENDING,
        "overdue": _PENDING & Q(cov_overdue=True),
        "referrals_open": Q(cov_referral_open=True),
    }


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _target_in(queryset: QuerySet[Any], column: str, outer: str = "pk", *, hashed: bool = False) -> Q:
    """`outer` is among queryset's `column` values, as a correlated EXISTS (an index probe per target) or,
    with hashed=True, as `IN (uncorrelated subquery)`, which the database reads once per query (and
    PostgreSQL hashes): much faster when every target of a district is tested against a short list."""
    if hashed:
        return Q(**{f"{outer}__in": queryset.order_by().values(column)})
    return Q(Exists(queryset.filter(**{column: OuterRef(outer)})))


def _annotate(targets: QuerySet[Target], on: dt.date) -> QuerySet[Target]:
    """Each target with what the visits and referrals say beyond Target's own columns: past its due date
    on `on` (Target.due_on; without one, its planned visit's due date — a target has at most one
    planned visit at a time: an index probe, only for targets without a due date), and an open referral
    that came from a visit or a screening of the person (for a household target: of the household; open
    referrals are few, read once per query)."""
    overdue_visit = _target_in(
        Visit.objects.filter(outcome=Visit.Outcome.PLANNED, due_on__lt=on), "target_id"
    )
    overdue = (
        (Q(due_on__lt=on) | Q(due_on__isnull=True) & overdue_visit) if TARGET_HAS_DUE_ON else overdue_visit
    )
    open_referrals = Referral.objects.filter(
        status__in=OPEN_REFERRAL_STATUSES, source__in=VISIT_REFERRAL_SOURCES
    )
    return targets.annotate(
        cov_overdue=_flag(overdue),
        cov_referral_open=_flag(
            _target_in(
                open_referrals.filter(resident__isnull=False), "resident_id", "resident_id", hashed=True
            )
            | Q(resident__isnull=True)
            & _target_in(
                open_referrals.filter(household__isnull=False), "household_id", "household_id", hashed=True
            )
        ),
    )


def _with_due(targets: QuerySet[Target]) -> QuerySet[Target]:
    """The due date shown on a list: Target.due_on, else the planned visit's (a few rows: a page)."""
    planned_due = Subquery(
        Visit.objects.filter(target=OuterRef("pk"), outcome=Visit.Outcome.PLANNED, due_on__isnull=False)
        .order_by("-id")
        .values("due_on")[:1],
        output_field=DateField(),
    )
    due: Any = (
        Coalesce(F("due_on"), planned_due, output_field=DateField()) if TARGET_HAS_DUE_ON else planned_due
    )
    return targets.annotate(cov_due=due)


@dataclass
class Figures:
    targets: int = 0
    consented: int = 0
    visited: int = 0
    refused: int = 0
    pending: int = 0
    overdue: int = 0
    referrals_open: int = 0

    def add(self, other: Figures) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in FIGURE_NAMES}

    def cells(self) -> list[tuple[str, str, int]]:
        """(figure, label, value) in column order, for templates."""
        return [(name, label, getattr(self, name)) for name, label in FIGURES]

    @property
    def visited_share(self) -> float:
        """방문율: visited of targets, 0–100."""
        return 100 * self.visited / self.targets if self.targets else 0.0


# --- the period -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    year: int
    month: int | None = None

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.month or 1, 1)

    @property
    def end(self) -> dt.date:
        if self.month is None:
            return dt.date(self.year, 12, 31)
        following = dt.date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.year}년 {self.month}월" if self.month else f"{self.year}년"


def period_make(*, year: int | None, month: int | None = None) -> Period:
    """The period asked for (default: this year), checked."""
    year = year if year is not None else today().year
    errors: dict[str, list[str]] = {}
    if not 2000 <= year <= 2100:
        errors["year"] = ["연도는 2000~2100 사이로 적어 주세요."]
    if month is not None and not 1 <= month <= 12:
        errors["month"] = ["월은 1~12 사이로 적어 주세요."]
    if errors:
        raise ValidationFailed("기간을 확인해 주세요.", errors)
    return Period(year=year, month=month)


def _in_period(targets: QuerySet[Target], period: Period) -> QuerySet[Target]:
    """Targets whose list period overlaps the period: a year's list in each of its months, a month's list
    in its month and its year. Written as a range on period_start so the (program, period_start, …)
    index serves it."""
    return targets.filter(period_start__lte=period.end, period_end__gte=period.start)


# --- who may see what -------------------------------------------------------------------------------


def can_view_coverage(user: User) -> bool:
    """Figures: every role that covers 동 (the 동 overview roles), for the 동 it covers."""
    return accounts_access.is_active_staff(user) and user.role in accounts_access.OVERVIEW_ROLES


def can_view_coverage_lists(user: User) -> bool:
    """The lists behind the figures name residents: personal-data roles only."""
    return accounts_access.can_view_personal_data(user)


def coverage_dongs(user: User) -> QuerySet[Dong]:
    return accounts_access.dongs_in_scope(user)


def coverage_programs(user: User) -> QuerySet[Program]:
    district_id = accounts_access.user_district_id(user)
    if not can_view_coverage(user) or district_id is None:
        return Program.objects.none()
    return Program.objects.filter(district_id=district_id)


def targets_listable_by(user: User) -> QuerySet[Target]:
    """The targets whose names the user may see: the target lists' own rule (outreach.access) — the
    district, the 동, a planner's or nurse's own programs and assignments, an officer's zones."""
    if not can_view_coverage_lists(user):
        return Target.objects.none()
    return outreach_access.targets_visible_to(user)


def list_may_be_partial(user: User) -> bool:
    """Whether the user's lists can be narrower than the figures (which cover the whole 동)."""
    return user.scope == Scope.ZONE or user.role in outreach_access.VISIT_ROLES


# --- figures ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What a figure or list is restricted to (ids already checked against the user's scope)."""

    period: Period
    program: Program | None = None
    dong: Dong | None = None
    # A staff member's targets (Target.assignee); UNASSIGNED = targets nobody is assigned to.
    staff_id: int | None = None

    def query(self) -> dict[str, str]:
        """As URL query parameters (for links to the list behind a figure)."""
        params = {"year": str(self.period.year)}
        if self.period.month:
            params["month"] = str(self.period.month)
        if self.program is not None:
            params["program"] = str(self.program.pk)
        if self.dong is not None:
            params["dong"] = str(self.dong.pk)
        if self.staff_id is not None:
            params["staff"] = str(self.staff_id)
        return params


UNASSIGNED = 0


@dataclass
class CoverageRow:
    dong: Dong | None
    program: Program | None
    staff: User | None
    unassigned: bool
    figures: Figures

    @property
    def staff_id(self) -> int | None:
        if self.unassigned:
            return UNASSIGNED
        return self.staff.pk if self.staff is not None else None


@dataclass
class Coverage:
    filters: Filters
    by: str
    rows: list[CoverageRow]
    totals: Figures
    on: dt.date
    dongs: list[Dong] = field(default_factory=list)
    programs: list[Program] = field(default_factory=list)


def coverage_filters(
    *,
    user: User,
    year: int | None,
    month: int | None = None,
    program_id: int | None = None,
    dong_id: int | None = None,
    staff_id: int | None = None,
) -> Filters:
    """Checks the filters against what the user covers: a 동 or program outside it is NotFound."""
    if not can_view_coverage(user):
        raise PermissionDenied("방문 현황을 볼 수 있는 역할이 아닙니다.")
    period = period_make(year=year, month=month)
    dong = None
    if dong_id is not None:
        dong = coverage_dongs(user).filter(pk=dong_id).first()
        if dong is None:
            raise NotFound("동을 찾을 수 없습니다.")
    program = None
    if program_id is not None:
        program = coverage_programs(user).filter(pk=program_id).first()
        if program is None:
            raise NotFound("방문 사업을 찾을 수 없습니다.")
    return Filters(period=period, program=program, dong=dong, staff_id=staff_id)


def _filtered(targets: QuerySet[Target], filters: Filters) -> QuerySet[Target]:
    targets = _in_period(targets.filter(status__in=COUNTED_STATUSES), filters.period)
    if filters.program is not None:
        targets = targets.filter(program=filters.program)
    if filters.dong is not None:
        targets = targets.filter(dong=filters.dong)
    if filters.staff_id == UNASSIGNED:
        targets = targets.filter(assignee__isnull=True)
    elif filters.staff_id is not None:
        targets = targets.filter(assignee_id=filters.staff_id)
    return targets


def _grouped_figures(
    targets: QuerySet[Target], group: Sequence[str], on: dt.date
) -> dict[tuple[Any, ...], Figures]:
    """The figures per group in one query: COUNT(*) FILTER (WHERE …) per figure, with the figures'
    conditions (_conditions), the same on both databases. It reads the period's targets from the table
    (a list's rows sit together there; docs/coverage.md)."""
    conditions = _conditions(on)
    aggregates = {name: Count("pk", filter=conditions[name]) for name in FIGURE_NAMES}
    rows = _annotate(targets, on).values(*group).annotate(**aggregates).order_by()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The planner costs the overdue subquery as if it ran for every target (it runs only for
            # those without a due date), which puts the query over jit_above_cost: compiling it took
            # longer (~30 ms) than running it. Off for this transaction only.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        found = list(rows)
    return {
        tuple(row[g] for g in group): Figures(**{name: row[name] for name in FIGURE_NAMES}) for row in found
    }


# The query groups by (program, 동) whatever `by` asks (except staff): the target index on (program,
# period_start, 동, status) then serves the scan, and by=dong / by=program add up its few hundred rows.
_GROUP_FIELDS: dict[str, tuple[str, ...]] = {
    "dong": ("program_id", "dong_id"),
    "program": ("program_id", "dong_id"),
    "staff": ("assignee_id",),
    "dong_program": ("program_id", "dong_id"),
}
_KEY_OF: dict[str, Any] = {
    "dong": lambda key: (key[1],),
    "program": lambda key: (key[0],),
    "staff": lambda key: key,
    "dong_program": lambda key: (key[1], key[0]),
}


def coverage_figures(
    *, user: User, filters: Filters, by: str = "dong_program", on: dt.date | None = None
) -> Coverage:
    """The figures of the 동 the user covers, grouped `by` 동, program, staff member (Target.assignee) or
    동 × program, in one grouped query. Rows: every 동 in scope (by=dong), every program of the district
    (by=program), and the groups that have targets (by=staff, by=dong_program); totals = all of them."""
    if not can_view_coverage(user):
        raise PermissionDenied("방문 현황을 볼 수 있는 역할이 아닙니다.")
    if by not in _GROUP_FIELDS:
        raise ValidationFailed("집계 기준(by)은 dong, program, staff, dong_program 중 하나입니다.")
    on = on or today()
    dongs = list(coverage_dongs(user).order_by("code"))
    programs = list(coverage_programs(user).order_by("code"))
    targets = _filtered(Target.objects.filter(dong__in=[d.pk for d in dongs]), filters)
    grouped = _grouped_figures(targets, _GROUP_FIELDS[by], on)
    by_key: dict[tuple[Any, ...], Figures] = {}
    for key, figures in grouped.items():
        by_key.setdefault(_KEY_OF[by](key), Figures()).add(figures)

    dong_of = {d.pk: d for d in dongs}
    program_of = {p.pk: p for p in programs}
    rows: list[CoverageRow] = []
    if by == "dong":
        shown_dongs = [filters.dong] if filters.dong is not None else dongs
        rows = [
            CoverageRow(d, filters.program, None, False, by_key.get((d.pk,), Figures())) for d in shown_dongs
        ]
    elif by == "program":
        shown_programs = [filters.program] if filters.program is not None else programs
        rows = [
            CoverageRow(filters.dong, p, None, False, by_key.get((p.pk,), Figures())) for p in shown_programs
        ]
    elif by == "dong_program":
        for (dong_id, program_id), figures in sorted(
            by_key.items(), key=lambda kv: (dong_of[kv[0][0]].code, program_of[kv[0][1]].code)
        ):
            rows.append(CoverageRow(dong_of[dong_id], program_of[program_id], None, False, figures))
    else:
        staff_of = {u.pk: u for u in User.objects.filter(pk__in=[k[0] for k in by_key if k[0] is not None])}
        for (staff_id,), figures in by_key.items():
            staff = staff_of.get(staff_id) if staff_id is not None else None
            rows.append(CoverageRow(filters.dong, filters.program, staff, staff_id is None, figures))
        rows.sort(key=lambda r: (r.unassigned, r.staff.full_name if r.staff else "", r.staff_id or 0))
    totals = Figures()
    for figures in by_key.values():
        totals.add(figures)
    return Coverage(filters=filters, by=by, rows=rows, totals=totals, on=on, dongs=dongs, programs=programs)


def rows_by_dong(result: Coverage) -> list[tuple[Dong, Figures]]:
    """The rows of a 동 × program result summed per 동 (groups, not targets: the 동 partition them), for
    every 동 shown."""
    sums: dict[int, Figures] = {}
    for row in result.rows:
        if row.dong is not None:
            sums.setdefault(row.dong.pk, Figures()).add(row.figures)
    shown = [result.filters.dong] if result.filters.dong is not None else result.dongs
    return [(dong, sums.get(dong.pk, Figures())) for dong in shown]


# --- the lists behind the figures (personal data) ---------------------------------------------------


@dataclass
class TargetList:
    filters: Filters
    figure: str
    targets: list[Target]
    total: int
    on: dt.date
    partial: bool  # the user sees only part of the 동's targets (her zone, her programs, her assignments)


def _list_queryset(*, user: User, filters: Filters, figure: str, on: dt.date) -> QuerySet[Target]:
    if figure not in FIGURE_NAMES:
        raise ValidationFailed("항목(figure)을 확인해 주세요.", {"figure": ["알 수 없는 항목입니다."]})
    # The figures' scope (the 동 covered) and the list's scope (whose names may be seen) both apply.
    targets = targets_listable_by(user).filter(dong__in=coverage_dongs(user))
    targets = _with_due(_annotate(_filtered(targets, filters), on).filter(_conditions(on)[figure]))
    return targets.select_related(
        "program", "dong", "resident__ban__tong", "household__ban__tong", "assignee"
    ).order_by("dong__code", "program__code", "period_start", "id")


def _list_user(user: User) -> None:
    if not can_view_coverage_lists(user):
        raise PermissionDenied("대상자 명단을 볼 권한이 없습니다. 집계만 볼 수 있습니다.")


def _subjects(targets: Iterable[Target]) -> list[int]:
    """Whose data the list shows: the resident of a person target, the current members of a household
    target (as the registry logs a household)."""
    targets = list(targets)
    people = [t.resident_id for t in targets if t.resident_id is not None]
    households = [t.household_id for t in targets if t.resident_id is None and t.household_id is not None]
    if households:
        members = Resident.objects.filter(household_id__in=households, status=Resident.Status.RESIDENT)
        people += list(members.order_by("pk").values_list("pk", flat=True))
    return list(dict.fromkeys(people))


def coverage_target_list(
    *,
    user: User,
    request: HttpRequest | None,
    filters: Filters,
    figure: str,
    offset: int = 0,
    limit: int = 50,
    on: dt.date | None = None,
) -> TargetList:
    """One page of the targets behind a figure, scoped to whose names the user may see, logged as a
    view of the people on the page."""
    _list_user(user)
    on = on or today()
    queryset = _list_queryset(user=user, filters=filters, figure=figure, on=on)
    total = queryset.count()
    page = list(queryset[offset : offset + limit])
    access_log_record(
        user=user,
        request=request,
        action=AccessLog.Action.VIEW,
        object_type="outreach_coverage_list",
        subjects=_subjects(page),
        detail={**filters.query(), "figure": figure, "offset": offset, "limit": limit},
    )
    return TargetList(filters, figure, page, total, on, list_may_be_partial(user))


def coverage_target_download(
    *,
    user: User,
    request: HttpRequest | None,
    filters: Filters,
    figure: str,
    reason: str,
    on: dt.date | None = None,
) -> TargetList:
    """Every target behind a figure, for a download: needs a stated reason, logged as DOWNLOAD."""
    _list_user(user)
    if not reason.strip():
        raise ValidationFailed(
            "개인정보를 내려받을 때는 사유를 적어야 합니다.", {"reason": ["내려받는 사유를 적어 주세요."]}
        )
    on = on or today()
    targets = list(_list_queryset(user=user, filters=filters, figure=figure, on=on))
    access_log_record(
        user=user,
        request=request,
        action=AccessLog.Action.DOWNLOAD,
        object_type="outreach_coverage_list",
        subjects=_subjects(targets),
        reason=reason,
        detail={**filters.query(), "figure": figure, "rows": len(targets)},
    )
    return TargetList(filters, figure, targets, len(targets), on, list_may_be_partial(user))


def target_name(target: Target) -> str:
    if target.resident is not None:
        return target.resident.name
    if target.household is not None:
        return f"세대 {target.household.household_no}"
    return ""


def target_address(target: Target) -> str:
    place = target.resident or target.household
    if place is None:
        return ""
    road = f"{place.road_name} {place.building_main}" + (
        f"-{place.building_sub}" if place.building_sub else ""
    )
    ban = f" ({place.ban.tong.number}통 {place.ban.number}반)" if place.ban is not None else ""
    return road + (f" {place.address_detail}" if place.address_detail else "") + ban


def target_due(target: Target) -> dt.date | None:
    value = getattr(target, "cov_due", None)
    return value if isinstance(value, dt.date) else None


def figure_label(figure: str) -> str:
    return FIGURE_LABELS.get(figure, figure)
