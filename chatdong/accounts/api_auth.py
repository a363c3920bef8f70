"""The API's login: a bearer token for username + password (+ TOTP off site), and its revocation.

The same rules as the web login: django.contrib.auth.authenticate goes through LockoutModelBackend
(5 failures in 15 minutes lock the account, every attempt is recorded), and staff with access to
personal data must pass a TOTP check when they call from outside the office networks. (Kept apart from
accounts/services.py only to avoid edit clashes; it can be merged.)"""

from __future__ import annotations

import django_otp
from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from chatdong.accounts import access, services
from chatdong.accounts.models import ApiToken, User
from chatdong.core.errors import ChatdongError, PermissionDenied
from chatdong.core.net import client_ip, in_office_network


class LoginRefused(ChatdongError):
    """Wrong credentials or second factor (401)."""


class LoginLocked(PermissionDenied):
    """Too many failed attempts: the account is locked for a while (403)."""


def _otp_matches(user: User, otp: str) -> bool:
    for device in TOTPDevice.objects.devices_for_user(user, confirmed=True):
        # django_otp.verify_token locks the device row, so its failure throttling holds under concurrency.
        if django_otp.verify_token(user, device.persistent_id, otp) is not None:
            return True
    return False


def api_token_obtain(
    *, request: HttpRequest, username: str, password: str, otp: str | None = None
) -> tuple[str, ApiToken]:
    user = authenticate(request, username=username, password=password)
    if user is None:
        if services.login_is_locked(username):
            raise LoginLocked(
                f"로그인에 {settings.CHATDONG_LOCKOUT_FAILURES}번 잇달아 실패하여 계정이 잠겼습니다. "
                f"{settings.CHATDONG_LOCKOUT_WINDOW_MINUTES}분 뒤에 다시 시도하거나 관리자에게 잠금 해제를 요청하세요."
            )
        raise LoginRefused("아이디 또는 비밀번호가 맞지 않습니다.")
    assert isinstance(user, User)
    if access.needs_second_factor_off_site(user) and not in_office_network(client_ip(request)):
        if not TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
            raise LoginRefused(
                "사무실 망 밖에서는 OTP 2단계 인증이 필요한데, 등록된 OTP 기기가 없습니다. "
                "사무실에서 로그인하여 OTP 기기를 등록하세요."
            )
        if not otp or not otp.strip():
            raise LoginRefused(
                "사무실 망 밖에서는 OTP 2단계 인증이 필요합니다. otp 항목에 OTP 6자리를 보내 주세요."
            )
        if not _otp_matches(user, otp.strip()):
            # The password was right; the failed second factor is recorded as a failed login too.
            services.login_attempt_record(username=username, request=request, succeeded=False)
            raise LoginRefused("OTP가 맞지 않습니다.")
    return services.api_token_issue(user=user)


def api_token_revoke(*, user: User, raw: str) -> bool:
    """Revoke the presented token (only the caller's own). True when it was active."""
    return bool(
        ApiToken.objects.filter(user=user, key_hash=services._token_hash(raw), revoked=False).update(
            revoked=True
        )
    )
