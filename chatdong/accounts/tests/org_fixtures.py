"""Small org-unit fixtures for the page and selector tests: a 동 with numbered 통/반, and staff."""

from __future__ import annotations

from typing import cast

from django.test import Client

from chatdong.accounts.models import Ban, Dong, Tong, User
from chatdong.testing.factories import DongFactory, UserFactory

PASSWORD = "test-password-1234"  # UserFactory's password
OFFICE_IP = "127.0.0.1"
OFF_SITE_IP = "203.0.113.9"  # TEST-NET-3: never an office network


def dong_with_bans(
    tong_bans: dict[int, int], dong: Dong | None = None
) -> tuple[Dong, dict[tuple[int, int], Ban]]:
    """A 동 with {통 number: number of 반}; returns the 동 and its 반 by (통, 반)."""
    dong = dong or cast(Dong, DongFactory())
    bans: dict[tuple[int, int], Ban] = {}
    for tong_number, count in tong_bans.items():
        tong = Tong.objects.create(dong=dong, number=tong_number)
        for ban_number in range(1, count + 1):
            bans[(tong_number, ban_number)] = Ban.objects.create(tong=tong, number=ban_number)
    return dong, bans


def staff(role: str, dong: Dong | None = None, **kwargs: object) -> User:
    if dong is not None:
        kwargs["dong"] = dong
    return cast(User, UserFactory(role=role, **kwargs))


def client_for(user: User, ip: str = OFFICE_IP) -> Client:
    client = Client(REMOTE_ADDR=ip)
    client.force_login(user)
    return client
