"""Every write to staff accounts, roles, zones and logins. Each checks permission, validates, writes
and records in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

import django_otp
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from chatdong.accounts import access
from chatdong.accounts.models import (
    Agency,
    ApiToken,
    Ban,
    District,
    Dong,
    LoginAttempt,
    PermissionChange,
    Role,
    Scope,
    User,
    Zone,
)
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.core.net import client_ip, in_office_network


def _grant_snapshot(user: User) -> dict[str, Any]:
    return {
        "role": user.role,
        "scope": user.scope,
        "district": user.district_id,
        "dong": user.dong_id,
        "agency": user.agency_id,
        "active": user.is_active,
    }


def _validate_grant(
    *, role: str, scope: str, district: District | None, dong: Dong | None, agency: Agency | None
) -> None:
    if role not in Role.values:
        raise ValidationFailed(f"알 수 없는 역할입니다: {role}")
    if scope not in access.ALLOWED_SCOPES.get(role, frozenset()):
        raise ValidationFailed(
            f"{Role(role).label} 역할에는 '{Scope(scope).label if scope in Scope.values else scope}' 범위를 줄 수 없습니다."
        )
    if scope in (Scope.DONG, Scope.ZONE) and dong is None:
        raise ValidationFailed("동 범위에는 소속 동이 필요합니다.")
    if scope == Scope.DISTRICT and district is None:
        raise ValidationFailed("구 범위에는 소속 구가 필요합니다.")
    if scope == Scope.AGENCY and agency is None:
        raise ValidationFailed("기관 범위에는 소속 기관이 필요합니다.")


def staff_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    full_name: str,
    role: str,
    scope: str | None = None,
    district: District | None = None,
    dong: Dong | None = None,
    agency: Agency | None = None,
    phone: str = "",
    password_hash: str | None = None,
) -> User:
    """Create a staff account. `actor=None` is the system (demo, bootstrap); `password_hash` lets the
    demo reuse one hash for many accounts instead of hashing hundreds of times."""
    scope = scope or access.DEFAULT_SCOPE[Role(role)]
    if actor is not None and not access.can_manage_staff_in(actor, dong):
        raise PermissionDenied("이 동의 직원 계정을 만들 권한이 없습니다.")
    if actor is not None and role not in access.roles_assignable_by(actor):
        raise PermissionDenied("이 역할을 부여할 권한이 없습니다.")
    if scope == Scope.DISTRICT and district is None and dong is not None:
        district = dong.district
    _validate_grant(role=role, scope=scope, district=district, dong=dong, agency=agency)
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(f"이미 있는 계정입니다: {username}", {"username": ["이미 있는 계정입니다."]})
    user = User(
        username=username,
        full_name=full_name,
        role=role,
        scope=scope,
        district=district if scope == Scope.DISTRICT else None,
        dong=dong if scope in (Scope.DONG, Scope.ZONE) else None,
        agency=agency if scope == Scope.AGENCY else None,
        phone=phone,
    )
    if password_hash is not None:
        user.password = password_hash
    else:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationFailed(
                "비밀번호 규칙에 맞지 않습니다.", {"password": list(exc.messages)}
            ) from exc
        user.set_password(password)
    with transaction.atomic():
        user.save()
        PermissionChange.objects.create(
            actor=actor,
            user=user,
            action=PermissionChange.Action.GRANT,
            before={},
            after=_grant_snapshot(user),
        )
    return user


def staff_set_role(
    *,
    actor: User,
    user: User,
    role: str,
    scope: str | None = None,
    dong: Dong | None = None,
    agency: Agency | None = None,
    reason: str = "",
) -> User:
    if not (
        access.can_manage_staff_in(actor, user.dong) and access.can_manage_staff_in(actor, dong or user.dong)
    ):
        raise PermissionDenied("이 직원의 권한을 바꿀 권한이 없습니다.")
    if actor.pk == user.pk:
        raise PermissionDenied("자기 계정의 권한은 바꿀 수 없습니다. 다른 관리자에게 요청하세요.")
    if role not in access.roles_assignable_by(actor):
        raise PermissionDenied("이 역할을 부여할 권한이 없습니다.")
    scope = scope or access.DEFAULT_SCOPE[Role(role)]
    district = actor.district if scope == Scope.DISTRICT else None
    dong = dong or user.dong
    _validate_grant(role=role, scope=scope, district=district, dong=dong, agency=agency)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = _grant_snapshot(locked)
        locked.role, locked.scope = role, scope
        locked.district = district
        locked.dong = dong if scope in (Scope.DONG, Scope.ZONE) else None
        locked.agency = agency if scope == Scope.AGENCY else None
        locked.save(update_fields=["role", "scope", "district", "dong", "agency"])
        if before != _grant_snapshot(locked):
            PermissionChange.objects.create(
                actor=actor,
                user=locked,
                action=PermissionChange.Action.CHANGE,
                before=before,
                after=_grant_snapshot(locked),
                reason=reason,
            )
    return locked


def staff_deactivate(*, actor: User, user: User, reason: str) -> User:
    """말소: the account stays (history refers to it) but can no longer log in; its zones are freed."""
    if not access.can_manage_staff_in(actor, user.dong):
        raise PermissionDenied("이 직원의 권한을 말소할 권한이 없습니다.")
    if actor.pk == user.pk:
        raise PermissionDenied("자기 계정은 말소할 수 없습니다. 다른 관리자에게 요청하세요.")
    if not reason.strip():
        raise ValidationFailed("권한 말소 사유를 적어 주세요.")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = _grant_snapshot(locked)
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        Zone.objects.filter(officer=locked).update(officer=None)
        ApiToken.objects.filter(user=locked).update(revoked=True)
        PermissionChange.objects.create(
            actor=actor,
            user=locked,
            action=PermissionChange.Action.REVOKE,
            before=before,
            after=_grant_snapshot(locked),
            reason=reason.strip(),
        )
    return locked


# --- zones ------------------------------------------------------------------------------------------


def zone_save(
    *, actor: User, dong: Dong, name: str, officer: User | None, bans: Iterable[Ban], zone: Zone | None = None
) -> Zone:
    """Create or change a zone: its name, officer and the 반 it covers (a 반 moves out of any other zone)."""
    if not access.can_manage_zones_in(actor, dong):
        raise PermissionDenied("이 동의 담당구역을 관리할 권한이 없습니다.")
    name = name.strip()
    if not name:
        raise ValidationFailed("구역 이름을 적어 주세요.", {"name": ["필수 항목입니다."]})
    ban_list = list(bans)
    if any(b.tong.dong_id != dong.pk for b in ban_list):
        raise ValidationFailed("다른 동의 반은 담당구역에 넣을 수 없습니다.")
    if officer is not None and (officer.dong_id != dong.pk or not officer.is_active):
        raise ValidationFailed("담당 주무관은 이 동의 재직 직원이어야 합니다.")
    if officer is not None and officer.role in access.ZONE_EXEMPT_ROLES:
        raise ValidationFailed(f"{officer.get_role_display()}은(는) 담당구역 배정 대상이 아닙니다.")
    with transaction.atomic():
        if zone is None:
            if Zone.objects.filter(dong=dong, name=name).exists():
                raise ValidationFailed(
                    "같은 이름의 구역이 이미 있습니다.", {"name": ["이미 있는 이름입니다."]}
                )
            zone = Zone.objects.create(dong=dong, name=name, officer=officer)
        else:
            if zone.dong_id != dong.pk:
                raise NotFound("구역을 찾을 수 없습니다.")
            zone.name, zone.officer = name, officer
            zone.save(update_fields=["name", "officer", "updated_at"])
        Ban.objects.filter(zone=zone).exclude(pk__in=[b.pk for b in ban_list]).update(zone=None)
        Ban.objects.filter(pk__in=[b.pk for b in ban_list]).update(zone=zone)
    return zone


# --- login security ---------------------------------------------------------------------------------


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=settings.CHATDONG_LOCKOUT_WINDOW_MINUTES)


def login_is_locked(username: str) -> bool:
    """Locked when the last N attempts inside the window all failed (N = CHATDONG_LOCKOUT_FAILURES)."""
    recent = list(
        LoginAttempt.objects.filter(username=username, at__gte=_window_start())
        .order_by("-at", "-id")
        .values_list("succeeded", flat=True)[: settings.CHATDONG_LOCKOUT_FAILURES]
    )
    return len(recent) >= settings.CHATDONG_LOCKOUT_FAILURES and not any(recent)


def login_attempt_record(*, username: str, request: HttpRequest | None, succeeded: bool) -> None:
    LoginAttempt.objects.create(username=username[:150], ip=client_ip(request), succeeded=succeeded)


def login_unlock(*, actor: User, user: User) -> None:
    """An administrator lifts a lockout; recorded as a successful attempt by nobody (ip empty)."""
    if not access.can_manage_staff_in(actor, user.dong):
        raise PermissionDenied("이 계정의 잠금을 풀 권한이 없습니다.")
    LoginAttempt.objects.create(username=user.username, ip=None, succeeded=True)


# --- second factor (TOTP) ---------------------------------------------------------------------------


def otp_device_pending(*, user: User, ip: str | None) -> TOTPDevice:
    """The TOTP device being enrolled (created on first call, reused after). Enrolment shows the secret,
    so it is allowed only from an office network."""
    if not in_office_network(ip):
        raise PermissionDenied("OTP 등록은 구청·동주민센터 사무실 네트워크에서만 할 수 있습니다.")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="chatdong", confirmed=False)
    return device


def otp_device_confirm(*, user: User, ip: str | None, token: str) -> TOTPDevice:
    """Confirm the pending device with a code from the app; it replaces any earlier device."""
    device = otp_device_pending(user=user, ip=ip)
    if not device.verify_token(token.strip()):
        raise ValidationFailed("인증번호가 맞지 않습니다. 앱에 표시된 6자리 숫자를 다시 입력해 주세요.")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return device


def otp_check(*, user: User, token: str) -> TOTPDevice:
    """Check a code against the user's confirmed device (django-otp throttles repeated failures);
    the caller then marks the session verified with django_otp.login."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        raise NotFound("등록된 OTP가 없습니다.")
    allowed, info = device.verify_is_allowed()
    if not allowed:
        wait = max(1, int(((info or {})["locked_until"] - timezone.now()).total_seconds() + 0.999))
        raise ValidationFailed(f"인증번호를 여러 번 틀렸습니다. {wait}초 뒤에 다시 입력해 주세요.")
    verified = django_otp.verify_token(user, device.persistent_id, token.strip())
    if verified is None:
        raise ValidationFailed("인증번호가 맞지 않습니다. 앱에 지금 표시된 6자리 숫자를 입력해 주세요.")
    return verified


def otp_device_reset(*, actor: User, user: User) -> int:
    """A manager removes a lost phone's device; the user enrols again from the office. Returns the
    number of devices removed."""
    if not access.can_manage_staff_in(actor, user.dong):
        raise PermissionDenied("이 계정의 OTP를 초기화할 권한이 없습니다.")
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    return deleted


# --- API tokens -------------------------------------------------------------------------------------


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_issue(*, user: User) -> tuple[str, ApiToken]:
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=_token_hash(raw),
        expires_at=timezone.now() + dt.timedelta(hours=settings.CHATDONG_API_TOKEN_HOURS),
    )
    return raw, token


def api_token_user(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_token_hash(raw), revoked=False, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token.user


# --- district setup ---------------------------------------------------------------------------------


def district_setup(*, preset: str = "seongbuk") -> District:
    """Install a district preset (chatdong.accounts.districts): the 구 and its 행정동, matched by code.
    Idempotent: running it again only brings names up to date and removes nothing. 통 and 반 are not
    created here: the resident import creates them as the extract names them."""
    from chatdong.accounts.districts import PRESETS

    data = PRESETS.get(preset)
    if data is None:
        raise ValidationFailed(
            f"알 수 없는 구 설정입니다: {preset} (가능한 값: {', '.join(sorted(PRESETS))})"
        )
    with transaction.atomic():
        district, _ = District.objects.update_or_create(code=data.code, defaults={"name": data.name})
        for dong in data.dongs:
            Dong.objects.update_or_create(code=dong.code, defaults={"district": district, "name": dong.name})
    # Every district starts with the six default outreach programs (edited later as data).
    from chatdong.outreach.services import programs_install_defaults

    programs_install_defaults(district)
    return district
