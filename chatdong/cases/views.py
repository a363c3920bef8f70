"""Case pages: the 동's register, a case with its chain timeline and action forms, manual intake, the
supervisor's queue and the 행복e음 export.

Views only translate HTTP: scope and permissions are in cases.access, writes in cases.services (which
log changes), reads in cases.selectors (which log views). Out of scope answers 404; a visible case
the user may not act on answers 403; a denied or invalid request changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chatdong.accounts.models import Agency, User
from chatdong.audit.models import AccessLog
from chatdong.cases import access, forms, selectors, services
from chatdong.cases.models import Case, CaseAgency, CaseType, RiskLevel, ShareScope
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.registry.access import residents_visible_to
from chatdong.registry.selectors import resident_search

CASES_PER_PAGE = 50


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _staff(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _require_cases(user: User) -> None:
    if not access.can_use_cases(user):
        raise DjangoPermissionDenied("사례관리 화면을 쓸 권한이 없습니다.")


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


# --- register -------------------------------------------------------------------------------------


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    _require_cases(user)
    get = request.GET
    filters = selectors.CaseFilter(
        step=get.get("step", "") if get.get("step", "") in Case.Step.values else "",
        overdue=get.get("overdue") == "on",
        risk=get.get("risk", "") if get.get("risk", "") in RiskLevel.values else "",
        worker_id=_int(get.get("worker")),
        agency_id=_int(get.get("agency")),
        dong_id=_int(get.get("dong")),
        include_ended=get.get("ended") == "on",
    )
    cases = selectors.case_list(user=user, request=request, filters=filters)
    page = Paginator(cases, CASES_PER_PAGE).get_page(get.get("page"))
    query = get.copy()
    query.pop("page", None)
    context: dict[str, Any] = {
        "page": page,
        "filters": filters,
        "steps": Case.Step.choices,
        "risks": RiskLevel.choices,
        "workers": _workers(user),
        "agencies": access.agencies_for_cases(user),
        "dongs": access.export_dongs(user) if user.scope == "district" else [],
        "querystring": query.urlencode(),
        "can_open": access.is_dong_case_worker(user),
        "can_queue": access.can_view_supervisor_queue(user),
        "can_export": access.export_dongs(user).exists(),
        "today": selectors.today(),
    }
    template = "cases/_case_table.html" if _is_htmx(request) else "cases/case_list.html"
    return render(request, template, context)


def _workers(user: User) -> list[User]:
    if not access.is_dong_case_worker(user):
        return []
    return list(
        User.objects.filter(dong=user.dong, role__in=access.CASE_ROLES, is_active=True).order_by("full_name")
    )


# --- manual intake --------------------------------------------------------------------------------


def _live_check_url() -> str:
    try:
        return reverse("linkage:live_check")
    except NoReverseMatch:
        return ""


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    """Manual intake by 동 staff: pick a resident of the 동 (search), write what was found."""
    user = _staff(request)
    if not access.is_dong_case_worker(user):
        raise DjangoPermissionDenied("사례를 등록할 권한이 없습니다.")
    form = forms.IntakeForm(request.POST or None)
    resident = None
    if request.method == "POST" and form.is_valid():
        resident = residents_visible_to(user).filter(pk=form.cleaned_data["resident_id"]).first()
        if resident is None:
            form.add_error(None, "대상 주민을 검색해서 고르세요.")
        else:
            assert user.dong is not None
            try:
                case = services.case_open(
                    actor=user,
                    dong=user.dong,
                    summary=form.cleaned_data["summary"],
                    source=form.cleaned_data["source"],
                    resident=resident,
                    worker=user,
                )
            except PermissionDenied as exc:
                raise DjangoPermissionDenied(str(exc)) from exc
            except ValidationFailed as exc:
                form.add_error(None, str(exc))
                for messages in exc.errors.values():
                    for message in messages:
                        form.add_error(None, message)
            else:
                return redirect("cases:detail", case_id=case.pk)
    context = {"form": form, "resident": resident, "live_check_url": _live_check_url()}
    return render(request, "cases/case_new.html", context)


@login_required
@require_GET
def resident_pick(request: HttpRequest) -> HttpResponse:
    """HTMX: residents of the user's scope matching the query, as choices for the intake form."""
    user = _staff(request)
    if not access.is_dong_case_worker(user):
        raise DjangoPermissionDenied("사례를 등록할 권한이 없습니다.")
    query = request.GET.get("q", "").strip()
    result = None
    error = ""
    if query:
        try:
            result = resident_search(user=user, request=request, query=query, limit=20)
        except (ValidationFailed, PermissionDenied) as exc:
            error = str(exc)
    existing: dict[int, list[Case]] = {}
    if result is not None:
        for case in (
            access.cases_visible_to(user).filter(resident__in=result.residents).exclude(step=Case.Step.ENDED)
        ):
            existing.setdefault(case.resident_id or 0, []).append(case)
    rows = [(r, existing.get(r.pk, [])) for r in result.residents] if result is not None else []
    return render(request, "cases/_resident_pick.html", {"result": result, "error": error, "rows": rows})


# --- one case -------------------------------------------------------------------------------------


def _agencies(case: Case) -> Any:
    return Agency.objects.filter(district_id=case.district_id).order_by("name")


def _forms(user: User, profile: selectors.CaseProfile, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    case = profile.case
    agencies = _agencies(case)
    lead = next((a.agency for a in profile.agencies if a.role == CaseAgency.Role.LEAD), None)
    co = [a.agency for a in profile.agencies if a.role == CaseAgency.Role.CO]
    made: dict[str, Any] = {
        "advance": forms.AdvanceForm(next_steps=profile.next_steps),
        "classify": forms.ClassifyForm(
            agencies=agencies, initial={"lead_agency": lead, "co_agencies": co, "meeting_on": case.meeting_on}
        ),
        "agencies": forms.AgenciesForm(agencies=agencies, initial={"lead_agency": lead, "co_agencies": co}),
        "assign": forms.AssignForm(
            workers=User.objects.filter(dong_id=case.dong_id, role__in=access.CASE_ROLES, is_active=True),
            initial={"worker": case.worker},
        ),
        "meeting": forms.MeetingForm(initial={"held_on": case.meeting_on or selectors.today()}),
        "assessment": forms.AssessmentForm(initial={"assessed_on": selectors.today()}),
        "plan": forms.PlanForm(agencies=agencies),
        "linkage": forms.LinkageForm(agencies=agencies, initial={"provided_on": selectors.today()}),
        "check": forms.CheckForm(initial={"on": selectors.today()}),
        "close": forms.CloseForm(),
        "propose_closure": forms.ProposeClosureForm(),
        "supervision": forms.SupervisionForm(initial={"on": selectors.today()}),
        "consent": forms.ConsentForm(
            agencies=agencies,
            initial={"given_on": selectors.today(), "agencies": co + ([lead] if lead else [])},
        ),
    }
    made.update(bound or {})
    return made


def _can(user: User, profile: selectors.CaseProfile) -> dict[str, bool]:
    case = profile.case
    open_ = case.step not in (Case.Step.ENDED,)
    return {
        "advance": open_ and access.can_advance(user, case) and bool(profile.next_steps),
        "decide": access.can_decide(user, case),
        "classify": access.can_decide(user, case) and case.step == Case.Step.MEETING,
        "meeting": access.can_advance(user, case) and case.step == Case.Step.MEETING,
        "assessment": access.can_work_on(user, case, ShareScope.ASSESSMENT)
        and case.step == Case.Step.ASSESSMENT,
        "plan": access.can_work_on(user, case, ShareScope.PLAN)
        and case.step in (Case.Step.CLASSIFIED, Case.Step.PLANNING, Case.Step.SERVICE)
        and case.case_type != CaseType.LINKAGE,
        "services": open_ and access.can_work_on(user, case, ShareScope.SERVICES),
        "close": access.can_advance(user, case) and case.step in services.chain.OPEN_STEPS,
        "propose_closure": access.can_work_on(user, case)
        and case.step in services.chain.OPEN_STEPS
        and not case.closure_proposed_on,
        "supervise": access.can_supervise(user, case),
        "consent": access.can_record_consent(user, case),
        "withdraw": access.can_withdraw_consent(user, case),
    }


def _render_case(
    request: HttpRequest,
    user: User,
    case_id: int,
    *,
    bound: dict[str, Any] | None = None,
    log: bool = True,
    status: int = 200,
) -> HttpResponse:
    try:
        profile = selectors.case_profile(user=user, request=request, case_id=case_id, log=log)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    context = {
        "p": profile,
        "case": profile.case,
        "forms": _forms(user, profile, bound),
        "can": _can(user, profile),
        "today": selectors.today(),
        "open_form": next(iter(bound or {}), ""),
    }
    template = "cases/_case_body.html" if _is_htmx(request) else "cases/case_detail.html"
    return render(request, template, context, status=status)


@login_required
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _staff(request)
    _require_cases(user)
    return _render_case(request, user, case_id)


def _case(user: User, case_id: int) -> Case:
    try:
        return selectors.case_get(user=user, case_id=case_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


Handler = Callable[[User, Case, Any, HttpRequest], object]


def _plan(case: Case, plan_id: int) -> Any:
    plan = case.plans.filter(pk=plan_id).first()
    if plan is None:
        raise NotFound("계획을 찾을 수 없습니다.")
    return plan


def _consent(case: Case, consent_id: int) -> Any:
    consent = case.consents.filter(pk=consent_id).first()
    if consent is None:
        raise NotFound("동의 기록을 찾을 수 없습니다.")
    return consent


# action name → (form factory, service call). The form factory gets the case's agencies.
ACTIONS: dict[str, tuple[Callable[..., Any], Handler]] = {
    "advance": (
        lambda data, case, agencies: forms.AdvanceForm(data),
        lambda user, case, d, request: services.case_advance(
            actor=user,
            case=case,
            to_step=d["to_step"],
            note=d["note"],
            follow_up_on=d["follow_up_on"],
            request=request,
        ),
    ),
    "classify": (
        lambda data, case, agencies: forms.ClassifyForm(data, agencies=agencies),
        lambda user, case, d, request: services.case_classify(
            actor=user,
            case=case,
            case_type=d["case_type"],
            lead_agency=d["lead_agency"],
            co_agencies=list(d["co_agencies"]),
            note=d["note"],
            meeting_on=d["meeting_on"],
            request=request,
        ),
    ),
    "agencies": (
        lambda data, case, agencies: forms.AgenciesForm(data, agencies=agencies),
        lambda user, case, d, request: services.case_agencies_set(
            actor=user,
            case=case,
            lead_agency=d["lead_agency"],
            co_agencies=list(d["co_agencies"]),
            request=request,
        ),
    ),
    "assign": (
        lambda data, case, agencies: forms.AssignForm(
            data,
            workers=User.objects.filter(dong_id=case.dong_id, role__in=access.CASE_ROLES, is_active=True),
        ),
        lambda user, case, d, request: services.case_assign(
            actor=user, case=case, worker=d["worker"], request=request
        ),
    ),
    "meeting": (
        lambda data, case, agencies: forms.MeetingForm(data),
        lambda user, case, d, request: services.case_meeting_held(
            actor=user, case=case, held_on=d["held_on"], request=request
        ),
    ),
    "assessment": (
        lambda data, case, agencies: forms.AssessmentForm(data),
        lambda user, case, d, request: services.case_assessment_record(
            actor=user,
            case=case,
            domains=d["_form"].domains(),
            overall_risk=d["overall_risk"],
            summary=d["summary"],
            assessed_on=d["assessed_on"],
            request=request,
        ),
    ),
    "plan": (
        lambda data, case, agencies: forms.PlanForm(data, agencies=agencies),
        lambda user, case, d, request: services.case_plan_save(
            actor=user,
            case=case,
            goals=d["goals"],
            start_on=d["start_on"],
            end_on=d["end_on"],
            items=d["_form"].items(),
            request=request,
        ),
    ),
    "approve": (
        lambda data, case, agencies: forms.ApproveForm(data),
        lambda user, case, d, request: services.case_plan_approve(
            actor=user, case=case, plan=_plan(case, d["plan_id"]), request=request
        ),
    ),
    "linkage": (
        lambda data, case, agencies: forms.LinkageForm(data, agencies=agencies),
        lambda user, case, d, request: services.case_linkage_record(
            actor=user,
            case=case,
            kind=d["kind"],
            category=d["category"],
            service=d["service"],
            provider=d["provider"],
            provider_name=d["provider_name"],
            amount=d["amount"],
            provided_on=d["provided_on"],
            note=d["note"],
            request=request,
        ),
    ),
    "check": (
        lambda data, case, agencies: forms.CheckForm(data),
        lambda user, case, d, request: services.case_check_record(
            actor=user, case=case, kind=d["kind"], on=d["on"], text=d["text"], request=request
        ),
    ),
    "close": (
        lambda data, case, agencies: forms.CloseForm(data),
        lambda user, case, d, request: services.case_close(
            actor=user,
            case=case,
            reason=d["reason"],
            follow_up_on=d["follow_up_on"],
            note=d["note"],
            request=request,
        ),
    ),
    "propose_closure": (
        lambda data, case, agencies: forms.ProposeClosureForm(data),
        lambda user, case, d, request: services.case_propose_closure(
            actor=user, case=case, reason=d["reason"], request=request
        ),
    ),
    "supervision": (
        lambda data, case, agencies: forms.SupervisionForm(data),
        lambda user, case, d, request: services.case_supervision_record(
            actor=user, case=case, kind=d["kind"], on=d["on"], notes=d["notes"], request=request
        ),
    ),
    "consent": (
        lambda data, case, agencies: forms.ConsentForm(data, agencies=agencies),
        lambda user, case, d, request: services.consent_record(
            actor=user,
            case=case,
            given_on=d["given_on"],
            agencies=list(d["agencies"]),
            scope=d["scope"],
            note=d["note"],
            request=request,
        ),
    ),
    "withdraw": (
        lambda data, case, agencies: forms.WithdrawForm(data),
        lambda user, case, d, request: services.consent_withdraw(
            actor=user, case=case, consent=_consent(case, d["consent_id"]), request=request
        ),
    ),
}


@login_required
@require_POST
def case_action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    """Every action form of the case page posts here; the answer is the case again (the body, for HTMX)
    with the form's errors, or fresh forms after success."""
    user = _staff(request)
    _require_cases(user)
    if action not in ACTIONS:
        raise Http404("알 수 없는 작업입니다.")
    case = _case(user, case_id)
    make_form, handler = ACTIONS[action]
    form = make_form(request.POST, case, _agencies(case))
    if form.is_valid():
        try:
            handler(user, case, form.cleaned_data | {"_form": form}, request)
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc
        except NotFound as exc:
            if access.cases_visible_to(user).filter(pk=case.pk).exists():
                form.add_error(None, str(exc))
            else:
                raise Http404(str(exc)) from exc
        except ValidationFailed as exc:
            form.add_error(None, str(exc))
            for field, messages in exc.errors.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            if not access.cases_visible_to(user).filter(pk=case.pk).exists():
                # An agency that recorded the withdrawal of its own consent no longer sees the case.
                if not _is_htmx(request):
                    return redirect("cases:list")
                response = HttpResponse("")
                response["HX-Redirect"] = reverse("cases:list")
                return response
            if not _is_htmx(request):
                return redirect("cases:detail", case_id=case.pk)
            # The service logged the change; re-showing the case in the same answer is not a new view.
            return _render_case(request, user, case.pk, log=False)
    elif not access.cases_visible_to(user).filter(pk=case.pk).exists():
        raise Http404("사례를 찾을 수 없습니다.")
    return _render_case(
        request, user, case.pk, bound={action: form}, log=False, status=200 if _is_htmx(request) else 422
    )


# --- supervisor queue -----------------------------------------------------------------------------


@login_required
@require_GET
def supervisor_queue(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    if not access.can_view_supervisor_queue(user):
        raise DjangoPermissionDenied("복지수퍼바이저만 볼 수 있습니다.")
    items = selectors.supervisor_queue(user=user, request=request)
    return render(
        request,
        "cases/supervisor_queue.html",
        {"items": items, "no_contact_days": selectors.no_contact_days(), "today": selectors.today()},
    )


# --- 행복e음 export -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest) -> HttpResponse:
    """Service linkages of one 동 and month in the 행복e음 entry layout (docs/cases.md), for a stated
    reason (logged as a download)."""
    user = _staff(request)
    dongs = access.export_dongs(user)
    if not dongs.exists():
        raise DjangoPermissionDenied("서비스 연계 실적을 내려받을 권한이 없습니다.")
    today = selectors.today()
    form = forms.ExportForm(
        request.POST or None, dongs=dongs, initial={"month": f"{today:%Y-%m}", "dong": dongs.first()}
    )
    if request.method == "POST" and form.is_valid():
        dong = form.cleaned_data["dong"]
        year, month = form.cleaned_data["month"]
        linkages = selectors.linkages_for_export(dong=dong, year=year, month=month)
        rows = selectors.export_rows(linkages=linkages)
        from chatdong.audit.services import access_log_record

        access_log_record(
            user=user,
            request=request,
            action=AccessLog.Action.DOWNLOAD,
            object_type="case_linkage_export",
            object_id=f"{dong.code}-{year}{month:02d}",
            subjects=sorted({link.case.resident_id for link in linkages if link.case.resident_id}),
            reason=form.cleaned_data["reason"],
            detail={"dong": dong.pk, "month": f"{year}-{month:02d}", "rows": len(rows)},
        )
        name = f"service-linkages-{dong.code}-{year}{month:02d}"
        if form.cleaned_data["format"] == "csv":
            response = HttpResponse(selectors.export_csv(rows), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        else:
            response = HttpResponse(
                selectors.export_xlsx(rows, title=f"{dong.name} {year}-{month:02d}"),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    return render(
        request,
        "cases/export.html",
        {"form": form, "columns": selectors.EXPORT_COLUMNS},
        status=422 if request.method == "POST" else 200,
    )
