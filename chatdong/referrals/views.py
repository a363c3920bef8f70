"""Referral pages: the receivers' inbox, the sender's 보낸 의뢰, the supervisors' 의뢰 점검, one referral
with its history and answer forms, the counseling desk (intake, consultation, routing), the private
agencies' 발굴 의뢰 (sending it; the 동 registering it as a case) and the agency directory. Views only translate HTTP: access is decided in referrals.access, reads are logged by the
selectors, writes go through the services, and a denied or out-of-scope request writes nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chatdong.accounts.access import DONG_ROLES
from chatdong.accounts.models import Agency, Dong, Role, User
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.core.needs import NeedCategory
from chatdong.referrals import access, selectors, services
from chatdong.referrals.forms import (
    AgencyFindingForm,
    AgencyForm,
    DirectorySearchForm,
    ForwardForm,
    IntakeForm,
    NoteForm,
    OpenCaseForm,
    RouteForm,
)
from chatdong.referrals.models import DeskNeed, Referral
from chatdong.registry.access import residents_visible_to
from chatdong.registry.selectors import resident_search


def _staff(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _add_errors(form: Any, exc: ValidationFailed) -> None:
    for field, errors in exc.errors.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)
    if not exc.errors or not any(field in form.fields for field in exc.errors):
        form.add_error(None, str(exc))


def _staff_choices(referral_district_id: int) -> QuerySet[User]:
    """Who a referral can be handed to: 동 staff and district program staff of the district."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(dong__district_id=referral_district_id, role__in=DONG_ROLES)
            | Q(district_id=referral_district_id, role=Role.DISTRICT_STAFF)
        )
        .select_related("dong")
        .order_by("dong__code", "full_name")
    )


def _agency_choices(district_id: int) -> QuerySet[Agency]:
    return Agency.objects.filter(district_id=district_id, accepts_referrals=True).order_by("name")


# --- lists -----------------------------------------------------------------------------------------


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    show_all = request.GET.get("all") == "1"
    rows = selectors.inbox(user=user, request=request, open_only=not show_all)
    return render(
        request,
        "referrals/inbox.html",
        {"rows": rows, "show_all": show_all, "see_person": access.can_see_person(user)},
    )


@login_required
@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    status = request.GET.get("status", "")
    rows = selectors.sent_list(user=user, request=request, status=status)
    return render(
        request, "referrals/sent.html", {"rows": rows, "status": status, "statuses": Referral.Status.choices}
    )


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    try:
        rows = selectors.supervisor_queue(user=user, request=request)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc)) from exc
    return render(request, "referrals/queue.html", {"rows": rows, "limit": services.bounce_limit()})


# --- one referral ----------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, user: User, referral: Referral, **extra: Any) -> dict[str, Any]:
    receiver = access.is_receiver(user, referral)
    can_forward = (receiver and referral.status in services.OPEN_STATUSES) or (
        referral.status == Referral.Status.RETURNED and access.can_reroute(user, referral)
    )
    context: dict[str, Any] = {
        "r": referral,
        "events": list(referral.events.select_related("actor")),
        "receiver": receiver,
        "can_forward": can_forward,
        "see_person": access.can_see_person(user),
        "screening": selectors.screening_summary(user=user, referral=referral, request=request),
        "note_form": NoteForm(),
        "forward_form": ForwardForm(
            staff=_staff_choices(referral.district_id), agencies=_agency_choices(referral.district_id)
        ),
        "desk_need": DeskNeed.objects.filter(referral=referral).select_related("consultation").first(),
        "can_open_case": access.can_open_case_from(user, referral),
        "open_case_form": OpenCaseForm(initial={"summary": referral.summary}),
        "live_check_url": _live_check_url(),
    }
    context.update(extra)
    return context


@login_required
@require_GET
def detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = _staff(request)
    try:
        referral = selectors.referral_get(user=user, request=request, referral_id=referral_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return render(request, "referrals/detail.html", _detail_context(request, user, referral))


ACTIONS = ("accept", "decline", "complete", "return", "forward")


@login_required
@require_POST
def act(request: HttpRequest, referral_id: int, action: str) -> HttpResponse:
    """One answer to a referral (접수, 거절, 처리 완료, 반송, 재의뢰)."""
    user = _staff(request)
    if action not in ACTIONS:
        raise Http404("없는 처리입니다.")
    try:
        referral = selectors.referral_get(user=user, request=request, referral_id=referral_id, log=False)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    note_form = NoteForm(request.POST if action != "forward" else None)
    forward_form = ForwardForm(
        request.POST if action == "forward" else None,
        staff=_staff_choices(referral.district_id),
        agencies=_agency_choices(referral.district_id),
    )
    form: Any = forward_form if action == "forward" else note_form
    if form.is_valid():
        try:
            if action == "forward":
                data = forward_form.cleaned_data
                services.referral_forward(
                    actor=user,
                    referral=referral,
                    to_kind=data["to_kind"],
                    to_user=data["to_user"],
                    to_agency=data["to_agency"],
                    reason=data["reason"],
                )
            else:
                text = note_form.cleaned_data["text"]
                if action == "accept":
                    services.referral_accept(actor=user, referral=referral, note=text)
                elif action == "decline":
                    services.referral_decline(actor=user, referral=referral, reason=text)
                elif action == "complete":
                    services.referral_complete(actor=user, referral=referral, result=text)
                else:
                    services.referral_return(actor=user, referral=referral, reason=text)
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except ValidationFailed as exc:
            if action != "forward" and "text" not in exc.errors:
                exc = ValidationFailed(
                    str(exc), {"text": [m for ms in exc.errors.values() for m in ms] or [str(exc)]}
                )
            _add_errors(form, exc)
        else:
            messages.success(request, "의뢰를 처리했습니다.")
            if not access.referrals_visible_to(user).filter(pk=referral.pk).exists():
                return redirect("referrals:inbox")  # handed on: no longer ours to see
            return redirect("referrals:detail", referral_id=referral.pk)
    referral = selectors.referral_get(user=user, request=request, referral_id=referral_id)
    context = _detail_context(request, user, referral, failed=action)
    context["note_form" if action != "forward" else "forward_form"] = form
    return render(request, "referrals/detail.html", context, status=422)


# --- 민간기관 발굴 의뢰 -------------------------------------------------------------------------------


def _finding_dongs(user: User) -> QuerySet[Dong]:
    """The 동 of the agency's district (none for anyone else)."""
    if not access.can_send_agency_finding(user) or user.agency is None:
        return Dong.objects.none()
    return Dong.objects.filter(district_id=user.agency.district_id).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def agency_finding(request: HttpRequest) -> HttpResponse:
    """An agency worker tells a 동 about a person the agency found; the 동 answers like any referral."""
    user = _staff(request)
    if not access.can_send_agency_finding(user):
        raise DjangoPermissionDenied("민간기관 사례관리자만 발굴 의뢰를 보냅니다.")
    form = AgencyFindingForm(request.POST or None, dongs=_finding_dongs(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_agency_finding(
                actor=user,
                dong=data["dong"],
                name=data["name"],
                need_category=data["need_category"],
                summary=data["summary"],
                urgent=data["urgent"],
                birth_date=data["birth_date"],
                phone=data["phone"],
                address=data["address"],
            )
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc
        except ValidationFailed as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                f"{referral.dong.name} {services.receiver_label(referral)}에게 발굴 의뢰를 보냈습니다. "
                "결과가 오면 알림과 [보낸 의뢰]에서 볼 수 있습니다.",
            )
            return redirect("referrals:detail", referral_id=referral.pk)
    status = 422 if form.is_bound else 200
    return render(request, "referrals/agency_finding.html", {"form": form}, status=status)


@login_required
@require_POST
def open_case(request: HttpRequest, referral_id: int) -> HttpResponse:
    """사례로 등록: the receiver of a 발굴 의뢰 registers the resident it picked; the referral is done."""
    user = _staff(request)
    try:
        referral = selectors.referral_get(user=user, request=request, referral_id=referral_id, log=False)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    if not access.is_receiver(user, referral):
        raise DjangoPermissionDenied("이 의뢰를 받은 담당자만 사례로 등록할 수 있습니다.")
    form = OpenCaseForm(request.POST)
    if form.is_valid():
        resident = residents_visible_to(user).filter(pk=form.cleaned_data["resident_id"]).first()
        if resident is None:
            form.add_error("resident_id", "대상 주민을 검색해서 고르세요.")
        else:
            try:
                _, case = services.referral_open_case(
                    actor=user, referral=referral, resident=resident, summary=form.cleaned_data["summary"]
                )
            except PermissionDenied as exc:
                raise DjangoPermissionDenied(str(exc)) from exc
            except NotFound as exc:
                raise Http404(str(exc)) from exc
            except ValidationFailed as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"사례로 등록했습니다(사례 #{case.pk}). 의뢰 기관에 결과가 갑니다.")
                return redirect("cases:detail", case_id=case.pk)
    referral = selectors.referral_get(user=user, request=request, referral_id=referral_id)
    context = _detail_context(request, user, referral, failed="open_case", open_case_form=form)
    return render(request, "referrals/detail.html", context, status=422)


# --- counseling desk --------------------------------------------------------------------------------


def _require_desk(user: User) -> None:
    if not access.can_use_desk(user):
        raise DjangoPermissionDenied("복지상담은 동 직원이 기록합니다.")


def _live_check_url() -> str:
    """The duplicate check partial of the linkage app, when it exists (INCLUDE POINT: linkage:live_check)."""
    try:
        return reverse("linkage:live_check")
    except NoReverseMatch:
        return ""


@login_required
@require_http_methods(["GET", "POST"])
def desk(request: HttpRequest) -> HttpResponse:
    """Walk-in intake: who, what they need; then the consultation page routes each need."""
    user = _staff(request)
    _require_desk(user)
    form = IntakeForm(request.POST or None)
    resident = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["resident_id"]:
            resident = residents_visible_to(user).filter(pk=data["resident_id"]).first()
            if resident is None:
                raise Http404("주민을 찾을 수 없습니다.")
        needs = [(c, request.POST.get(f"need_note_{c}", "")[:2000]) for c in data["needs"]]
        try:
            consultation = services.desk_consultation_create(
                actor=user,
                needs=needs,
                resident=resident,
                name=data["name"],
                phone=data["phone"],
                birth_date=data["birth_date"],
                note=data["note"],
            )
        except ValidationFailed as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "상담을 기록했습니다. 욕구마다 연계할 곳을 고르세요.")
            return redirect("referrals:consultation", consultation_id=consultation.pk)
    context = {
        "form": form,
        "categories": NeedCategory.choices,
        "recent": selectors.consultation_list(user=user, request=request, limit=20),
        "live_check_url": _live_check_url(),
        "notes": {c: request.POST.get(f"need_note_{c}", "") for c, _ in NeedCategory.choices},
    }
    return render(request, "referrals/desk.html", context, status=422 if form.is_bound else 200)


@login_required
@require_GET
def desk_search(request: HttpRequest) -> HttpResponse:
    """HTMX: registry search for the intake form (logged by the registry selector)."""
    user = _staff(request)
    _require_desk(user)
    query = request.GET.get("q", "").strip()
    result = None
    error = ""
    if query:
        try:
            result = resident_search(user=user, request=request, query=query, limit=10)
        except (ValidationFailed, PermissionDenied) as exc:
            error = str(exc)
    return render(request, "referrals/_desk_search.html", {"result": result, "error": error, "q": query})


@login_required
@require_GET
def consultation(request: HttpRequest, consultation_id: int) -> HttpResponse:
    user = _staff(request)
    try:
        item = selectors.consultation_get(user=user, request=request, consultation_id=consultation_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return render(request, "referrals/consultation.html", _consultation_context(user, item))


def _consultation_context(user: User, item: Any, **extra: Any) -> dict[str, Any]:
    needs = list(item.needs.select_related("referral", "referral__to_user", "referral__to_agency", "case"))
    staff = User.objects.filter(is_active=True, dong_id=item.dong_id, role__in=DONG_ROLES).order_by(
        "full_name"
    )
    forms_by_need = extra.pop("forms", {})
    for need in needs:
        need.form = forms_by_need.get(
            need.pk,
            RouteForm(staff=staff, agencies=_agency_choices(item.district_id), prefix=f"n{need.pk}"),
        )
    return {
        "c": item,
        "needs": needs,
        "can_route": access.can_use_desk(user) and user.dong_id == item.dong_id,
        "planners": services.poverty_planners(item.dong),
        **extra,
    }


@login_required
@require_POST
def route(request: HttpRequest, need_id: int) -> HttpResponse:
    user = _staff(request)
    need = (
        DeskNeed.objects.filter(consultation__in=access.consultations_visible_to(user))
        .select_related("consultation", "consultation__dong", "consultation__resident")
        .filter(pk=need_id)
        .first()
    )
    if need is None:
        raise Http404("상담 기록을 찾을 수 없습니다.")
    _require_desk(user)
    item = need.consultation
    staff = User.objects.filter(is_active=True, dong_id=item.dong_id, role__in=DONG_ROLES).order_by(
        "full_name"
    )
    form = RouteForm(
        request.POST, staff=staff, agencies=_agency_choices(item.district_id), prefix=f"n{need.pk}"
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.desk_need_route(
                actor=user,
                need=need,
                route=data["route"],
                to_user=data["to_user"],
                to_agency=data["to_agency"],
                summary=data["summary"],
            )
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except ValidationFailed as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "연계했습니다. 결과가 오면 알림과 [보낸 의뢰]에서 볼 수 있습니다.")
            return redirect("referrals:consultation", consultation_id=item.pk)
    item = selectors.consultation_get(user=user, request=request, consultation_id=item.pk)
    context = _consultation_context(user, item, forms={need.pk: form})
    return render(request, "referrals/consultation.html", context, status=422)


# --- agency directory ------------------------------------------------------------------------------


@login_required
@require_GET
def agency_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    form = DirectorySearchForm(request.GET or None)
    query = category = ""
    if form.is_valid():
        query, category = form.cleaned_data["q"], form.cleaned_data["category"]
    rows = selectors.agency_search(user=user, query=query, category=category)
    context = {"form": form, "rows": rows, "can_edit": access.can_edit_directory(user)}
    template = "referrals/_agency_rows.html" if _is_htmx(request) else "referrals/agency_list.html"
    return render(request, template, context)


@login_required
@require_GET
def agency_detail(request: HttpRequest, agency_id: int) -> HttpResponse:
    user = _staff(request)
    try:
        agency = selectors.agency_get(user=user, agency_id=agency_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return render(
        request, "referrals/agency_detail.html", {"a": agency, "can_edit": access.can_edit_directory(user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def agency_edit(request: HttpRequest, agency_id: int | None = None) -> HttpResponse:
    user = _staff(request)
    if not access.can_edit_directory(user):
        raise DjangoPermissionDenied("기관 안내는 동장·팀장·구 사업담당·관리자가 고칩니다.")
    agency = None
    if agency_id is not None:
        try:
            agency = selectors.agency_get(user=user, agency_id=agency_id)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
    initial = (
        {field: getattr(agency, field) for field in services.AGENCY_FIELDS}
        if agency
        else {"accepts_referrals": True}
    )
    form = AgencyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.agency_save(actor=user, agency=agency, **form.cleaned_data)
        except ValidationFailed as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "기관 안내를 저장했습니다.")
            return redirect("referrals:agency_detail", agency_id=saved.pk)
    status = 422 if form.is_bound else 200
    return render(request, "referrals/agency_form.html", {"form": form, "a": agency}, status=status)
