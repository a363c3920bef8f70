"""Reads of cases. Every read starts from access.cases_visible_to; reads that show a person's data to a
user record themselves in the access log (the list as a search, the detail as a view, the export as a
download)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.http import HttpRequest

from chatdong.accounts.models import Dong, User
from chatdong.audit.models import AccessLog
from chatdong.audit.services import access_log_record
from chatdong.cases import access, chain
from chatdong.cases.models import (
    Assessment,
    Case,
    CaseAgency,
    CaseCheck,
    CaseStepChange,
    Consent,
    RiskLevel,
    ServiceLinkage,
    ServicePlan,
    ShareScope,
    Supervision,
)
from chatdong.core.errors import NotFound
from chatdong.core.time import today
from chatdong.registry.models import Resident

S = Case.Step
NO_CONTACT_DAYS_DEFAULT = 30


def no_contact_days() -> int:
    return int(getattr(settings, "CHATDONG_CASE_NO_CONTACT_DAYS", NO_CONTACT_DAYS_DEFAULT))


def _open(queryset: QuerySet[Case]) -> QuerySet[Case]:
    return queryset.filter(step__in=chain.OPEN_STEPS)


def cases_overdue(*, day: dt.date | None = None, dong: Dong | None = None) -> QuerySet[Case]:
    """Cases whose current step is past its due date (unscoped: for the flagging job; callers that
    show cases to a user start from access.cases_visible_to)."""
    day = day or today()
    queryset = Case.objects.filter(due_on__lt=day).exclude(step__in=(S.CLOSED, S.ENDED))
    return queryset.filter(dong=dong) if dong is not None else queryset


def _awaiting_plan_approval() -> Exists:
    return Exists(ServicePlan.objects.filter(case=OuterRef("pk"), approved_on__isnull=True))


@dataclass
class DecisionItem:
    case: Case
    reasons: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # meeting | plan | closure | overdue


def cases_needing_decision(*, user: User, dong: Dong) -> list[DecisionItem]:
    """The case-meeting agenda of a 동: cases at 사례회의 (type and lead agency to decide), plans awaiting
    approval, cases proposed for closure, and cases with an overdue step. Scoped to the user; not logged
    (the page that shows the agenda logs what it shows)."""
    day = today()
    queryset = (
        access.cases_visible_to(user)
        .filter(dong=dong)
        .annotate(plan_waiting=_awaiting_plan_approval())
        .filter(
            Q(step=S.MEETING)
            | Q(plan_waiting=True, step__in=(S.PLANNING, S.SERVICE))
            | Q(closure_proposed_on__isnull=False, step__in=chain.OPEN_STEPS)
            | Q(due_on__lt=day, step__in=(*chain.OPEN_STEPS, S.FOLLOW_UP))
        )
        .select_related("resident", "household", "worker", "lead_agency")
        .order_by("due_on", "opened_on", "pk")
    )
    items: list[DecisionItem] = []
    for case in queryset:
        item = DecisionItem(case=case)
        if case.step == S.MEETING:
            item.kinds.append("meeting")
            item.reasons.append("사례 유형·주사례관리 기관 결정")
        if case.plan_waiting and case.step in (S.PLANNING, S.SERVICE):
            item.kinds.append("plan")
            item.reasons.append("서비스 제공계획 승인")
        if case.closure_proposed_on and case.step in chain.OPEN_STEPS:
            item.kinds.append("closure")
            item.reasons.append(f"종결 제안: {case.closure_proposal}")
        if case.due_on and case.due_on < day:
            item.kinds.append("overdue")
            item.reasons.append(f"처리기한 경과({case.due_on:%m.%d})")
        items.append(item)
    return items


@dataclass(frozen=True)
class CaseFilter:
    step: str = ""
    overdue: bool = False
    risk: str = ""
    worker_id: int | None = None
    agency_id: int | None = None
    dong_id: int | None = None
    include_ended: bool = False


def _with_last_contact(queryset: QuerySet[Case]) -> QuerySet[Case]:
    return queryset.annotate(last_contact_on=Max("checks__on"))


def case_list(*, user: User, request: HttpRequest | None, filters: CaseFilter) -> QuerySet[Case]:
    """The case register the user may see, filtered; logged as a search."""
    queryset = access.cases_visible_to(user)
    if filters.step:
        queryset = queryset.filter(step=filters.step)
    elif not filters.include_ended:
        queryset = queryset.exclude(step=S.ENDED)
    if filters.overdue:
        queryset = queryset.filter(due_on__lt=today())
    if filters.risk:
        queryset = queryset.filter(risk_level=filters.risk)
    if filters.worker_id:
        queryset = queryset.filter(worker_id=filters.worker_id)
    if filters.agency_id:
        queryset = queryset.filter(
            Exists(CaseAgency.objects.filter(case=OuterRef("pk"), agency_id=filters.agency_id))
        )
    if filters.dong_id:
        queryset = queryset.filter(dong_id=filters.dong_id)
    access_log_record(
        user=user,
        request=request,
        action=AccessLog.Action.SEARCH,
        object_type="case_list",
        detail={k: v for k, v in filters.__dict__.items() if v},
    )
    return queryset.select_related("resident", "household", "worker", "lead_agency", "dong").order_by(
        "-opened_on", "-pk"
    )


def case_get(*, user: User, case_id: int) -> Case:
    """A visible case, not logged (for services' arguments and permission checks)."""
    case = (
        access.cases_visible_to(user)
        .select_related("resident", "household", "dong", "worker")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound("사례를 찾을 수 없습니다.")
    return case


@dataclass
class CaseProfile:
    case: Case
    scopes: frozenset[str]
    timeline: list[CaseStepChange]
    agencies: list[CaseAgency]
    consents: list[Consent]
    assessments: list[Assessment]
    plans: list[ServicePlan]
    linkages: list[ServiceLinkage]
    checks: list[CaseCheck]
    supervisions: list[Supervision]
    next_steps: list[tuple[str, str]]
    overdue: bool

    @property
    def sees_assessment(self) -> bool:
        return ShareScope.ASSESSMENT in self.scopes

    @property
    def sees_plan(self) -> bool:
        return ShareScope.PLAN in self.scopes

    @property
    def sees_services(self) -> bool:
        return ShareScope.SERVICES in self.scopes


def case_profile(
    *,
    user: User,
    request: HttpRequest | None,
    case_id: int,
    action: str = AccessLog.Action.VIEW,
    log: bool = True,
) -> CaseProfile:
    """Everything on one case the user may see (parts limited by the consent's scope for agencies);
    logged as a view."""
    case = (
        access.cases_visible_to(user)
        .select_related("resident", "household", "dong", "worker", "opened_by", "lead_agency")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound("사례를 찾을 수 없습니다.")
    scopes = access.share_scopes(user, case)
    sees = scopes.__contains__
    profile = CaseProfile(
        case=case,
        scopes=scopes,
        timeline=list(case.step_changes.select_related("actor")),
        agencies=list(case.agencies.select_related("agency").order_by("role", "agency__name")),
        consents=list(case.consents.prefetch_related("agencies").select_related("recorded_by")),
        assessments=list(case.assessments.prefetch_related("domains").select_related("assessed_by"))
        if sees(ShareScope.ASSESSMENT)
        else [],
        plans=list(case.plans.prefetch_related("items__agency").select_related("written_by", "approved_by"))
        if sees(ShareScope.PLAN)
        else [],
        linkages=list(case.linkages.select_related("provider", "linked_by"))
        if sees(ShareScope.SERVICES)
        else [],
        checks=list(case.checks.select_related("by")) if sees(ShareScope.SERVICES) else [],
        supervisions=list(case.supervisions.select_related("supervisor"))
        if not access.is_agency_worker(user)
        else [],
        next_steps=chain.next_steps(case),
        overdue=bool(case.due_on and case.due_on < today()),
    )
    if log:
        access_log_record(
            user=user,
            request=request,
            action=action,
            object_type="case",
            object_id=case.pk,
            subjects=[case.resident_id] if case.resident_id else [],
        )
    return profile


@dataclass
class QueueItem:
    case: Case
    reasons: list[str]


def supervisor_queue(*, user: User, request: HttpRequest | None) -> list[QueueItem]:
    """복지수퍼바이저's queue in her 동: overdue steps, high risk, plans awaiting approval, no contact for
    CHATDONG_CASE_NO_CONTACT_DAYS (default 30). Logged as a search."""
    if not access.can_view_supervisor_queue(user):
        return []
    day = today()
    quiet_since = day - dt.timedelta(days=no_contact_days())
    queryset = (
        _with_last_contact(_open(access.cases_visible_to(user).filter(dong=user.dong)))
        .annotate(plan_waiting=_awaiting_plan_approval())
        .filter(
            Q(due_on__lt=day)
            | Q(risk_level=RiskLevel.HIGH)
            | Q(plan_waiting=True)
            | (
                Q(last_contact_on__lt=quiet_since)
                | Q(last_contact_on__isnull=True, step_since__lt=quiet_since)
            )
        )
        .select_related("resident", "household", "worker")
        .order_by("due_on", "pk")
    )
    items: list[QueueItem] = []
    for case in queryset:
        reasons = []
        if case.due_on and case.due_on < day:
            reasons.append(f"처리기한 경과({case.due_on:%m.%d})")
        if case.risk_level == RiskLevel.HIGH:
            reasons.append("위기도 상")
        if case.plan_waiting:
            reasons.append("계획 승인 대기")
        last = getattr(case, "last_contact_on", None)
        if (last and last < quiet_since) or (last is None and case.step_since < quiet_since):
            reasons.append(f"{no_contact_days()}일 넘게 점검·연락 없음")
        items.append(QueueItem(case=case, reasons=reasons))
    access_log_record(
        user=user,
        request=request,
        action=AccessLog.Action.SEARCH,
        object_type="case_supervision_queue",
        subjects=[i.case.resident_id for i in items if i.case.resident_id],
    )
    return items


# --- 행복e음 export -------------------------------------------------------------------------------

# The layout staff re-enter into 행복e음 (docs/cases.md): one row per service linkage.
EXPORT_COLUMNS: tuple[str, ...] = (
    "사례번호",
    "대상자 성명",
    "생년월일",
    "성별",
    "세대주",
    "주소",
    "서비스구분",
    "서비스영역",
    "서비스명",
    "제공기관",
    "제공일",
    "금액",
    "연계 담당자",
    "비고",
)


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def linkages_for_export(*, dong: Dong, year: int, month: int) -> QuerySet[ServiceLinkage]:
    first, last = month_bounds(year, month)
    return (
        ServiceLinkage.objects.filter(case__dong=dong, provided_on__gte=first, provided_on__lte=last)
        .select_related("case__resident", "case__household", "provider", "linked_by")
        .order_by("provided_on", "pk")
    )


def _head_names(household_ids: set[int]) -> dict[int, str]:
    heads = Resident.objects.filter(household_id__in=household_ids, relation="본인").values_list(
        "household_id", "name"
    )
    return dict(heads)


def export_rows(*, linkages: QuerySet[ServiceLinkage]) -> list[list[str | int]]:
    items = list(linkages)
    heads = _head_names({i.case.household_id for i in items if i.case.household_id})
    rows: list[list[str | int]] = []
    for link in items:
        case = link.case
        resident = case.resident
        household = case.household
        rows.append(
            [
                case.pk,
                resident.name if resident else "",
                resident.birth_date.isoformat() if resident else "",
                resident.get_sex_display() if resident else "",
                heads.get(case.household_id or 0, ""),
                household.road_address if household else "",
                link.get_kind_display(),
                link.get_category_display(),
                link.service,
                link.provider_label,
                link.provided_on.isoformat(),
                link.amount if link.amount is not None else "",
                link.linked_by.full_name or link.linked_by.username,
                link.note,
            ]
        )
    return rows


def _cell(value: str | int) -> str | int:
    """Spreadsheets run text starting with = + - @ as formulas: prefix such text with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def export_csv(rows: list[list[str | int]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 Korean correctly


def export_xlsx(rows: list[list[str | int]], *, title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(list(EXPORT_COLUMNS))
    for row in rows:
        sheet.append([_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
