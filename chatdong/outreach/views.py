"""Outreach pages: programs, target lists, a target, the supervisors' load page and the SMS outbox.

Views only translate HTTP: access is decided in outreach.access, reads are logged by the selectors,
writes go through the services; a denied or out-of-scope request writes nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chatdong.accounts.access import OVERVIEW_ROLES, can_view_personal_data
from chatdong.accounts.models import Dong, User
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.core.time import today
from chatdong.outreach import access, rules, selectors, services
from chatdong.outreach.forms import (
    AssignForm,
    ConsentForm,
    ExtractForm,
    ListUploadForm,
    NoticeForm,
    PregnancyForm,
    ProgramForm,
    TargetAddForm,
    TemplateForm,
    parse_date,
)
from chatdong.outreach.models import MessageTemplate, Program, Target
from chatdong.registry.access import residents_visible_to
from chatdong.registry.selectors import resident_search

PER_PAGE = 50


def _staff(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not user.is_active:
        raise DjangoPermissionDenied("비활성 계정입니다.")
    return user


def _program(user: User, program_id: int) -> Program:
    try:
        return selectors.program_for(user, program_id)
    except NotFound:
        raise Http404("방문 사업을 찾을 수 없습니다.") from None


def _error_text(exc: ValidationFailed) -> str:
    details = "; ".join(f"{', '.join(v)}" for v in exc.errors.values())
    return f"{exc} {details}".strip()


@login_required
@require_GET
def program_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    if user.role not in OVERVIEW_ROLES:
        raise DjangoPermissionDenied("방문 사업을 볼 권한이 없습니다.")
    rows = selectors.program_period_counts(user)
    return render(
        request,
        "outreach/program_list.html",
        {
            "rows": rows,
            "can_edit": access.can_edit_programs(user),
            "can_list": can_view_personal_data(user),
            "can_load": access.can_view_load(user),
            "can_outbox": access.can_work(user),
            "can_pregnancy": can_view_personal_data(user) and user.role in access.PREGNANCY_ROLES,
            "can_templates": access.can_edit_templates(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def program_edit(request: HttpRequest, program_id: int) -> HttpResponse:
    user = _staff(request)
    if not access.can_edit_programs(user):
        raise DjangoPermissionDenied("방문 사업을 고칠 권한이 없습니다(구 사업담당·시스템 관리자).")
    program = _program(user, program_id)
    kind = program.rule.get("type", "list")
    form = ProgramForm(request.POST or None, initial=ProgramForm.initial_for(program))
    rule_errors: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        try:
            services.program_update(
                actor=user,
                program_id=program.pk,
                name=form.cleaned_data["name"],
                rule=form.rule_for(kind),
                visit_roles=form.cleaned_data["visit_roles"],
                active=form.cleaned_data["active"],
                period=form.cleaned_data["period"],
                request=request,
            )
        except ValidationFailed as exc:
            rule_errors = exc.errors
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"'{form.cleaned_data['name']}' 사업을 고쳤습니다.")
            return redirect("outreach:program_list")
    return render(
        request,
        "outreach/program_edit.html",
        {
            "program": program,
            "form": form,
            "kind": kind,
            "kind_label": rules.RULE_TYPES.get(kind, kind),
            "rule_errors": rule_errors,
            "extract_form": ExtractForm(
                initial={"period_start": rules.current_period_start(program.period, today())}
            ),
            "can_extract": access.can_extract(user),
        },
    )


@login_required
@require_POST
def program_extract(request: HttpRequest, program_id: int) -> HttpResponse:
    user = _staff(request)
    if not access.can_extract(user):
        raise DjangoPermissionDenied("대상을 추출할 권한이 없습니다(구 사업담당·시스템 관리자).")
    program = _program(user, program_id)
    form = ExtractForm(request.POST)
    if not form.is_valid():
        messages.error(request, "기간 시작일을 입력해 주세요.")
        return redirect("outreach:program_edit", program_id=program.pk)
    start = form.cleaned_data["period_start"]
    try:
        run = services.targets_extract(actor=user, program=program, period_start=start, request=request)
    except ValidationFailed as exc:
        messages.error(request, _error_text(exc))
        return redirect("outreach:program_edit", program_id=program.pk)
    c = run.counts
    messages.success(
        request,
        f"{program.name} {rules.period_label(program.period, start)} 대상 {c['selected']:,}명(세대): "
        f"새로 {c['added']:,}, 변경 {c['updated']:,}, 복원 {c['restored']:,}, 취소 {c['cancelled']:,}",
    )
    url = reverse("outreach:target_list", args=[program.pk])
    return redirect(f"{url}?period={start.isoformat()}")


def _filters(request: HttpRequest) -> selectors.Filters:
    assignee = request.GET.get("assignee", "")
    return selectors.Filters(
        dong_id=int(request.GET["dong"]) if request.GET.get("dong", "").isdigit() else None,
        consent=request.GET.get("consent", "")
        if request.GET.get("consent", "") in {"", "all", *Target.Consent.values}
        else "",
        status=request.GET.get("status", "open")
        if request.GET.get("status", "open") in {"all", *Target.Status.values}
        else "open",
        assignee_id=int(assignee) if assignee.isdigit() else None,
        q=request.GET.get("q", "").strip()[:40],
    )


def _query_prefix(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return f"{encoded}&" if encoded else ""


@login_required
@require_GET
def target_list(request: HttpRequest, program_id: int) -> HttpResponse:
    user = _staff(request)
    if not can_view_personal_data(user):
        raise DjangoPermissionDenied("방문 대상 명단을 볼 권한이 없습니다.")
    program = _program(user, program_id)
    start = rules.current_period_start(program.period, parse_date(request.GET.get("period"), today()))
    filters = _filters(request)
    queryset = selectors.targets_for_list(user, program, start, filters)
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    targets = list(page.object_list)
    selectors.targets_list_log(
        user=user, request=request, program=program, period_start=start, targets=targets
    )
    scope = access.targets_visible_to(user).filter(program=program, period_start=start)
    if filters.dong_id:
        scope = scope.filter(dong_id=filters.dong_id)
    dongs = list(access.target_dongs(user))
    staff = User.objects.filter(dong__in=dongs, role__in=program.visit_roles or [], is_active=True).order_by(
        "full_name"
    )
    context: dict[str, Any] = {
        "program": program,
        "period_start": start,
        "period_label": rules.period_label(program.period, start),
        "filters": filters,
        "page": page,
        "targets": targets,
        "counts": selectors.consent_counts(scope),
        "changes": selectors.latest_follow_changes(user, program, start),
        "dongs": dongs,
        "staff": staff,
        "consent_choices": Target.Consent.choices,
        "status_choices": Target.Status.choices,
        "can_assign": access.can_assign(user),
        "can_upload": access.can_list_import(user),
        "upload_form": ListUploadForm(),
        "query_prefix": _query_prefix(request),
    }
    template = (
        "outreach/_target_table.html"
        if request.headers.get("HX-Request") == "true"
        else "outreach/target_list.html"
    )
    return render(request, template, context)


@login_required
@require_POST
def target_assign_auto(request: HttpRequest, program_id: int) -> HttpResponse:
    user = _staff(request)
    if not access.can_assign(user):
        raise DjangoPermissionDenied("대상을 배정할 권한이 없습니다.")
    program = _program(user, program_id)
    start = rules.current_period_start(program.period, parse_date(request.POST.get("period"), today()))
    dong = access.target_dongs(user).filter(pk=request.POST.get("dong") or 0).first()
    if dong is None:
        raise Http404("동을 찾을 수 없습니다.")
    result = services.targets_assign_auto(
        actor=user, program=program, period_start=start, dong=dong, request=request
    )
    messages.success(
        request,
        f"{dong.name}: 구역 담당 {result['by_zone']:,}건, 업무량 균형 {result['balanced']:,}건 배정"
        + (f", 배정할 직원이 없어 남은 {result['unassigned']:,}건" if result["unassigned"] else ""),
    )
    url = reverse("outreach:target_list", args=[program.pk])
    return redirect(f"{url}?period={start.isoformat()}&dong={dong.pk}")


@login_required
@require_POST
def target_list_upload(request: HttpRequest, program_id: int) -> HttpResponse:
    user = _staff(request)
    if not access.can_list_import(user):
        raise DjangoPermissionDenied("명단으로 대상을 등록할 권한이 없습니다.")
    program = _program(user, program_id)
    start = rules.current_period_start(program.period, parse_date(request.POST.get("period"), today()))
    url = f"{reverse('outreach:target_list', args=[program.pk])}?period={start.isoformat()}"
    form = ListUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "명단 파일을 골라 주세요.")
        return redirect(url)
    try:
        run = services.targets_list_import(
            actor=user,
            program=program,
            period_start=start,
            content=form.cleaned_data["file"].read(),
            request=request,
        )
    except ValidationFailed as exc:
        rows = "; ".join(f"{k}: {' '.join(v)}" for k, v in list(exc.errors.items())[:20])
        messages.error(request, f"{exc} {rows}")
        return redirect(url)
    messages.success(
        request,
        f"명단 {run.counts['rows']:,}행: 새로 {run.counts['added']:,}, 복원 {run.counts['restored']:,}",
    )
    return redirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def target_add(request: HttpRequest, program_id: int) -> HttpResponse:
    """Add one person by hand (hidden vulnerable households, a child in crisis): find the resident, say
    why. For a household program her household becomes the target."""
    user = _staff(request)
    if not access.can_list_import(user):
        raise DjangoPermissionDenied("방문 대상을 등록할 권한이 없습니다.")
    program = _program(user, program_id)
    source = request.POST if request.method == "POST" else request.GET
    start = rules.current_period_start(program.period, parse_date(source.get("period"), today()))
    form = TargetAddForm(request.POST or None)
    resident = None
    if request.method == "POST" and form.is_valid():
        resident = residents_visible_to(user).filter(pk=form.cleaned_data["resident_id"] or 0).first()
        if resident is None:
            form.add_error(None, "등록할 주민을 검색해서 고르세요.")
        else:
            try:
                target = services.target_add(
                    actor=user,
                    program=program,
                    period_start=start,
                    resident=resident,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except NotFound as exc:
                raise Http404(str(exc)) from exc
            except PermissionDenied as exc:
                raise DjangoPermissionDenied(str(exc)) from exc
            except ValidationFailed as exc:
                form.add_error(None, _error_text(exc))
            else:
                messages.success(request, f"{program.name} 대상으로 등록했습니다.")
                return redirect("outreach:target_detail", target_id=target.pk)
    context = {
        "program": program,
        "period_start": start,
        "period_label": rules.period_label(program.period, start),
        "form": form,
        "resident": resident,
    }
    return render(request, "outreach/target_add.html", context)


@login_required
@require_GET
def resident_pick(request: HttpRequest) -> HttpResponse:
    """HTMX: residents in the user's scope matching the query, as choices for target_add (the search
    logs what it shows, as every resident search does)."""
    user = _staff(request)
    if not access.can_list_import(user):
        raise DjangoPermissionDenied("방문 대상을 등록할 권한이 없습니다.")
    query = request.GET.get("q", "").strip()
    result, error = None, ""
    if query:
        try:
            result = resident_search(user=user, request=request, query=query, limit=20)
        except (ValidationFailed, PermissionDenied) as exc:
            error = str(exc)
    return render(request, "outreach/_resident_pick.html", {"result": result, "error": error})


def _detail_context(user: User, request: HttpRequest, target: Target) -> dict[str, Any]:
    program = target.program
    staff = access.assignable_staff(target.dong_id, program.visit_roles or [])
    co_staff = access.assignable_staff(target.dong_id, [r.value for r in access.VISIT_ROLES])
    phone, name = services.target_contact(target)
    return {
        "target": target,
        "name": name,
        "phone": phone,
        "changes": list(target.changes.select_related("actor")[:100]),
        "consents": list(target.consents.select_related("recorded_by")[:50]),
        "notices": list(target.notices.select_related("template")[:20]),
        "consent_form": ConsentForm(initial={"on": today(), "channel": "phone"}),
        "notice_form": NoticeForm(),
        "templates": MessageTemplate.objects.filter(district_id=program.district_id, active=True),
        "staff": staff,
        "co_staff": co_staff,
        "can_work": access.can_work(user),
        "can_assign": access.can_assign(user),
        "today": today(),
    }


def _target(user: User, request: HttpRequest, target_id: int) -> Target:
    if not can_view_personal_data(user):
        raise DjangoPermissionDenied("방문 대상을 볼 권한이 없습니다.")
    try:
        return selectors.target_detail(user=user, target_id=target_id, request=request)
    except NotFound:
        raise Http404("방문 대상을 찾을 수 없습니다.") from None


@login_required
@require_GET
def target_detail(request: HttpRequest, target_id: int) -> HttpResponse:
    user = _staff(request)
    target = _target(user, request, target_id)
    return render(request, "outreach/target_detail.html", _detail_context(user, request, target))


def _post_action(request: HttpRequest, target_id: int, action: Any, ok: str) -> HttpResponse:
    user = _staff(request)
    if not access.targets_visible_to(user).filter(pk=target_id).exists():
        raise Http404("방문 대상을 찾을 수 없습니다.")
    try:
        action(user)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc)) from None
    except NotFound:
        raise Http404("방문 대상을 찾을 수 없습니다.") from None
    except ValidationFailed as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, ok)
    return redirect("outreach:target_detail", target_id=target_id)


@login_required
@require_POST
def target_consent(request: HttpRequest, target_id: int) -> HttpResponse:
    form = ConsentForm(request.POST)

    def act(user: User) -> None:
        if not access.can_work(user):
            raise PermissionDenied("방문 동의를 기록할 권한이 없습니다.")
        if not form.is_valid():
            raise ValidationFailed("동의 상태, 일자, 경로를 확인해 주세요.")
        services.target_consent_record(actor=user, target_id=target_id, request=request, **form.cleaned_data)

    return _post_action(request, target_id, act, "방문 동의를 기록했습니다.")


@login_required
@require_POST
def target_assign(request: HttpRequest, target_id: int) -> HttpResponse:
    form = AssignForm(request.POST)

    def act(user: User) -> None:
        if not access.can_assign(user):
            raise PermissionDenied("대상을 배정할 권한이 없습니다.")
        if not form.is_valid():
            raise ValidationFailed("담당자를 골라 주세요.")
        services.target_assign(
            actor=user,
            target_id=target_id,
            assignee_id=form.cleaned_data["assignee"],
            co_assignee_id=form.cleaned_data["co_assignee"],
            request=request,
        )

    return _post_action(request, target_id, act, "담당자를 배정했습니다.")


@login_required
@require_POST
def target_notice(request: HttpRequest, target_id: int) -> HttpResponse:
    form = NoticeForm(request.POST)

    def act(user: User) -> None:
        if not access.can_work(user):
            raise PermissionDenied("사전안내를 보낼 권한이 없습니다.")
        if not form.is_valid():
            raise ValidationFailed("안내 서식과 방문 예정일을 골라 주세요.")
        services.notice_send(
            actor=user,
            target_id=target_id,
            template_id=form.cleaned_data["template"],
            visit_on=form.cleaned_data["visit_on"],
            request=request,
        )

    return _post_action(request, target_id, act, "사전안내 문자를 보냈습니다(발송함에서 확인).")


@login_required
@require_GET
def staff_load(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    if not access.can_view_load(user):
        raise DjangoPermissionDenied(
            "담당자별 업무량을 볼 권한이 없습니다(동장·팀장·복지수퍼바이저·구 사업담당)."
        )
    dongs = list(access.load_dongs(user))
    chosen = request.GET.get("dong", "")
    dong = next((d for d in dongs if str(d.pk) == chosen), None) if chosen else (dongs[0] if dongs else None)
    if chosen and dong is None:
        raise Http404("동을 찾을 수 없습니다.")
    rows = selectors.staff_load(user, dong) if isinstance(dong, Dong) else []
    return render(
        request, "outreach/staff_load.html", {"dongs": dongs, "dong": dong, "rows": rows, "today": today()}
    )


@login_required
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    try:
        rows = selectors.outbox_for(user=user, request=request)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc)) from None
    return render(request, "outreach/outbox.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def pregnancy_list(request: HttpRequest) -> HttpResponse:
    """보건소 임산부 등록: the registrations the 영유아 건강간호 rule selects from; nurses add one by one or
    upload the health center's list."""
    user = _staff(request)
    if not can_view_personal_data(user) or user.role not in access.PREGNANCY_ROLES:
        raise DjangoPermissionDenied("임산부 등록을 볼 권한이 없습니다.")
    form = PregnancyForm(request.POST or None, initial={"registered_on": today()})
    if request.method == "POST":
        if not services.can_register_pregnancy(user):
            raise DjangoPermissionDenied("임산부 등록 권한이 없습니다(영유아 건강간호사·구 사업담당).")
        upload = request.FILES.get("file")
        if upload is not None:
            try:
                result = services.pregnancies_import(actor=user, content=upload.read(), request=request)
            except ValidationFailed as exc:
                rows = "; ".join(f"{k}: {' '.join(v)}" for k, v in list(exc.errors.items())[:20])
                messages.error(request, f"{exc} {rows}")
            else:
                messages.success(
                    request,
                    f"명단 {result['rows']:,}행: 새로 {result['created']:,}, 고침 {result['updated']:,}",
                )
            return redirect("outreach:pregnancy_list")
        if form.is_valid():
            try:
                resident = services.resident_by_rrn(actor=user, rrn=form.cleaned_data["rrn"])
                services.pregnancy_register(
                    actor=user,
                    resident=resident,
                    expected_delivery_on=form.cleaned_data["expected_delivery_on"],
                    registered_on=form.cleaned_data["registered_on"],
                    delivered_on=form.cleaned_data["delivered_on"],
                    request=request,
                )
            except ValidationFailed as exc:
                for field, errors in exc.errors.items():
                    form.add_error(field if field in form.fields else None, errors)
                if not exc.errors:
                    form.add_error(None, str(exc))
            except NotFound as exc:
                form.add_error("rrn", str(exc))
            else:
                messages.success(request, "임산부 등록을 저장했습니다.")
                return redirect("outreach:pregnancy_list")
    registrations = list(
        access.pregnancies_visible_to(user)
        .select_related("resident", "dong")
        .order_by("-registered_on", "-pk")[:200]
    )
    selectors.pregnancies_log(user=user, request=request, registrations=registrations)
    return render(
        request,
        "outreach/pregnancy_list.html",
        {"form": form, "registrations": registrations, "can_register": services.can_register_pregnancy(user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_list(request: HttpRequest) -> HttpResponse:
    """사전안내 문자 서식 (data, editable)."""
    user = _staff(request)
    if not access.can_edit_templates(user):
        raise DjangoPermissionDenied("안내 문자 서식을 고칠 권한이 없습니다.")
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.message_template_save(actor=user, request=request, **form.cleaned_data)
        except ValidationFailed as exc:
            for field, errors in exc.errors.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "안내 문자 서식을 저장했습니다.")
            return redirect("outreach:template_list")
    templates = selectors.message_templates_for(user)
    return render(request, "outreach/template_list.html", {"form": form, "templates": templates})
