"""TOTP second factor: required off-site for staff with access to personal data; enrolment only from
an office network."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from chatdong.accounts.models import Role, User
from chatdong.accounts.tests.org_fixtures import OFF_SITE_IP, OFFICE_IP, PASSWORD, client_for, staff

pytestmark = pytest.mark.django_db

HOME = reverse("core:home")
VERIFY = reverse("accounts:otp_verify")
SETUP = reverse("accounts:otp_setup")


def code(device: TOTPDevice, offset_steps: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset_steps):06d}"


def device_for(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def sign_in(ip: str, user: User) -> Client:
    client = Client(REMOTE_ADDR=ip)
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_off_site_planner_is_sent_to_the_second_factor():
    user = staff(Role.PLANNER_ELDER)
    device_for(user)
    client = sign_in(OFF_SITE_IP, user)
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "6자리 인증번호" in page.content.decode()


def test_every_page_waits_for_the_second_factor():
    user = staff(Role.DONG_HEAD)
    device_for(user)
    client = sign_in(OFF_SITE_IP, user)
    for url in (reverse("core:dong_list"), reverse("accounts:staff_list"), reverse("accounts:account")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(VERIFY)


def test_right_code_opens_the_site():
    user = staff(Role.PLANNER_ELDER)
    device = device_for(user)
    client = sign_in(OFF_SITE_IP, user)
    response = client.post(VERIFY, {"token": code(device), "next": "/accounts/me/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/me/"
    assert client.get(HOME).status_code == 200


def test_wrong_code_is_refused():
    user = staff(Role.PLANNER_ELDER)
    device = device_for(user)
    client = sign_in(OFF_SITE_IP, user)
    wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"token": wrong})
    assert response.status_code == 200
    assert "인증번호가 맞지 않습니다." in response.content.decode()
    assert client.get(HOME).status_code == 302


def test_repeated_wrong_codes_are_throttled():
    user = staff(Role.PLANNER_ELDER)
    device = device_for(user)
    client = sign_in(OFF_SITE_IP, user)
    client.post(VERIFY, {"token": "000000" if code(device) != "000000" else "111111"})
    response = client.post(VERIFY, {"token": code(device)})
    assert "인증번호를 여러 번 틀렸습니다. 1초 뒤에 다시 입력해 주세요." in response.content.decode()
    assert client.get(HOME).status_code == 302


def test_a_code_cannot_be_used_twice():
    user = staff(Role.PLANNER_ELDER)
    device = device_for(user)
    token = code(device)
    first = sign_in(OFF_SITE_IP, user)
    assert first.post(VERIFY, {"token": token}).status_code == 302
    second = sign_in(OFF_SITE_IP, user)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    response = second.post(VERIFY, {"token": token})
    assert response.status_code == 200
    assert second.get(HOME).status_code == 302


def test_office_network_needs_no_second_factor():
    user = staff(Role.PLANNER_ELDER)
    device_for(user)
    client = sign_in(OFFICE_IP, user)
    assert client.get(HOME).status_code == 200
    assert client.get(VERIFY)["Location"] == HOME


@override_settings(CHATDONG_OFFICE_NETWORKS=["10.20.0.0/16"])
def test_office_networks_come_from_settings():
    user = staff(Role.PLANNER_ELDER)
    device_for(user)
    assert sign_in("10.20.3.4", user).get(HOME).status_code == 200
    assert sign_in("127.0.0.1", user).get(HOME).status_code == 302


@pytest.mark.parametrize("role", [Role.SUPPORT_TEAM, Role.HEALTH_MEDICAL, Role.AGENCY_WORKER])
def test_roles_without_personal_data_need_no_second_factor(role):
    user = staff(role)
    assert sign_in(OFF_SITE_IP, user).get(HOME).status_code == 200


def test_administrator_needs_the_second_factor_off_site():
    user = staff(Role.ADMIN)
    assert sign_in(OFF_SITE_IP, user).get(HOME).status_code == 302


def test_off_site_without_a_device_is_told_to_enrol_at_the_office():
    user = staff(Role.PLANNER_ELDER)
    client = sign_in(OFF_SITE_IP, user)
    response = client.get(VERIFY)
    assert response.status_code == 403
    assert "OTP 등록은 구청·동주민센터 사무실 네트워크에서만 할 수 있습니다." in response.content.decode()


def test_htmx_requests_are_redirected_by_header():
    user = staff(Role.PLANNER_ELDER)
    device_for(user)
    client = sign_in(OFF_SITE_IP, user)
    response = client.get(reverse("accounts:staff_list"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(VERIFY)


def test_enrolment_shows_qr_code_and_secret_in_the_office():
    user = staff(Role.PLANNER_ELDER)
    response = client_for(user).get(SETUP)
    assert response.status_code == 200
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed is False
    html = response.content.decode()
    assert "<svg" in html
    secret = base64.b32encode(device.bin_key).decode()
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html


def test_enrolment_reuses_the_pending_device():
    user = staff(Role.PLANNER_ELDER)
    client = client_for(user)
    client.get(SETUP)
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_enrolment_is_confirmed_with_a_code_and_replaces_the_old_device():
    user = staff(Role.PLANNER_ELDER)
    old = device_for(user)
    client = client_for(user)
    client.get(SETUP)
    pending = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(SETUP, {"token": code(pending)})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:account")
    assert list(TOTPDevice.objects.filter(user=user).values_list("pk", "confirmed")) == [(pending.pk, True)]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()


def test_enrolment_with_a_wrong_code_confirms_nothing():
    user = staff(Role.PLANNER_ELDER)
    client = client_for(user)
    client.get(SETUP)
    pending = TOTPDevice.objects.get(user=user)
    wrong = f"{(int(code(pending)) + 1) % 1_000_000:06d}"
    response = client.post(SETUP, {"token": wrong})
    assert response.status_code == 200
    assert "인증번호가 맞지 않습니다." in response.content.decode()
    assert TOTPDevice.objects.get(pk=pending.pk).confirmed is False


def test_enrolment_is_refused_off_site_and_creates_nothing():
    user = staff(Role.PLANNER_ELDER)
    device = device_for(user)
    client = sign_in(OFF_SITE_IP, user)
    client.post(VERIFY, {"token": code(device)})
    response = client.get(SETUP)
    assert response.status_code == 403
    assert "사무실 네트워크에서만" in response.content.decode()
    assert client.post(SETUP, {"token": "123456"}).status_code == 403
    assert list(TOTPDevice.objects.filter(user=user).values_list("pk", flat=True)) == [device.pk]


def test_enrolled_code_then_works_off_site():
    user = staff(Role.VISITING_NURSE)
    office = client_for(user)
    office.get(SETUP)
    pending = TOTPDevice.objects.get(user=user)
    office.post(SETUP, {"token": code(pending)})
    client = sign_in(OFF_SITE_IP, user)
    assert client.post(VERIFY, {"token": code(pending, offset_steps=1)}).status_code == 302
    assert client.get(HOME).status_code == 200


def test_manager_resets_a_lost_device():
    head = staff(Role.DONG_HEAD)
    user = staff(Role.OFFICER, dong=head.dong)
    device_for(user)
    response = client_for(head).post(reverse("accounts:staff_otp_reset", args=[user.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_colleague_cannot_reset_a_device():
    planner = staff(Role.PLANNER_ELDER)
    user = staff(Role.OFFICER, dong=planner.dong)
    device = device_for(user)
    response = client_for(planner).post(reverse("accounts:staff_otp_reset", args=[user.pk]))
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_throttle_wait_is_reported_in_seconds():
    user = staff(Role.PLANNER_ELDER)
    device = device_for(user)
    client = sign_in(OFF_SITE_IP, user)
    # Four failures in a row: the fifth try must wait 8 seconds after the last; 1.5 have passed.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=4, throttling_failure_timestamp=timezone.now() - dt.timedelta(seconds=1.5)
    )
    response = client.post(VERIFY, {"token": code(device)})
    assert "7초 뒤에 다시 입력해 주세요." in response.content.decode()
