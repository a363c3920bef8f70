"""Reads of the case meetings: lists, one meeting with the items the user may see (logged), agenda
suggestions, the default date, and the minutes as XLSX."""

from __future__ import annotations

import calendar
import datetime as dt
import io
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from chatdong.accounts.models import Dong, User
from chatdong.audit.models import AccessLog
from chatdong.audit.services import access_log_record
from chatdong.casemeeting import access
from chatdong.casemeeting.models import AgendaItem, Attendee, Decision, Meeting
from chatdong.cases import selectors as cases_selectors
from chatdong.cases.models import Case
from chatdong.core.calendar import is_business_day, next_business_day
from chatdong.core.errors import NotFound

# Where no earlier meeting says otherwise: the 3rd Wednesday (weekday 2) of the month.
DEFAULT_WEEK_OF_MONTH = 3
DEFAULT_WEEKDAY = 2


def mask_name(name: str) -> str:
    """김가일 → 김*일, 홍길 → 홍*, 남궁민수 → 남**수: the name as printed on shared minutes."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def case_label(case: Case) -> str:
    """The masked name of the case's resident (or the household head's, or the household number)."""
    if case.resident is not None:
        return mask_name(case.resident.name)
    if case.household is not None:
        return f"세대 {case.household.household_no}"
    return "—"


def meeting_list(*, user: User, dong_id: int | None = None) -> QuerySet[Meeting]:
    """Meetings the user may see, newest first (no personal data: the agenda is only counted)."""
    meetings = access.meetings_visible_to(user).select_related("dong", "chair")
    if dong_id is not None:
        meetings = meetings.filter(dong_id=dong_id)
    return meetings.annotate(
        item_count=Count("items", distinct=True), attendee_count=Count("attendees", distinct=True)
    )


def meeting_for(*, user: User, meeting_id: int) -> Meeting:
    """The meeting itself (no personal data), or NotFound outside the user's scope."""
    meeting = (
        access.meetings_visible_to(user)
        .select_related("dong", "chair", "district")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise NotFound("회의를 찾을 수 없습니다.")
    return meeting


def meeting_runnable(*, user: User, meeting_id: int) -> Meeting:
    """A meeting the user may change; NotFound if out of scope (PermissionDenied is for the services)."""
    meeting = (
        access.meetings_runnable_by(user)
        .select_related("dong", "chair", "district")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise NotFound("회의를 찾을 수 없습니다.")
    return meeting


@dataclass(frozen=True)
class ItemRow:
    item: AgendaItem
    case: Case
    name_masked: str
    decisions: list[Decision]

    def decision(self, kind: str) -> Decision | None:
        return next((d for d in self.decisions if d.kind == kind), None)

    @property
    def step_label(self) -> str:
        """The case's step at the meeting (as recorded), else its step now."""
        step = self.item.step_at_meeting or self.case.step
        return Case.Step(step).label

    @property
    def classify(self) -> Decision | None:
        return self.decision(Decision.Kind.CLASSIFY)

    @property
    def plan_approve(self) -> Decision | None:
        return self.decision(Decision.Kind.PLAN_APPROVE)

    @property
    def close(self) -> Decision | None:
        return self.decision(Decision.Kind.CLOSE)


@dataclass(frozen=True)
class MeetingView:
    meeting: Meeting
    attendees: list[Attendee]
    items: list[ItemRow]

    @property
    def public_attendees(self) -> list[Attendee]:
        return [a for a in self.attendees if a.side == Attendee.Side.PUBLIC]

    @property
    def private_attendees(self) -> list[Attendee]:
        return [a for a in self.attendees if a.side == Attendee.Side.PRIVATE]

    @property
    def subjects(self) -> list[int]:
        return [row.case.resident_id for row in self.items if row.case.resident_id is not None]


def meeting_view(
    *,
    user: User,
    request: HttpRequest | None,
    meeting_id: int,
    action: str = AccessLog.Action.VIEW,
    reason: str = "",
) -> MeetingView:
    """A meeting with its attendees and the agenda items the user may see (an agency worker: only the
    cases shared with her agency). Recorded in the access log as a view, print or download."""
    meeting = meeting_for(user=user, meeting_id=meeting_id)
    items = (
        access.items_visible_to(user, meeting)
        .select_related("case__resident", "case__household", "case__lead_agency")
        .prefetch_related("decisions__co_agencies", "decisions__lead_agency", "decisions__plan")
        .order_by("position", "id")
    )
    rows = [
        ItemRow(
            item=item, case=item.case, name_masked=case_label(item.case), decisions=list(item.decisions.all())
        )
        for item in items
    ]
    view = MeetingView(
        meeting=meeting,
        # Public members first, then private, each in the order they were added.
        attendees=sorted(
            meeting.attendees.select_related("user", "agency"),
            key=lambda a: (a.side != Attendee.Side.PUBLIC, a.pk),
        ),
        items=rows,
    )
    access_log_record(
        user=user,
        request=request,
        action=action,
        object_type="case_meeting",
        object_id=meeting.pk,
        subjects=view.subjects,
        reason=reason,
    )
    return view


@dataclass(frozen=True)
class Suggestion:
    case: Case
    name_masked: str
    reason: str


def agenda_suggestions(*, user: User, meeting: Meeting) -> list[Suggestion]:
    """Cases of the meeting's 동 that need a decision of the meeting (from the cases app), less those
    already on the agenda."""
    on_agenda = set(meeting.items.values_list("case_id", flat=True))
    out: list[Suggestion] = []
    for need in cases_selectors.cases_needing_decision(user=user, dong=meeting.dong):
        if need.case.pk not in on_agenda:
            reason = " · ".join(need.reasons)
            out.append(Suggestion(case=need.case, name_masked=case_label(need.case), reason=reason))
    return out


def _nth_weekday(year: int, month: int, week: int, weekday: int) -> dt.date:
    """The `week`-th `weekday` of the month (the last one if the month has fewer)."""
    first = dt.date(year, month, 1)
    day = first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (week - 1))
    last_day = calendar.monthrange(year, month)[1]
    while day.month != month or day.day > last_day:
        day -= dt.timedelta(days=7)
    return day


def default_meeting_date(*, dong: Dong, today: dt.date) -> dt.date:
    """The 동's usual week and weekday (from its last meeting; else the setting, by default the 3rd
    Wednesday), in the first month from today that has no meeting yet; moved to the next business day
    if it falls on a holiday."""
    last = Meeting.objects.filter(dong=dong).order_by("-held_on").first()
    if last is not None:
        week, weekday = (last.held_on.day - 1) // 7 + 1, last.held_on.weekday()
    else:
        week, weekday = getattr(
            settings, "CHATDONG_CASE_MEETING_WEEK", (DEFAULT_WEEK_OF_MONTH, DEFAULT_WEEKDAY)
        )
    year, month = today.year, today.month
    for _ in range(24):
        day = _nth_weekday(year, month, week, weekday)
        if not is_business_day(day):
            day = next_business_day(day)
        taken = Meeting.objects.filter(dong=dong, held_on__year=year, held_on__month=month).exists()
        if day >= today and not taken:
            return day
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return today


# --- the minutes as XLSX -------------------------------------------------------------------------

ITEM_HEADER = (
    "순서",
    "사례번호",
    "대상자",
    "단계",
    "안건 사유",
    "논의 내용",
    "대상자 구분",
    "주사례관리 기관",
    "협력 기관",
    "계획 승인",
    "종결",
    "반영",
)
ATTENDEE_HEADER = ("구분", "이름", "소속", "직위·역할")


def decision_cells(row: ItemRow) -> tuple[str, str, str, str, str]:
    """대상자 구분, 주사례관리 기관, 협력 기관, 계획 승인, 종결: as written in the minutes."""
    classify, plan, close = row.classify, row.plan_approve, row.close
    case_type = classify.get_case_type_display() if classify else ""
    lead = classify.lead_agency.name if classify and classify.lead_agency else ""
    co = ", ".join(a.name for a in classify.co_agencies.all()) if classify else ""
    plan_text = f"승인(계획 {plan.plan_id})" if plan else ""
    close_text = ""
    if close:
        close_text = close.get_close_reason_display()
        if close.follow_up_on:
            close_text += f" (사후관리 {close.follow_up_on:%Y-%m-%d})"
    return case_type, lead, co, plan_text, close_text


def _cell(value: object) -> object:
    """Spreadsheets run text starting with = + - @ as formulas: written text never does."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def minutes_xlsx(view: MeetingView) -> bytes:
    meeting = view.meeting
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "회의록"
    ws.append([f"{meeting.dong.name} 민·관 통합사례회의 회의록"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ws.append(["회의일", meeting.held_on.isoformat()])
    ws.append(["시작 시각", meeting.starts_at.strftime("%H:%M") if meeting.starts_at else ""])
    ws.append(["장소", _cell(meeting.place)])
    ws.append(["회의 주재", meeting.chair.full_name if meeting.chair else ""])
    ws.append(["상태", meeting.get_status_display()])
    ws.append(["회의 총평", _cell(meeting.summary)])
    ws.append([])
    ws.append(["참석자"])
    ws.append(list(ATTENDEE_HEADER))
    for a in view.attendees:
        ws.append([a.get_side_display(), *(_cell(x) for x in (a.name, a.organisation, a.title))])
    ws.append([])
    ws.append(["안건"])
    ws.append(list(ITEM_HEADER))
    for row in view.items:
        applied = all(d.applied_at is not None for d in row.decisions) and bool(row.decisions)
        ws.append(
            [
                row.item.position,
                row.case.pk,
                row.name_masked,
                row.step_label,
                _cell(row.item.reason),
                _cell(row.item.discussion),
                *decision_cells(row),
                "반영" if applied else ("" if not row.decisions else "미반영"),
            ]
        )
    for column, width in zip("ABCDEFGHIJKL", (8, 10, 10, 16, 24, 40, 16, 20, 24, 14, 24, 8), strict=True):
        ws.column_dimensions[column].width = width
    for cells in ws.iter_rows():
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
