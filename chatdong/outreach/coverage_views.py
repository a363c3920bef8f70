"""방문 현황 pages: the dashboard (동 × program), the staff view of a 동, the list behind any figure, and
their XLSX exports. Views only translate: scope, figures and the access log are in outreach.coverage.
A denied or out-of-scope request writes nothing."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from chatdong.accounts.models import User
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.core.time import today
from chatdong.core.views import error_page
from chatdong.outreach import coverage
from chatdong.outreach.coverage import Coverage, Figures, Filters, TargetList

LIST_PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _staff(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


def _int(params: QueryDict, name: str) -> int | None:
    value = params.get(name, "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _filters(request: HttpRequest, user: User, params: QueryDict | None = None) -> Filters:
    params = params if params is not None else request.GET
    return coverage.coverage_filters(
        user=user,
        year=_int(params, "year"),
        month=_int(params, "month"),
        program_id=_int(params, "program"),
        dong_id=_int(params, "dong"),
        staff_id=_int(params, "staff"),
    )


def _link(filters: Filters, **extra: object) -> str:
    params: dict[str, str] = filters.query()
    params.update({k: str(v) for k, v in extra.items() if v is not None})
    return urlencode(params)


def _refused(request: HttpRequest, exc: Exception) -> HttpResponse:
    if isinstance(exc, PermissionDenied):
        return error_page(request, 403, str(exc))
    if isinstance(exc, NotFound):
        return error_page(request, 404)
    return error_page(request, 400, str(exc))


def _year_choices() -> list[int]:
    year = today().year
    return list(range(year - 3, year + 2))


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    try:
        filters = _filters(request, user)
        result = coverage.coverage_figures(user=user, filters=filters, by="dong_program")
    except (PermissionDenied, NotFound, ValidationFailed) as exc:
        return _refused(request, exc)
    can_list = coverage.can_view_coverage_lists(user)
    rows = [
        (row, _cells(Filters(filters.period, row.program, row.dong, filters.staff_id), row.figures, can_list))
        for row in result.rows
    ]
    by_dong = coverage.rows_by_dong(result)
    dong_rows = [
        (dong, _cells(Filters(filters.period, filters.program, dong, filters.staff_id), figures, can_list))
        for dong, figures in by_dong
    ]
    context = {
        "c": result,
        "rows": rows,
        "dong_rows": dong_rows if len(result.dongs) > 1 and filters.dong is None else [],
        "totals": _cells(filters, result.totals, can_list),
        "figures": coverage.FIGURES,
        "years": _year_choices(),
        "months": range(1, 13),
        "can_list": can_list,
        "query": _link(filters),
        "staff_dong": filters.dong or (result.dongs[0] if len(result.dongs) == 1 else None),
    }
    return render(request, "outreach/coverage/dashboard.html", context)


def _cells(filters: Filters, figures: Figures, can_list: bool) -> list[tuple[str, int, str]]:
    """(label, value, drill-down link or "") per figure."""
    return [
        (label, value, ("?" + _link(filters, figure=name)) if can_list and value else "")
        for name, label, value in figures.cells()
    ]


@login_required
@require_GET
def staff(request: HttpRequest) -> HttpResponse:
    """Per staff member (Target.assignee) of one 동: the 동 asked for, else the user's own or the first."""
    user = _staff(request)
    try:
        filters = _filters(request, user)
        if filters.dong is None:
            first = coverage.coverage_dongs(user).order_by("code").first()
            if first is None:
                raise PermissionDenied("방문 현황을 볼 수 있는 역할이 아닙니다.")
            own = coverage.coverage_dongs(user).filter(pk=user.dong_id).first() if user.dong_id else None
            filters = Filters(filters.period, filters.program, own or first, filters.staff_id)
        result = coverage.coverage_figures(user=user, filters=filters, by="staff")
    except (PermissionDenied, NotFound, ValidationFailed) as exc:
        return _refused(request, exc)
    can_list = coverage.can_view_coverage_lists(user)
    rows = [
        (
            row,
            _cells(
                Filters(filters.period, filters.program, filters.dong, row.staff_id), row.figures, can_list
            ),
        )
        for row in result.rows
    ]
    context = {
        "c": result,
        "rows": rows,
        "totals": _cells(Filters(filters.period, filters.program, filters.dong), result.totals, can_list),
        "figures": coverage.FIGURES,
        "years": _year_choices(),
        "months": range(1, 13),
        "dashboard_query": _link(Filters(filters.period, filters.program, filters.dong)),
    }
    return render(request, "outreach/coverage/staff.html", context)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="내려받는 사유", max_length=200, required=True)


def _list_context(
    request: HttpRequest, listing: TargetList, page: object, form: ReasonForm
) -> dict[str, object]:
    base = _link(listing.filters, figure=listing.figure)
    return {
        "listing": listing,
        "page": page,
        "rows": [
            (t, coverage.target_name(t), coverage.target_address(t), coverage.target_due(t))
            for t in listing.targets
        ],
        "figure_label": coverage.figure_label(listing.figure),
        "query": base,
        "query_prefix": base + "&",
        "form": form,
        "dashboard_query": _link(
            Filters(listing.filters.period, listing.filters.program, listing.filters.dong)
        ),
    }


@login_required
@require_GET
def targets(request: HttpRequest) -> HttpResponse:
    """The targets behind one figure (personal data: scoped, logged)."""
    user = _staff(request)
    try:
        filters = _filters(request, user)
        figure = request.GET.get("figure", "targets")
        page_number = _int(request.GET, "page") or 1
        listing = coverage.coverage_target_list(
            user=user,
            request=request,
            filters=filters,
            figure=figure,
            offset=(page_number - 1) * LIST_PAGE_SIZE,
            limit=LIST_PAGE_SIZE,
        )
    except (PermissionDenied, NotFound, ValidationFailed) as exc:
        return _refused(request, exc)
    page = Paginator(range(listing.total), LIST_PAGE_SIZE).get_page(page_number)
    return render(
        request, "outreach/coverage/targets.html", _list_context(request, listing, page, ReasonForm())
    )


@login_required
@require_POST
def targets_export(request: HttpRequest) -> HttpResponse:
    """The list behind a figure as XLSX: a stated reason is required; logged as DOWNLOAD."""
    user = _staff(request)
    form = ReasonForm(request.POST)
    try:
        filters = _filters(request, user, request.POST)
        figure = request.POST.get("figure", "targets")
        listing = coverage.coverage_target_download(
            user=user,
            request=request,
            filters=filters,
            figure=figure,
            reason=form.data.get("reason", ""),
        )
    except ValidationFailed as exc:
        if "reason" not in exc.errors:
            return _refused(request, exc)
        # Show the list again with the error; the page view is logged as usual.
        try:
            listing = coverage.coverage_target_list(
                user=user, request=request, filters=filters, figure=figure, limit=LIST_PAGE_SIZE
            )
        except (PermissionDenied, NotFound, ValidationFailed) as again:
            return _refused(request, again)
        if form.is_valid():
            form.add_error("reason", exc.errors["reason"][0])
        page = Paginator(range(listing.total), LIST_PAGE_SIZE).get_page(1)
        return render(
            request, "outreach/coverage/targets.html", _list_context(request, listing, page, form), status=422
        )
    except (PermissionDenied, NotFound) as exc:
        return _refused(request, exc)
    return _xlsx(f"coverage-targets-{filters.period.year}.xlsx", _targets_workbook(listing))


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The dashboard's figures as XLSX (aggregates only: not personal data, not logged)."""
    user = _staff(request)
    try:
        filters = _filters(request, user)
        result = coverage.coverage_figures(user=user, filters=filters, by="dong_program")
    except (PermissionDenied, NotFound, ValidationFailed) as exc:
        return _refused(request, exc)
    return _xlsx(f"coverage-{filters.period.year}.xlsx", _dashboard_workbook(result))


# --- XLSX ---------------------------------------------------------------------------------------------


def _safe(value: object) -> object:
    # A text starting with = + - @ would be a formula to Excel (and to openpyxl): keep it text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _sheet_rows(sheet: object, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    sheet.append(list(header))  # type: ignore[attr-defined]
    for cell in sheet[1]:  # type: ignore[index]
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe(v) for v in row])  # type: ignore[attr-defined]


def _filters_line(filters: Filters) -> str:
    parts = [filters.period.label]
    parts.append(filters.dong.name if filters.dong else "전체 동")
    parts.append(filters.program.name if filters.program else "전체 사업")
    return " · ".join(parts)


def _dashboard_workbook(result: Coverage) -> Workbook:
    labels = [label for _, label in coverage.FIGURES]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "동×사업"
    rows: list[list[object]] = [
        [
            row.dong.name if row.dong else "",
            row.program.name if row.program else "",
            *row.figures.as_dict().values(),
        ]
        for row in result.rows
    ]
    rows.append(["합계", "", *result.totals.as_dict().values()])
    _sheet_rows(sheet, ["동", "사업", *labels], rows)
    by_dong = book.create_sheet("동별")
    _sheet_rows(
        by_dong,
        ["동", *labels],
        [[dong.name, *figures.as_dict().values()] for dong, figures in coverage.rows_by_dong(result)]
        + [["합계", *result.totals.as_dict().values()]],
    )
    about = book.create_sheet("조건")
    _sheet_rows(
        about,
        ["항목", "값"],
        [
            ["조건", _filters_line(result.filters)],
            ["기준일", result.on.isoformat()],
            ["기간", f"{result.filters.period.start.isoformat()} ~ {result.filters.period.end.isoformat()}"],
        ],
    )
    return book


def _targets_workbook(listing: TargetList) -> Workbook:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "대상자"
    header = [
        "동",
        "사업",
        "대상 기간",
        "성명·세대",
        "생년월일",
        "주소",
        "대상 사유",
        "동의",
        "상태",
        "담당자",
        "기한",
    ]
    rows: list[list[object]] = []
    for t in listing.targets:
        due = coverage.target_due(t)
        rows.append(
            [
                t.dong.name,
                t.program.name,
                f"{t.period_start.isoformat()} ~ {t.period_end.isoformat()}",
                coverage.target_name(t),
                t.resident.birth_date.isoformat() if t.resident is not None else "",
                coverage.target_address(t),
                t.reason,
                t.get_consent_display(),
                t.get_status_display(),
                t.assignee.full_name if t.assignee is not None else "미배정",
                due.isoformat() if isinstance(due, dt.date) else "",
            ]
        )
    _sheet_rows(sheet, header, rows)
    about = book.create_sheet("조건")
    _sheet_rows(
        about,
        ["항목", "값"],
        [
            ["조건", _filters_line(listing.filters)],
            ["항목", coverage.figure_label(listing.figure)],
            ["인원", listing.total],
            ["기준일", listing.on.isoformat()],
        ],
    )
    return book


def _xlsx(filename: str, book: Workbook) -> HttpResponse:
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
