"""Case-meeting pages: the list per 동, a new meeting, the agenda builder (attendees, agenda, suggested
cases with one tap), the minutes form, the printable minutes and the XLSX export.

Views only translate HTTP to selector/service calls: access is decided in casemeeting.access (and, for
which cases an agency worker sees, cases.access); a denied or out-of-scope request writes nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chatdong.accounts.access import agencies_visible_to
from chatdong.accounts.models import Role, User
from chatdong.audit.models import AccessLog
from chatdong.audit.services import access_log_record
from chatdong.casemeeting import access, selectors, services
from chatdong.casemeeting.forms import (
    AddCaseForm,
    AttendeeExternalForm,
    AttendeeStaffForm,
    ItemRecordForm,
    MeetingForm,
    MinutesForm,
)
from chatdong.casemeeting.models import AgendaItem, Meeting
from chatdong.cases import access as cases_access
from chatdong.cases.access import DECISION_ROLES
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.core.time import today
from chatdong.registry.forms import ReasonForm


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _staff(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


def _require_view(user: User) -> None:
    if not access.can_view_meetings(user):
        raise DjangoPermissionDenied("통합사례회의를 볼 권한이 없습니다.")


def _require_run(user: User) -> None:
    if not access.can_run_meetings(user):
        raise DjangoPermissionDenied(
            "통합사례회의를 준비할 권한이 없습니다. 동 사례관리 담당자만 준비합니다."
        )


def _runnable(request: HttpRequest, meeting_id: int) -> Meeting:
    user = _staff(request)
    _require_run(user)
    try:
        return selectors.meeting_runnable(user=user, meeting_id=meeting_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _people_for(meeting: Meeting, user: User) -> Any:
    """Accounts that can be added as attendees: this 동's staff and the district's agency workers."""
    staff = User.objects.filter(is_active=True, dong_id=meeting.dong_id)
    workers = User.objects.filter(
        is_active=True, role=Role.AGENCY_WORKER, agency__in=agencies_visible_to(user)
    )
    taken = meeting.attendees.exclude(user=None).values_list("user_id", flat=True)
    return (
        (staff | workers).exclude(pk__in=taken).select_related("agency").order_by("agency__name", "full_name")
    )


# --- list and new --------------------------------------------------------------------------------


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    _require_view(user)
    dongs = (
        access.meetings_visible_to(user)
        .values_list("dong_id", "dong__name")
        .distinct()
        .order_by("dong__name")
    )
    dong_id = request.GET.get("dong")
    chosen = int(dong_id) if dong_id and dong_id.isdigit() else None
    meetings = selectors.meeting_list(user=user, dong_id=chosen)
    context = {
        "meetings": meetings,
        "dongs": list(dongs),
        "chosen_dong": chosen,
        "can_run": access.can_run_meetings(user),
    }
    return render(request, "casemeeting/meeting_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponseBase:
    user = _staff(request)
    _require_run(user)
    dong = user.dong
    assert dong is not None
    staff = User.objects.filter(is_active=True, dong=dong, role__in=access.MEETING_ROLES).order_by(
        "full_name"
    )
    initial = {
        "held_on": selectors.default_meeting_date(dong=dong, today=today()),
        "chair": staff.filter(role=Role.DONG_HEAD).values_list("pk", flat=True).first(),
        "place": f"{dong.name} 주민센터 회의실",
    }
    form = MeetingForm(request.POST or None, staff=staff, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_plan(actor=user, dong=dong, **form.cleaned_data)
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc
        except ValidationFailed as exc:
            for key, msgs in exc.errors.items():
                for msg in msgs:
                    form.add_error(key if key in form.fields else None, msg)
        else:
            messages.success(
                request, f"{meeting.held_on:%Y. %-m. %-d.} 회의를 만들었습니다. 안건을 올리세요."
            )
            return redirect("casemeeting:detail", meeting_id=meeting.pk)
    return render(request, "casemeeting/meeting_form.html", {"form": form, "dong": dong})


# --- the meeting: agenda builder / read-only minutes --------------------------------------------------


def _builder_context(request: HttpRequest, user: User, meeting: Meeting) -> dict[str, Any]:
    view = selectors.meeting_view(user=user, request=request, meeting_id=meeting.pk)
    context: dict[str, Any] = {"v": view, "meeting": view.meeting, "can_run": False}
    if access.meetings_runnable_by(user).filter(pk=meeting.pk).exists():
        context["can_run"] = True
        context["can_record"] = user.role in DECISION_ROLES
        if view.meeting.editable:
            suggestions = selectors.agenda_suggestions(user=user, meeting=view.meeting)
            if suggestions:
                access_log_record(
                    user=user,
                    request=request,
                    action=AccessLog.Action.VIEW,
                    object_type="case_meeting_suggestions",
                    object_id=meeting.pk,
                    subjects=[s.case.resident_id for s in suggestions if s.case.resident_id is not None],
                )
            context["suggestions"] = suggestions
            context["staff_form"] = AttendeeStaffForm(
                people=_people_for(view.meeting, user), auto_id="id_attendee_%s"
            )
            context["external_form"] = AttendeeExternalForm()
    return context


@login_required
@require_GET
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = _staff(request)
    _require_view(user)
    try:
        meeting = selectors.meeting_for(user=user, meeting_id=meeting_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return render(request, "casemeeting/meeting_detail.html", _builder_context(request, user, meeting))


def _builder_response(request: HttpRequest, meeting: Meeting, error: str = "") -> HttpResponse:
    user = _staff(request)
    if not _is_htmx(request):
        if error:
            messages.error(request, error)
        return redirect("casemeeting:detail", meeting_id=meeting.pk)
    context = _builder_context(request, user, meeting) | {"error": error}
    return render(request, "casemeeting/_builder.html", context)


@login_required
@require_POST
def agenda_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = _staff(request)
    meeting = _runnable(request, meeting_id)
    form = AddCaseForm(request.POST)
    error = ""
    if not form.is_valid():
        error = "안건에 올릴 사례를 고르세요."
    else:
        case = cases_access.cases_visible_to(user).filter(pk=form.cleaned_data["case"]).first()
        # A number typed by hand: the same answer whether it does not exist or is out of scope.
        if case is None:
            return _builder_response(
                request, meeting, f"사례 {form.cleaned_data['case']}번을 찾을 수 없습니다."
            )
        try:
            services.agenda_item_add(
                actor=user,
                meeting=meeting,
                case=case,
                origin=AgendaItem.Origin.SUGGESTED
                if form.cleaned_data["suggested"]
                else AgendaItem.Origin.MANUAL,
                reason=form.cleaned_data["reason"],
            )
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc
        except ValidationFailed as exc:
            error = " ".join([str(exc), *(m for msgs in exc.errors.values() for m in msgs)])
    return _builder_response(request, meeting, error)


@login_required
@require_POST
def agenda_remove(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    user = _staff(request)
    meeting = _runnable(request, meeting_id)
    item = meeting.items.select_related("case", "meeting").filter(pk=item_id).first()
    if item is None:
        raise Http404("안건을 찾을 수 없습니다.")
    error = ""
    try:
        services.agenda_item_remove(actor=user, item=item)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc)) from exc
    except ValidationFailed as exc:
        error = str(exc)
    return _builder_response(request, meeting, error)


@login_required
@require_POST
def attendee_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = _staff(request)
    meeting = _runnable(request, meeting_id)
    error = ""
    try:
        if request.POST.get("kind") == "external":
            external = AttendeeExternalForm(request.POST)
            if not external.is_valid():
                raise ValidationFailed("외부 참석자의 이름과 소속을 적으세요.")
            services.attendee_add(actor=user, meeting=meeting, **external.cleaned_data)
        else:
            staff_form = AttendeeStaffForm(request.POST, people=_people_for(meeting, user))
            if not staff_form.is_valid():
                raise ValidationFailed("참석자를 고르세요.")
            services.attendee_add(actor=user, meeting=meeting, user=staff_form.cleaned_data["user"])
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc)) from exc
    except ValidationFailed as exc:
        error = " ".join([str(exc), *(m for msgs in exc.errors.values() for m in msgs)])
    return _builder_response(request, meeting, error)


@login_required
@require_POST
def attendee_remove(request: HttpRequest, meeting_id: int, attendee_id: int) -> HttpResponse:
    user = _staff(request)
    meeting = _runnable(request, meeting_id)
    attendee = meeting.attendees.select_related("meeting").filter(pk=attendee_id).first()
    if attendee is None:
        raise Http404("참석자를 찾을 수 없습니다.")
    error = ""
    try:
        services.attendee_remove(actor=user, attendee=attendee)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc)) from exc
    except ValidationFailed as exc:
        error = str(exc)
    return _builder_response(request, meeting, error)


# --- minutes ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def minutes(request: HttpRequest, meeting_id: int) -> HttpResponseBase:
    """The minutes form: per item the discussion and decisions. '저장' keeps a draft; '회의록 기록'
    saves and then applies every decision to its case at once (or none, with the refused items)."""
    user = _staff(request)
    meeting = _runnable(request, meeting_id)
    if not meeting.editable:
        return redirect("casemeeting:detail", meeting_id=meeting.pk)
    view = selectors.meeting_view(user=user, request=request, meeting_id=meeting.pk)
    agencies = agencies_visible_to(user)
    bound = request.method == "POST"
    rows = []
    for row in view.items:
        form = ItemRecordForm(
            request.POST if bound else None,
            prefix=f"item-{row.item.pk}",
            case=row.case,
            agencies=agencies,
            initial=ItemRecordForm.initial_for(row.item.discussion, row.decisions),
        )
        rows.append((row, form))
    minutes_form = MinutesForm(request.POST if bound else None, initial={"summary": meeting.summary})
    item_errors: dict[str, list[str]] = {}
    if bound:
        valid = minutes_form.is_valid() & all([form.is_valid() for _, form in rows])
        if valid:
            for row, form in rows:
                try:
                    services.agenda_item_record(
                        actor=user,
                        item=row.item,
                        discussion=form.cleaned_data["discussion"],
                        decisions=form.decisions(),
                    )
                except PermissionDenied as exc:
                    raise DjangoPermissionDenied(str(exc)) from exc
                except ValidationFailed as exc:
                    valid = False
                    for key, msgs in exc.errors.items():
                        for msg in msgs:
                            form.add_error(key if key in form.fields else None, msg)
        if valid and request.POST.get("action") == "record":
            try:
                services.meeting_minutes_record(
                    actor=user, meeting=meeting, summary=minutes_form.cleaned_data["summary"]
                )
            except PermissionDenied as exc:
                raise DjangoPermissionDenied(str(exc)) from exc
            except ValidationFailed as exc:
                item_errors = exc.errors
                minutes_form.add_error(None, str(exc))
            else:
                messages.success(request, "회의록을 기록하고 결정을 모든 사례에 반영했습니다.")
                return redirect("casemeeting:detail", meeting_id=meeting.pk)
        elif valid:
            if minutes_form.cleaned_data["summary"] != meeting.summary:
                services.meeting_summary_save(
                    actor=user, meeting=meeting, summary=minutes_form.cleaned_data["summary"]
                )
            messages.success(request, "논의 내용과 결정을 저장했습니다. 아직 사례에 반영하지 않았습니다.")
            return redirect(reverse("casemeeting:minutes", kwargs={"meeting_id": meeting.pk}))
    context = {
        "meeting": meeting,
        "v": view,
        "rows": [(row, form, item_errors.get(f"item-{row.item.pk}", [])) for row, form in rows],
        "form": minutes_form,
        "can_record": user.role in DECISION_ROLES,
    }
    return render(request, "casemeeting/minutes_form.html", context, status=422 if item_errors else 200)


@login_required
@require_POST
def meeting_close(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = _staff(request)
    meeting = _runnable(request, meeting_id)
    try:
        services.meeting_close(actor=user, meeting=meeting)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc)) from exc
    except ValidationFailed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "회의를 마감했습니다.")
    return redirect("casemeeting:detail", meeting_id=meeting.pk)


@login_required
@require_GET
def minutes_print(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = _staff(request)
    _require_view(user)
    try:
        view = selectors.meeting_view(
            user=user, request=request, meeting_id=meeting_id, action=AccessLog.Action.PRINT
        )
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return render(request, "casemeeting/minutes_print.html", {"v": view, "meeting": view.meeting})


@login_required
@require_http_methods(["GET", "POST"])
def minutes_export(request: HttpRequest, meeting_id: int) -> HttpResponseBase:
    """The minutes as XLSX, for a stated reason (logged as a download)."""
    user = _staff(request)
    _require_view(user)
    try:
        meeting = selectors.meeting_for(user=user, meeting_id=meeting_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        view = selectors.meeting_view(
            user=user,
            request=request,
            meeting_id=meeting.pk,
            action=AccessLog.Action.DOWNLOAD,
            reason=form.cleaned_data["reason"],
        )
        response = HttpResponse(
            selectors.minutes_xlsx(view),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="case-meeting-{meeting.pk}-{meeting.held_on:%Y%m%d}.xlsx"'
        )
        return response
    return render(request, "casemeeting/minutes_export.html", {"meeting": meeting, "form": form})
