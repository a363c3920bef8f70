"""Visit pages: the planner's day (phone), a visit and its record, planning, the infant nurse's due
list, the 서울아기 schedule and the calendar feed. Views translate HTTP to selectors/services; access
is decided in visits.access and a denied request writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chatdong.accounts.access import agencies_visible_to
from chatdong.accounts.models import User
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.core.needs import NeedCategory
from chatdong.core.time import today
from chatdong.visits import access, forms, selectors, services
from chatdong.visits.instruments import INSTRUMENTS
from chatdong.visits.models import CalendarFeed, HomeVisitScheduleItem, Visit

ONE_TAP = (Visit.Outcome.VISITED, Visit.Outcome.ABSENT, Visit.Outcome.REFUSED)
FEED_DAYS_BACK = 30
FEED_DAYS_AHEAD = 120


def _staff(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _visit(user: User, visit_id: int) -> Visit:
    try:
        return selectors.visit_scoped(user=user, visit_id=visit_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


# --- the day ----------------------------------------------------------------------------------------


@login_required
@require_GET
def today_view(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    if not access.is_visitor(user):
        raise DjangoPermissionDenied("오늘의 방문은 방문하는 복지플래너·간호사의 화면입니다.")
    day = forms.parse_day(request.GET.get("day"), today())
    plan = selectors.visit_day(user=user, day=day, request=request)
    context = {
        "plan": plan,
        "one_tap": ONE_TAP,
        "prev_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "is_today": day == today(),
    }
    return render(request, "visits/today.html", context)


@login_required
@require_POST
def outcome_view(request: HttpRequest, visit_id: int) -> HttpResponse:
    """One tap from the day list: record visited / absent / refused without forms (HTMX: the row)."""
    user = _staff(request)
    visit = _visit(user, visit_id)
    error = ""
    try:
        services.visit_record(
            actor=user, visit=visit, outcome=request.POST.get("outcome", ""), request=request
        )
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc)) from exc
    except ValidationFailed as exc:
        error = str(exc)
    visit = _visit(user, visit_id)
    if not _is_htmx(request):
        return redirect(f"{reverse('visits:today')}?day={visit.scheduled_on}")
    row = selectors.DayRow(visit, selectors.kit_for(visit, user))
    return render(request, "visits/_day_row.html", {"row": row, "one_tap": ONE_TAP, "error": error})


# --- one visit --------------------------------------------------------------------------------------


def _instrument_rows(post: Any = None) -> list[dict[str, Any]]:
    rows = []
    for kind, instrument in INSTRUMENTS.items():
        items = []
        for n, item in enumerate(instrument.items, start=1):
            chosen = post.get(f"s_{kind}_{n}") if post is not None else None
            items.append({"n": n, "text": item.text, "options": item.options, "chosen": chosen})
        answered = any(i["chosen"] for i in items)
        rows.append({"kind": kind, "instrument": instrument, "items": items, "open": answered})
    return rows


def _need_rows(post: Any = None) -> list[dict[str, Any]]:
    return [
        {
            "value": value,
            "label": label,
            "checked": post is not None and post.get(f"need_{value}") == "on",
            "note": post.get(f"need_note_{value}", "") if post is not None else "",
        }
        for value, label in NeedCategory.choices
    ]


@login_required
@require_http_methods(["GET", "POST"])
def detail_view(request: HttpRequest, visit_id: int) -> HttpResponse:
    user = _staff(request)
    visit = _visit(user, visit_id)
    record_form = forms.RecordForm(request.POST or None)
    health_form = forms.HealthForm(request.POST or None)
    error = ""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not access.can_record(user, visit):
            raise DjangoPermissionDenied("이 방문을 기록할 권한이 없습니다.")
        if record_form.is_valid() and health_form.is_valid():
            health = health_form.data_or_none() if access.can_record_health(user, visit) else None
            try:
                recorded = services.visit_record(
                    actor=user,
                    visit=visit,
                    outcome=record_form.cleaned_data["outcome"],
                    notes=record_form.cleaned_data["notes"],
                    needs=forms.needs_from_post(request.POST),
                    health=health,
                    screenings=forms.screenings_from_post(request.POST),
                    next_on=record_form.cleaned_data["next_on"],
                    request=request,
                )
            except PermissionDenied as exc:
                raise DjangoPermissionDenied(str(exc)) from exc
            except ValidationFailed as exc:
                error, errors = str(exc), exc.errors
            else:
                for referral in recorded.referrals:
                    flag = "긴급 " if referral.urgent else ""
                    messages.warning(
                        request,
                        f"{flag}의뢰 {referral.pk}번을 보건소 의약과에 보냈습니다(회신 기한 {referral.due_on:%Y-%m-%d}).",
                    )
                return redirect("visits:detail", visit_id=visit.pk)
        else:
            error = "입력한 내용을 확인해 주세요."
    detail = selectors.visit_get(user=user, visit_id=visit.pk, request=request)
    context = {
        "d": detail,
        "v": detail.visit,
        "record_form": record_form,
        "health_form": health_form,
        "needs": _need_rows(request.POST if request.method == "POST" else None),
        "instruments": _instrument_rows(request.POST if request.method == "POST" else None),
        "error": error,
        "errors": errors,
        "place": selectors.place_label(detail.visit),
        "case_form": forms.CaseForm(),
        "refer_staff": _refer_staff(user, visit),
        "refer_agencies": list(agencies_visible_to(user).order_by("name")[:200]),
        "need_choices": NeedCategory.choices,
        "follow_up": [s for s in detail.screenings if s.follow_up == "sbqr"]
        and not any(s.kind == "sbqr" for s in detail.screenings),
        "sbqr": next(r for r in _instrument_rows() if r["kind"] == "sbqr"),
    }
    return render(request, "visits/detail.html", context)


def _refer_staff(user: User, visit: Visit) -> list[User]:
    return list(
        User.objects.filter(dong_id=visit.dong_id, is_active=True)
        .exclude(pk=user.pk)
        .order_by("full_name")[:100]
    )


@login_required
@require_POST
def screening_add_view(request: HttpRequest, visit_id: int) -> HttpResponse:
    user = _staff(request)
    visit = _visit(user, visit_id)
    kind = request.POST.get("kind", "")
    if kind not in INSTRUMENTS:
        raise Http404("평가 도구를 찾을 수 없습니다.")
    try:
        screening = services.screening_record(
            actor=user,
            visit=visit,
            kind=kind,
            answers=forms.answers_from_post(request.POST, kind) or [],
            request=request,
        )
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc)) from exc
    except ValidationFailed as exc:
        messages.error(request, str(exc))
    else:
        if screening.referral_id:
            messages.warning(request, f"의뢰 {screening.referral_id}번을 보건소 의약과에 보냈습니다.")
    return redirect("visits:detail", visit_id=visit.pk)


@login_required
@require_POST
def case_view(request: HttpRequest, visit_id: int) -> HttpResponse:
    user = _staff(request)
    visit = _visit(user, visit_id)
    try:
        case = services.visit_open_case(
            actor=user, visit=visit, summary=request.POST.get("summary", ""), request=request
        )
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc)) from exc
    except ValidationFailed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"사례 {case.pk}번을 사례관리 대장에 올렸습니다(발굴).")
    return redirect("visits:detail", visit_id=visit.pk)


@login_required
@require_POST
def refer_view(request: HttpRequest, visit_id: int) -> HttpResponse:
    user = _staff(request)
    visit = _visit(user, visit_id)
    to_kind = request.POST.get("to_kind", "")
    to_user_id, to_agency_id = (
        forms._int(request.POST.get("to_user")),
        forms._int(request.POST.get("to_agency")),
    )
    to_user = User.objects.filter(pk=to_user_id, dong_id=visit.dong_id).first() if to_user_id else None
    to_agency = agencies_visible_to(user).filter(pk=to_agency_id).first() if to_agency_id else None
    try:
        referral = services.visit_refer(
            actor=user,
            visit=visit,
            to_kind=to_kind,
            need_category=request.POST.get("need_category", ""),
            summary=request.POST.get("summary", ""),
            to_user=to_user,
            to_agency=to_agency,
            urgent=request.POST.get("urgent") == "on",
        )
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc)) from exc
    except ValidationFailed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"의뢰 {referral.pk}번을 보냈습니다(회신 기한 {referral.due_on:%Y-%m-%d}).")
    return redirect("visits:detail", visit_id=visit.pk)


# --- planning ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def plan_view(request: HttpRequest) -> HttpResponse:
    """Plan a visit for a target (from the target list: ?target=<id>), alone or with a colleague."""
    user = _staff(request)
    if not access.can_plan_visits(user):
        raise DjangoPermissionDenied("방문을 계획할 권한이 없습니다.")
    targets = selectors.plannable_targets(user)
    target_id = forms._int(
        request.POST.get("target") if request.method == "POST" else request.GET.get("target")
    )
    target = targets.select_related("program", "resident").filter(pk=target_id).first() if target_id else None
    if target_id and target is None:
        raise Http404("대상을 찾을 수 없습니다.")
    item_id = forms._int(request.POST.get("item") if request.method == "POST" else request.GET.get("item"))
    item = None
    if target is not None and item_id:
        item = HomeVisitScheduleItem.objects.filter(
            pk=item_id, schedule__district_id=target.program.district_id
        ).first()
        if item is None:
            raise Http404("일정 항목을 찾을 수 없습니다.")
    colleagues = list(
        User.objects.filter(dong_id=user.dong_id or 0, role__in=access.VISIT_ROLES, is_active=True)
        .exclude(pk=user.pk)
        .order_by("full_name")
    )
    form = forms.PlanForm(request.POST or None, initial={"target": target_id, "scheduled_on": today()})
    form.fields["co_staff"].choices = [  # type: ignore[attr-defined]  # a ChoiceField
        ("", "없음"),
        *((c.pk, f"{c.full_name} ({c.get_role_display()})") for c in colleagues),
    ]
    error = ""
    if request.method == "POST" and target is not None and form.is_valid():
        co_staff = next((c for c in colleagues if c.pk == form.cleaned_data["co_staff"]), None)
        try:
            visit = services.visit_plan(
                actor=user,
                target=target,
                scheduled_on=form.cleaned_data["scheduled_on"],
                co_staff=co_staff,
                schedule_item=item,
                request=request,
            )
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc
        except ValidationFailed as exc:
            error = str(exc)
            for name, messages_ in exc.errors.items():
                if name in form.fields:
                    for message in messages_:
                        form.add_error(name, message)
        else:
            return redirect(f"{reverse('visits:today')}?day={visit.scheduled_on}")
    open_targets = (
        []
        if target is not None
        else list(targets.select_related("program", "resident").order_by("program__name", "id")[:100])
    )
    return render(
        request,
        "visits/plan.html",
        {"form": form, "target": target, "open_targets": open_targets, "error": error},
    )


# --- 서울아기 건강첫걸음 ------------------------------------------------------------------------------


@login_required
@require_GET
def infant_view(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    if not access.can_view_infant_list(user):
        raise DjangoPermissionDenied("영유아 방문 목록은 영유아 건강간호사와 동 관리자의 화면입니다.")
    rows = selectors.infant_due_list(user=user, request=request)
    overdue = sum(1 for r in rows for d in r.due if d.overdue)
    return render(request, "visits/infant.html", {"rows": rows, "overdue": overdue, "day": today()})


@login_required
@require_http_methods(["GET", "POST"])
def schedule_view(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    try:
        schedule = selectors.schedule_for_user(user)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    can_edit = access.can_edit_schedule(user, schedule.district)
    error = ""
    errors: dict[str, list[str]] = {}
    posted: list[dict[str, Any]] | None = None
    if request.method == "POST":
        if not can_edit:
            raise DjangoPermissionDenied("영유아 방문 일정을 고칠 권한이 없습니다.")
        posted = forms.schedule_items_from_post(request.POST)
        try:
            services.schedule_items_replace(actor=user, schedule=schedule, items=posted, request=request)
        except ValidationFailed as exc:
            error, errors = str(exc), exc.errors
        else:
            messages.success(request, f"일정을 저장했습니다({len(posted)}회 방문).")
            return redirect("visits:schedule")
    items = list(schedule.items.all())
    rows = (
        posted
        if posted is not None
        else [
            {
                "id": i.pk,
                "label": i.label,
                "track": i.track,
                "anchor": i.anchor,
                "offset_days": i.offset_days,
                "window_days": i.window_days,
            }
            for i in items
        ]
    )
    blanks = [
        {
            "id": None,
            "label": "",
            "track": "sustained",
            "anchor": "birth",
            "offset_days": "",
            "window_days": 14,
        }
    ] * 3
    context = {
        "schedule": schedule,
        "rows": rows + (blanks if can_edit else []),
        "can_edit": can_edit,
        "error": error,
        "errors": errors,
        "tracks": forms.TRACKS,
        "anchors": forms.ANCHORS,
        "universal": sum(1 for i in items if i.track == "universal"),
        "sustained": sum(1 for i in items if i.track == "sustained"),
    }
    return render(request, "visits/schedule.html", context)


# --- calendar feed ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def calendar_view(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    if not access.is_visitor(user):
        raise DjangoPermissionDenied("방문 일정 구독은 방문하는 직원만 쓸 수 있습니다.")
    feed_url = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(actor=user)
        else:
            token = services.calendar_feed_create(actor=user)
            feed_url = request.build_absolute_uri(reverse("visits:feed", args=[token]))
    active = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()
    return render(request, "visits/calendar.html", {"feed_url": feed_url, "active": active})


@require_GET
def feed_view(request: HttpRequest, token: str) -> HttpResponse:
    """The iCal feed: no session; the secret URL is the key. Events carry 통/반 and program only."""
    user = services.calendar_feed_user(token)
    if user is None:
        raise Http404("구독 주소가 없거나 취소되었습니다.")
    day = today()
    visits = selectors.calendar_visits(
        user, start=day - dt.timedelta(days=FEED_DAYS_BACK), end=day + dt.timedelta(days=FEED_DAYS_AHEAD)
    )
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//chatdong//visits//KO")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "찾동 방문 일정")
    stamp = timezone.now()
    host = request.get_host().split(":")[0]
    for visit in visits:
        if visit.scheduled_on is None:
            continue
        event = icalendar.Event()
        event.add("uid", f"visit-{visit.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", visit.scheduled_on)
        event.add("dtend", visit.scheduled_on + dt.timedelta(days=1))
        done = "" if visit.outcome == Visit.Outcome.PLANNED else f" [{visit.get_outcome_display()}]"
        event.add("summary", f"방문 {selectors.place_label(visit)} · {visit.target.program.name}{done}")
        event.add("url", request.build_absolute_uri(reverse("visits:detail", args=[visit.pk])))
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="chatdong-visits.ics"'
    return response


# --- list -------------------------------------------------------------------------------------------


@login_required
@require_GET
def list_view(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    if not access.can_list_visits(user):
        raise DjangoPermissionDenied("방문 기록을 볼 권한이 없습니다.")
    outcome = request.GET.get("outcome") or None
    mine = request.GET.get("mine") == "1" or access.is_visitor(user)
    rows, total = selectors.visit_list(user=user, request=request, outcome=outcome, mine=mine, limit=100)
    return render(
        request,
        "visits/list.html",
        {"rows": rows, "total": total, "outcome": outcome, "outcomes": Visit.Outcome.choices},
    )
