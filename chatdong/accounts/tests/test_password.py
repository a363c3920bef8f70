"""Password rules (≥10 characters, not common, not all digits, not like the account) on the change-my-
password page and on staff creation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chatdong.accounts.models import PermissionChange, Role, User
from chatdong.accounts.tests.org_fixtures import PASSWORD, client_for, staff

pytestmark = pytest.mark.django_db

CHANGE = reverse("accounts:password_change")


def change(user: User, new: str, old: str = PASSWORD):
    client = client_for(user)
    response = client.post(CHANGE, {"old_password": old, "new_password1": new, "new_password2": new})
    return client, response


def test_change_page_shows_the_rules():
    response = client_for(staff(Role.OFFICER)).get(CHANGE)
    assert response.status_code == 200
    assert "10자 이상, 흔히 쓰는 비밀번호" in response.content.decode()


def test_good_password_is_accepted_and_the_session_survives():
    user = staff(Role.OFFICER)
    client, response = change(user, "seongbuk-river-walk-7")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:account")
    user.refresh_from_db()
    assert user.check_password("seongbuk-river-walk-7")
    assert client.get(reverse("core:home")).status_code == 200


@pytest.mark.parametrize(
    ("new", "reason"),
    [
        ("Short-9x", "이 비밀번호는 너무 짧습니다. 최소 10자 이상이어야 합니다."),
        ("1q2w3e4r5t", "너무 흔히 사용되는 비밀번호입니다."),
        ("3948572610", "비밀번호가 전부 숫자로 되어 있습니다."),
    ],
)
def test_weak_passwords_are_refused(new, reason):
    user = staff(Role.OFFICER)
    _, response = change(user, new)
    assert response.status_code == 200
    assert reason in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_like_the_username_is_refused():
    user = staff(Role.OFFICER, username="kim.youngsoo")
    _, response = change(user, "kim.youngsoo1")
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_wrong_current_password_changes_nothing():
    user = staff(Role.OFFICER)
    _, response = change(user, "seongbuk-river-walk-7", old="not-my-password")
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_anonymous_is_sent_to_login():
    from django.test import Client

    response = Client().get(CHANGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def create_staff(actor: User, password: str):
    return client_for(actor).post(
        reverse("accounts:staff_create"),
        {
            "username": "new.planner",
            "full_name": "새직원",
            "role": Role.PLANNER_CHILD,
            "dong": actor.dong_id,
            "password1": password,
            "password2": password,
        },
    )


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Short-9x", "이 비밀번호는 너무 짧습니다. 최소 10자 이상이어야 합니다."),
        ("1q2w3e4r5t", "너무 흔히 사용되는 비밀번호입니다."),
        ("3948572610", "비밀번호가 전부 숫자로 되어 있습니다."),
    ],
)
def test_staff_creation_refuses_weak_passwords(password, reason):
    head = staff(Role.DONG_HEAD)
    response = create_staff(head, password)
    assert response.status_code == 200
    assert f'<p class="form-hint-invalid" role="alert">{reason}</p>' in response.content.decode()
    assert not User.objects.filter(username="new.planner").exists()
    assert not PermissionChange.objects.filter(user__username="new.planner").exists()


def test_staff_creation_with_a_good_password():
    head = staff(Role.DONG_HEAD)
    response = create_staff(head, "changdong-welfare-42")
    created = User.objects.get(username="new.planner")
    assert response["Location"] == reverse("accounts:staff_detail", args=[created.pk])
    assert created.check_password("changdong-welfare-42")
