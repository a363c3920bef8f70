"""API login: POST /api/v1/auth/token (lockout, second factor off site), bearer auth, revocation."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from chatdong.accounts.models import ApiToken, Dong, LoginAttempt, Role, User
from chatdong.accounts.services import api_token_issue
from chatdong.core.api import UNAUTHENTICATED_MESSAGE
from chatdong.testing.api import bearer_client
from chatdong.testing.world import PASSWORD, staff_member

pytestmark = pytest.mark.django_db

OFFICE_IP = "127.0.0.1"
OUTSIDE_IP = "203.0.113.7"
WRONG = "아이디 또는 비밀번호가 맞지 않습니다."
LOCKED = (
    "로그인에 5번 잇달아 실패하여 계정이 잠겼습니다. "
    "15분 뒤에 다시 시도하거나 관리자에게 잠금 해제를 요청하세요."
)


def obtain(username: str, password: str, *, ip: str = OFFICE_IP, otp: str | None = None) -> tuple[int, dict]:
    payload = {"username": username, "password": password} | ({"otp": otp} if otp is not None else {})
    response = Client(REMOTE_ADDR=ip).post(
        "/api/v1/auth/token", json.dumps(payload), content_type="application/json"
    )
    return response.status_code, response.json()


def attempts(username: str) -> list[bool]:
    return list(
        LoginAttempt.objects.filter(username=username).order_by("id").values_list("succeeded", flat=True)
    )


def totp_now(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def test_right_password_gives_a_working_token() -> None:
    user = staff_member(role=Role.PLANNER_ELDER)

    status, body = obtain(user.username, PASSWORD)

    assert status == 200
    token = ApiToken.objects.get()
    assert (token.user, token.revoked) == (user, False)
    assert token.expires_at - token.created_at == pytest.approx(
        dt.timedelta(hours=8), abs=dt.timedelta(seconds=1)
    )
    # JSON carries milliseconds
    assert dt.datetime.fromisoformat(body["expires_at"]) == token.expires_at.replace(
        microsecond=token.expires_at.microsecond // 1000 * 1000
    )
    assert attempts(user.username) == [True]
    me = Client(HTTP_AUTHORIZATION=f"Bearer {body['token']}").get("/api/v1/me")
    assert (me.status_code, me.json()["id"]) == (200, user.pk)


def test_token_endpoint_needs_no_csrf_token() -> None:
    user = staff_member(role=Role.ADMIN)
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=OFFICE_IP)

    response = client.post(
        "/api/v1/auth/token",
        json.dumps({"username": user.username, "password": PASSWORD}),
        content_type="application/json",
    )

    assert response.status_code == 200


@pytest.mark.parametrize("username", ["staff-known", "nobody-here"])
def test_wrong_password_or_unknown_user_is_401_with_the_same_message(username: str) -> None:
    staff_member(username="staff-known")

    status, body = obtain(username, "wrong-password-0")

    assert (status, body) == (401, {"detail": WRONG})
    assert ApiToken.objects.count() == 0
    assert attempts(username) == [False]


def test_inactive_account_is_refused() -> None:
    user = staff_member(is_active=False)

    status, body = obtain(user.username, PASSWORD)

    assert (status, body) == (401, {"detail": WRONG})
    assert ApiToken.objects.count() == 0


def test_five_failures_lock_the_account_even_for_the_right_password() -> None:
    user = staff_member()

    results = [obtain(user.username, f"wrong-{i}") for i in range(5)]
    locked = obtain(user.username, PASSWORD)

    assert [status for status, _ in results] == [401, 401, 401, 401, 403]
    assert results[-1][1] == {"detail": LOCKED}
    assert locked == (403, {"detail": LOCKED})
    assert ApiToken.objects.count() == 0
    assert attempts(user.username) == [False] * 6


def test_the_lock_ends_after_the_window() -> None:
    user = staff_member()
    for i in range(5):
        obtain(user.username, f"wrong-{i}")
    LoginAttempt.objects.update(at=timezone.now() - dt.timedelta(minutes=16))

    status, _body = obtain(user.username, PASSWORD)

    assert status == 200


# --- second factor outside the office networks ------------------------------------------------------


def test_off_site_personal_data_staff_without_a_device_is_refused() -> None:
    user = staff_member(role=Role.PLANNER_CHILD)

    status, body = obtain(user.username, PASSWORD, ip=OUTSIDE_IP, otp="123456")

    assert status == 401
    assert body["detail"].startswith(
        "사무실 망 밖에서는 OTP 2단계 인증이 필요한데, 등록된 OTP 기기가 없습니다."
    )
    assert ApiToken.objects.count() == 0


def test_off_site_without_otp_is_refused() -> None:
    user = staff_member(role=Role.ADMIN)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    status, body = obtain(user.username, PASSWORD, ip=OUTSIDE_IP)

    assert (status, body) == (
        401,
        {"detail": "사무실 망 밖에서는 OTP 2단계 인증이 필요합니다. otp 항목에 OTP 6자리를 보내 주세요."},
    )
    assert ApiToken.objects.count() == 0


def test_off_site_wrong_otp_is_refused_and_recorded_as_a_failure() -> None:
    user = staff_member(role=Role.DISTRICT_STAFF)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    wrong = f"{(int(totp_now(device)) + 1) % 1_000_000:06d}"

    status, body = obtain(user.username, PASSWORD, ip=OUTSIDE_IP, otp=wrong)

    assert (status, body) == (401, {"detail": "OTP가 맞지 않습니다."})
    assert ApiToken.objects.count() == 0
    assert attempts(user.username) == [True, False]


def test_off_site_unconfirmed_device_does_not_count() -> None:
    user = staff_member(role=Role.PLANNER_ELDER)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=False)

    status, _body = obtain(user.username, PASSWORD, ip=OUTSIDE_IP, otp=totp_now(device))

    assert status == 401
    assert ApiToken.objects.count() == 0


def test_off_site_right_otp_gives_a_token() -> None:
    user = staff_member(role=Role.PLANNER_ELDER)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    status, body = obtain(user.username, PASSWORD, ip=OUTSIDE_IP, otp=totp_now(device))

    assert status == 200
    assert ApiToken.objects.get().user == user
    assert set(body) == {"token", "expires_at"}


def test_off_site_staff_without_personal_data_need_no_otp() -> None:
    user = staff_member(role=Role.AGENCY_WORKER)

    status, _body = obtain(user.username, PASSWORD, ip=OUTSIDE_IP)

    assert status == 200


def test_a_configured_office_network_needs_no_otp(settings: object) -> None:
    settings.CHATDONG_OFFICE_NETWORKS = ["127.0.0.0/8", "203.0.113.0/24"]  # type: ignore[attr-defined]
    user = staff_member(role=Role.DONG_HEAD)

    status, _body = obtain(user.username, PASSWORD, ip=OUTSIDE_IP)

    assert status == 200


# --- bearer tokens ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization", ["", "Bearer", "Bearer not-a-token", "Basic dXNlcjpwYXNz", "Token abc"]
)
def test_missing_or_bad_token_is_401(authorization: str) -> None:
    client = Client(HTTP_AUTHORIZATION=authorization) if authorization else Client()

    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json() == {"detail": UNAUTHENTICATED_MESSAGE}
    assert response["WWW-Authenticate"] == 'Bearer realm="chatdong"'


def test_expired_token_is_401() -> None:
    user = staff_member()
    raw, token = api_token_issue(user=user)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me")

    assert response.status_code == 401


def test_token_of_a_deactivated_account_is_401() -> None:
    user = staff_member()
    client = bearer_client(user)
    User.objects.filter(pk=user.pk).update(is_active=False)

    assert client.get("/api/v1/me").status_code == 401


def test_revoke_ends_only_the_presented_token() -> None:
    user = staff_member()
    client, other = bearer_client(user), bearer_client(user)

    response = client.post("/api/v1/auth/token/revoke")

    assert (response.status_code, response.json()) == (200, {"revoked": True})
    assert list(ApiToken.objects.order_by("id").values_list("revoked", flat=True)) == [True, False]
    assert client.get("/api/v1/me").status_code == 401
    assert other.get("/api/v1/me").status_code == 200


def test_revoke_without_a_token_is_401_and_changes_nothing() -> None:
    user = staff_member()
    api_token_issue(user=user)

    response = Client().post("/api/v1/auth/token/revoke")

    assert response.status_code == 401
    assert list(ApiToken.objects.values_list("revoked", flat=True)) == [False]


def test_me_describes_the_account() -> None:
    user = staff_member(role=Role.OFFICER, full_name="홍길동")

    body = bearer_client(user).get("/api/v1/me").json()

    dong = Dong.objects.get(staff=user)
    assert body == {
        "id": user.pk,
        "username": user.username,
        "full_name": "홍길동",
        "role": "officer",
        "role_label": "일반 주무관",
        "scope": "zone",
        "scope_label": "담당구역",
        "district": {"id": dong.district_id, "name": "성북구"},
        "dong": {"id": dong.pk, "name": dong.name, "code": dong.code},
        "agency": None,
        "can_view_personal_data": True,
    }
