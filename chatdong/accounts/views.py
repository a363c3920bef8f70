"""Web pages for signing in (password, lockout, TOTP), the own account, staff and zones. Views only
translate: access.py decides, services.py writes, selectors.py reads."""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import wraps
from typing import Any

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from chatdong.accounts import access, selectors, services
from chatdong.accounts.forms import (
    LoginForm,
    OtpTokenForm,
    PasswordChangeForm,
    StaffCreateForm,
    StaffDeactivateForm,
    StaffRoleForm,
    ZoneForm,
)
from chatdong.accounts.models import Ban, Role, Scope, User, Zone
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.core.net import client_ip, in_office_network
from chatdong.core.views import error_page

View = Callable[..., HttpResponse]


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # login_required has run


def service_errors(view: View) -> View:
    """Turn service PermissionDenied / NotFound into the 403 / 404 pages."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return error_page(request, 403, str(exc))
        except NotFound:
            return error_page(request, 404)

    return wrapped


def _form_errors(form: Any, exc: ValidationFailed, aliases: dict[str, str] | None = None) -> None:
    """Put a service's ValidationFailed on the form: per field where it names one (`aliases` maps a
    service's field name to the form's), else on top."""
    placed = False
    for service_name, errors in exc.errors.items():
        name = (aliases or {}).get(service_name, service_name)
        if name in form.fields:
            for error in errors:
                form.add_error(name, error)
            placed = True
    if not placed or not exc.errors:
        form.add_error(None, str(exc))


def _safe_next(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- sign in ----------------------------------------------------------------------------------------


# Set at sign-in, removed at sign-out: a login page that still sees it, without a session, means the
# idle timeout ended the session (the session cookie itself is gone by then).
SIGNED_IN_COOKIE = "chatdong_signed_in"


class LoginView(auth_views.LoginView):
    """Password login through LockoutModelBackend. The second factor, when needed, is asked for by
    SecondFactorMiddleware on the next page."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def _session_expired(self) -> bool:
        request = self.request
        return (
            request.method == "GET"
            and request.COOKIES.get(SIGNED_IN_COOKIE) == "1"
            and not request.user.is_authenticated
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        if self._session_expired():
            response.delete_cookie(SIGNED_IN_COOKIE)
        return response

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        response.set_cookie(
            SIGNED_IN_COOKIE, "1", httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE
        )
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["session_expired"] = self._session_expired()
        context["lockout_failures"] = settings.CHATDONG_LOCKOUT_FAILURES
        context["lockout_minutes"] = settings.CHATDONG_LOCKOUT_WINDOW_MINUTES
        context["idle_minutes"] = settings.SESSION_COOKIE_AGE // 60
        return context


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response.delete_cookie(SIGNED_IN_COOKIE)
        return response


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Second step for staff with access to personal data who sign in from outside the office."""
    user = _user(request)
    next_url = _safe_next(request, reverse("core:home"))
    if (
        user.is_verified()  # type: ignore[attr-defined]  # added by OTPMiddleware
        or not access.needs_second_factor_off_site(user)
        or in_office_network(client_ip(request))
    ):
        return redirect(next_url)
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return render(request, "accounts/otp_missing.html", status=403)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.otp_check(user=user, token=form.cleaned_data["token"])
        except ValidationFailed as exc:
            form.add_error("token", str(exc))
        else:
            django_otp.login(request, device)
            return redirect(next_url)
    return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url})


def _group(text: str, size: int = 4) -> str:
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: QR code and secret, then a first code to confirm. Office only."""
    user = _user(request)
    ip = client_ip(request)
    try:
        device = services.otp_device_pending(user=user, ip=ip)
    except PermissionDenied as exc:
        return render(request, "accounts/otp_offsite.html", {"message": str(exc)}, status=403)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.otp_device_confirm(user=user, ip=ip, token=form.cleaned_data["token"])
        except ValidationFailed as exc:
            form.add_error("token", str(exc))
        else:
            django_otp.login(request, device)
            messages.success(
                request, "OTP를 등록했습니다. 사무실 밖에서 로그인할 때 앱의 인증번호를 입력하세요."
            )
            return redirect("accounts:account")
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "qr_svg": qr.svg_inline(scale=5, border=2, title="OTP 등록용 QR 코드"),
        "secret": _group(base64.b32encode(device.bin_key).decode()),
        "has_device": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
    }
    return render(request, "accounts/otp_setup.html", context)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """내 계정: role and scope, second factor, password, and the account's own permission history."""
    user = _user(request)
    context = {
        "account": user,
        "has_device": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        "needs_second_factor": access.needs_second_factor_off_site(user),
        "in_office": in_office_network(client_ip(request)),
        "history": selectors.permission_history(user=user),
        "zones": selectors.zones_of(user=user),
    }
    return render(request, "accounts/account.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "비밀번호를 바꿨습니다.")
        return response


# --- staff ------------------------------------------------------------------------------------------


def _visible_staff(request: HttpRequest, user_id: int) -> User:
    staff = (
        access.staff_visible_to(_user(request))
        .select_related("dong", "agency", "district")
        .filter(pk=user_id)
    )
    found = staff.first()
    if found is None:
        raise NotFound("직원을 찾을 수 없습니다.")
    return found


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    """직원 목록, scoped by access.staff_visible_to; filters reload the table with HTMX."""
    viewer = _user(request)
    filters = selectors.StaffFilter(
        query=request.GET.get("q", "").strip(),
        dong_id=_int_or_none(request.GET.get("dong")),
        role=request.GET.get("role", "") if request.GET.get("role", "") in Role.values else "",
        status=request.GET.get("status", "active"),
    )
    page = Paginator(selectors.staff_list(viewer=viewer, filters=filters), 50).get_page(
        request.GET.get("page")
    )
    staff = list(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "staff": staff,
        "locked": selectors.locked_usernames(u.username for u in staff),
        "filters": filters,
        "querystring": query.urlencode(),
        "dongs": access.dongs_visible_to(viewer) if viewer.scope == Scope.DISTRICT else [],
        "roles": list(Role),
        "can_create": access.can_create_staff(viewer),
        "agency": viewer.agency if viewer.scope == Scope.AGENCY else None,
    }
    if _is_htmx(request):
        return render(request, "accounts/_staff_table.html", context)
    return render(request, "accounts/staff_list.html", context)


@login_required
@service_errors
def staff_create(request: HttpRequest) -> HttpResponse:
    actor = _user(request)
    if not access.can_create_staff(actor):
        raise PermissionDenied("직원 계정을 만들 권한이 없습니다.")
    if request.method == "POST":
        form = StaffCreateForm(request.POST, actor=actor)
        if form.is_valid():
            data = form.cleaned_data
            grant = form.grant()
            try:
                created = services.staff_create(
                    actor=actor,
                    username=data["username"],
                    password=data["password1"],
                    full_name=data["full_name"],
                    phone=data["phone"],
                    district=_district_of(actor),
                    **grant,
                )
            except ValidationFailed as exc:
                _form_errors(form, exc, aliases={"password": "password1"})
            else:
                messages.success(request, f"{created.full_name} 님의 계정을 만들었습니다.")
                return redirect("accounts:staff_detail", user_id=created.pk)
    else:
        initial = {k: v for k, v in request.GET.items() if k in ("role", "scope", "dong", "agency")}
        if actor.role == Role.DONG_HEAD:
            initial.setdefault("dong", str(actor.dong_id))
        form = StaffCreateForm(initial=initial, actor=actor)
    return render(request, "accounts/staff_form.html", {"form": form, "creating": True})


def _district_of(actor: User) -> Any:
    """The 구 an actor's new district-wide accounts belong to."""
    if actor.district_id:
        return actor.district
    return actor.dong.district if actor.dong is not None else None


@login_required
@service_errors
def staff_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    viewer = _user(request)
    person = _visible_staff(request, user_id)
    can_manage = access.can_manage_staff_in(viewer, person.dong) and viewer.pk != person.pk
    context = {
        "person": person,
        "zones": selectors.zones_of(user=person),
        "locked": person.username in selectors.locked_usernames([person.username]),
        "can_manage": can_manage,
        "has_device": TOTPDevice.objects.filter(user=person, confirmed=True).exists(),
        "history": (
            selectors.permission_history(user=person)
            if access.can_view_grant_history(viewer, person)
            else None
        ),
    }
    return render(request, "accounts/staff_detail.html", context)


def _manageable_staff(request: HttpRequest, user_id: int) -> tuple[User, User]:
    viewer = _user(request)
    person = _visible_staff(request, user_id)
    if not access.can_manage_staff_in(viewer, person.dong):
        raise PermissionDenied("이 직원의 계정을 관리할 권한이 없습니다.")
    return viewer, person


@login_required
@service_errors
def staff_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    """역할·범위 변경 (every change lands in PermissionChange with its reason)."""
    actor, person = _manageable_staff(request, user_id)
    if person.pk == actor.pk:
        raise PermissionDenied("자기 계정의 권한은 바꿀 수 없습니다. 다른 관리자에게 요청하세요.")
    if request.method == "POST":
        form = StaffRoleForm(request.POST, actor=actor)
        if form.is_valid():
            try:
                services.staff_set_role(
                    actor=actor, user=person, reason=form.cleaned_data["reason"], **form.grant()
                )
            except ValidationFailed as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, f"{person.full_name} 님의 권한을 바꿨습니다.")
                return redirect("accounts:staff_detail", user_id=person.pk)
    else:
        initial: dict[str, Any] = {
            "role": person.role,
            "scope": person.scope,
            "dong": person.dong_id,
            "agency": person.agency_id,
        }
        initial.update({k: v for k, v in request.GET.items() if k in ("role", "scope", "dong", "agency")})
        form = StaffRoleForm(initial=initial, actor=actor)
    return render(request, "accounts/staff_form.html", {"form": form, "person": person, "creating": False})


@login_required
@service_errors
def staff_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    """권한 말소: the account stays for the records but can no longer sign in; its zones are freed."""
    actor, person = _manageable_staff(request, user_id)
    if person.pk == actor.pk:
        raise PermissionDenied("자기 계정은 말소할 수 없습니다. 다른 관리자에게 요청하세요.")
    if not person.is_active:
        messages.info(request, "이미 말소된 계정입니다.")
        return redirect("accounts:staff_detail", user_id=person.pk)
    form = StaffDeactivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_deactivate(actor=actor, user=person, reason=form.cleaned_data["reason"])
        except ValidationFailed as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"{person.full_name} 님의 권한을 말소했습니다.")
            return redirect("accounts:staff_detail", user_id=person.pk)
    context = {"form": form, "person": person, "zones": selectors.zones_of(user=person)}
    return render(request, "accounts/staff_deactivate.html", context)


@require_POST
@login_required
@service_errors
def staff_unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    actor, person = _manageable_staff(request, user_id)
    services.login_unlock(actor=actor, user=person)
    messages.success(request, f"{person.full_name} 님의 로그인 잠금을 풀었습니다.")
    return redirect("accounts:staff_detail", user_id=person.pk)


@require_POST
@login_required
@service_errors
def staff_otp_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    actor, person = _manageable_staff(request, user_id)
    services.otp_device_reset(actor=actor, user=person)
    messages.success(
        request, f"{person.full_name} 님의 OTP를 초기화했습니다. 사무실에서 다시 등록해야 합니다."
    )
    return redirect("accounts:staff_detail", user_id=person.pk)


# --- zones ------------------------------------------------------------------------------------------


def _ban_choices(dong_id: int, selected: set[int], zone: Zone | None) -> list[dict[str, Any]]:
    """The 동's 반 grouped by 통 for the checkbox grid, each marked with the zone it is in now."""
    tongs: dict[int, dict[str, Any]] = {}
    bans = (
        Ban.objects.filter(tong__dong_id=dong_id)
        .select_related("tong", "zone")
        .order_by("tong__number", "number")
    )
    for ban in bans:
        group = tongs.setdefault(ban.tong_id, {"tong": ban.tong, "bans": []})
        other = ban.zone if ban.zone is not None and (zone is None or ban.zone_id != zone.pk) else None
        group["bans"].append({"ban": ban, "checked": ban.pk in selected, "other_zone": other})
    return list(tongs.values())


def _zone_form_page(request: HttpRequest, *, dong_id: int, zone: Zone | None) -> HttpResponse:
    actor = _user(request)
    dong = access.dongs_visible_to(actor).filter(pk=dong_id).first()
    if dong is None:
        raise NotFound("동을 찾을 수 없습니다.")
    if not access.can_manage_zones_in(actor, dong):
        raise PermissionDenied("이 동의 담당구역을 관리할 권한이 없습니다.")
    if request.method == "POST":
        form = ZoneForm(request.POST, dong=dong)
        selected = {int(v) for v in request.POST.getlist("bans") if v.isdigit()}
        if form.is_valid():
            try:
                saved = services.zone_save(
                    actor=actor,
                    dong=dong,
                    zone=zone,
                    name=form.cleaned_data["name"],
                    officer=form.cleaned_data["officer"],
                    bans=form.cleaned_data["bans"].select_related("tong"),
                )
            except ValidationFailed as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, f"담당구역 '{saved.name}'을(를) 저장했습니다.")
                return HttpResponseRedirect(reverse("core:dong_detail", args=[dong.pk]) + "#zone-map")
    else:
        initial = {"name": zone.name, "officer": zone.officer_id} if zone is not None else {}
        form = ZoneForm(initial=initial, dong=dong)
        selected = set(zone.bans.values_list("pk", flat=True)) if zone is not None else set()
    context = {"form": form, "dong": dong, "zone": zone, "tongs": _ban_choices(dong.pk, selected, zone)}
    return render(request, "accounts/zone_form.html", context)


@login_required
@service_errors
def zone_create(request: HttpRequest, dong_id: int) -> HttpResponse:
    return _zone_form_page(request, dong_id=dong_id, zone=None)


@login_required
@service_errors
def zone_edit(request: HttpRequest, zone_id: int) -> HttpResponse:
    zone = access.zones_visible_to(_user(request)).select_related("officer").filter(pk=zone_id).first()
    if zone is None:
        raise NotFound("담당구역을 찾을 수 없습니다.")
    return _zone_form_page(request, dong_id=zone.dong_id, zone=zone)
