"""Login page: lockout after repeated failures, unlock, window expiry, idle timeout, redirects."""

from __future__ import annotations

import contextlib
import datetime as dt
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chatdong.accounts.models import LoginAttempt, Role
from chatdong.accounts.services import login_is_locked
from chatdong.accounts.tests.org_fixtures import PASSWORD, client_for, staff

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
LOCK_MESSAGE = "로그인에 5번 잇달아 실패하여 계정이 잠겼습니다."


def post_login(client: Client, username: str, password: str, **extra: str):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def test_login_page_is_korean_and_states_the_rules():
    response = Client().get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>로그인</h1>" in html
    assert "비밀번호를 5번 잇달아 틀리면 계정이 잠기고, 15분 뒤에 풀립니다." in html
    assert "30분 동안 사용하지 않으면 자동으로 로그아웃됩니다." in html


def test_right_password_logs_in_and_records_the_attempt():
    user = staff(Role.PLANNER_ELDER)
    client = Client(REMOTE_ADDR="127.0.0.1")
    response = post_login(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.session["_auth_user_id"] == str(user.pk)
    attempt = LoginAttempt.objects.get(username=user.username)
    assert (attempt.succeeded, attempt.ip) == (True, "127.0.0.1")


def test_wrong_password_says_how_many_tries_are_left():
    user = staff(Role.PLANNER_ELDER)
    client = Client()
    response = post_login(client, user.username, "wrong-password-0")
    assert response.status_code == 200
    assert (
        "아이디 또는 비밀번호가 맞지 않습니다. (1번 실패 · 4번 더 틀리면 계정이 잠깁니다)"
        in response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_unknown_username_gets_the_same_message_as_a_wrong_password():
    response = post_login(Client(), "nobody-here", "wrong-password-0")
    assert (
        "아이디 또는 비밀번호가 맞지 않습니다. (1번 실패 · 4번 더 틀리면 계정이 잠깁니다)"
        in response.content.decode()
    )


def test_five_failures_lock_the_account_even_with_the_right_password():
    user = staff(Role.PLANNER_ELDER)
    client = Client()
    for _ in range(4):
        post_login(client, user.username, "wrong-password-0")
    fifth = post_login(client, user.username, "wrong-password-0")
    assert LOCK_MESSAGE in fifth.content.decode()
    right = post_login(client, user.username, PASSWORD)
    assert right.status_code == 200
    assert LOCK_MESSAGE in right.content.decode()
    assert "_auth_user_id" not in client.session
    assert (
        list(LoginAttempt.objects.filter(username=user.username).values_list("succeeded", flat=True))
        == [False] * 6
    )


def test_unknown_usernames_lock_the_same_way():
    client = Client()
    for _ in range(5):
        response = post_login(client, "nobody-here", "wrong-password-0")
    assert LOCK_MESSAGE in response.content.decode()


def test_lock_ends_when_the_failures_leave_the_window():
    user = staff(Role.PLANNER_ELDER)
    client = Client()
    for _ in range(5):
        post_login(client, user.username, "wrong-password-0")
    assert login_is_locked(user.username)
    LoginAttempt.objects.filter(username=user.username).update(
        at=timezone.now() - dt.timedelta(minutes=settings.CHATDONG_LOCKOUT_WINDOW_MINUTES, seconds=1)
    )
    response = post_login(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_failures_inside_the_window_still_lock():
    user = staff(Role.PLANNER_ELDER)
    client = Client()
    for _ in range(5):
        post_login(client, user.username, "wrong-password-0")
    LoginAttempt.objects.filter(username=user.username).update(
        at=timezone.now() - dt.timedelta(minutes=settings.CHATDONG_LOCKOUT_WINDOW_MINUTES - 1)
    )
    assert LOCK_MESSAGE in post_login(client, user.username, PASSWORD).content.decode()


def test_a_success_resets_the_count():
    user = staff(Role.PLANNER_ELDER)
    client = Client()
    for _ in range(4):
        post_login(client, user.username, "wrong-password-0")
    post_login(client, user.username, PASSWORD)
    client.logout()
    response = post_login(client, user.username, "wrong-password-0")
    assert "(1번 실패 · 4번 더 틀리면 계정이 잠깁니다)" in response.content.decode()


def test_administrator_unlocks_a_locked_account():
    user = staff(Role.PLANNER_ELDER)
    admin = staff(Role.ADMIN)
    for _ in range(5):
        post_login(Client(), user.username, "wrong-password-0")
    response = client_for(admin).post(reverse("accounts:staff_unlock", args=[user.pk]))
    assert response.status_code == 302
    assert not login_is_locked(user.username)
    client = Client()
    assert post_login(client, user.username, PASSWORD).status_code == 302


def test_dong_head_unlocks_staff_of_the_dong():
    head = staff(Role.DONG_HEAD)
    user = staff(Role.OFFICER, dong=head.dong)
    for _ in range(5):
        post_login(Client(), user.username, "wrong-password-0")
    assert client_for(head).post(reverse("accounts:staff_unlock", args=[user.pk])).status_code == 302
    assert not login_is_locked(user.username)


def test_colleague_may_not_unlock():
    planner = staff(Role.PLANNER_ELDER)
    user = staff(Role.OFFICER, dong=planner.dong)
    for _ in range(5):
        post_login(Client(), user.username, "wrong-password-0")
    before = LoginAttempt.objects.count()
    response = client_for(planner).post(reverse("accounts:staff_unlock", args=[user.pk]))
    assert response.status_code == 403
    assert login_is_locked(user.username)
    assert LoginAttempt.objects.count() == before


def test_dong_head_of_another_dong_gets_404_on_unlock():
    head = staff(Role.DONG_HEAD)
    user = staff(Role.OFFICER)
    for _ in range(5):
        post_login(Client(), user.username, "wrong-password-0")
    assert client_for(head).post(reverse("accounts:staff_unlock", args=[user.pk])).status_code == 404
    assert login_is_locked(user.username)


def test_unlock_needs_post():
    admin = staff(Role.ADMIN)
    user = staff(Role.OFFICER)
    assert client_for(admin).get(reverse("accounts:staff_unlock", args=[user.pk])).status_code == 405


def test_deactivated_account_cannot_log_in():
    user = staff(Role.PLANNER_ELDER, is_active=False)
    client = Client()
    response = post_login(client, user.username, PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_next_is_followed_only_within_the_site():
    user = staff(Role.PLANNER_ELDER)
    inside = post_login(Client(), user.username, PASSWORD, next="/accounts/me/")
    assert inside["Location"] == "/accounts/me/"
    outside = post_login(Client(), user.username, PASSWORD, next="https://evil.example/")
    assert outside["Location"] == reverse("core:home")


def test_logout_ends_the_session():
    user = staff(Role.PLANNER_ELDER)
    client = client_for(user)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 302


def test_idle_timeout_is_thirty_minutes_by_default():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_idle_session_is_logged_out_and_activity_keeps_it_alive():
    user = staff(Role.PLANNER_ELDER)
    client = Client(REMOTE_ADDR="127.0.0.1")
    post_login(client, user.username, PASSWORD)
    home = reverse("core:home")
    start = timezone.now()

    def at(minutes: int) -> contextlib.ExitStack:
        # Sessions live in the cache, whose expiry follows time.time(); move both clocks together.
        moment = start + dt.timedelta(minutes=minutes)
        stack = contextlib.ExitStack()
        stack.enter_context(mock.patch("django.utils.timezone.now", return_value=moment))
        stack.enter_context(mock.patch("time.time", return_value=moment.timestamp()))
        return stack

    with at(29):
        assert client.get(home).status_code == 200
    # 29 minutes after the last request (58 after login): still signed in, the expiry slides.
    with at(58):
        assert client.get(home).status_code == 200
    # 31 minutes without a request: signed out.
    with at(89):
        response = client.get(home)
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN}?next=/"
        login_page = client.get(response["Location"])
    assert "30분 동안 사용하지 않아 자동으로 로그아웃되었습니다." in login_page.content.decode()


def test_fresh_login_page_does_not_claim_a_timeout():
    assert "자동으로 로그아웃되었습니다" not in Client().get(LOGIN).content.decode()


def test_explicit_logout_does_not_claim_a_timeout():
    user = staff(Role.PLANNER_ELDER)
    client = Client()
    post_login(client, user.username, PASSWORD)
    client.post(reverse("accounts:logout"))
    assert "자동으로 로그아웃되었습니다" not in client.get(LOGIN).content.decode()


def test_timeout_notice_is_shown_once():
    user = staff(Role.PLANNER_ELDER)
    client = Client()
    post_login(client, user.username, PASSWORD)
    client.session.flush()  # the session is gone server-side, as after the idle timeout
    client.cookies.pop(settings.SESSION_COOKIE_NAME)
    assert "자동으로 로그아웃되었습니다" in client.get(LOGIN).content.decode()
    assert "자동으로 로그아웃되었습니다" not in client.get(LOGIN).content.decode()
