"""Who may open 방문 현황 and the lists behind it, role by role (the world of chatdong.testing.world)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from chatdong.accounts.models import Role, User
from chatdong.audit.models import AccessLog
from chatdong.testing.world import ROLES, build_world

pytestmark = pytest.mark.django_db

# role → (dashboard, staff view, list behind a figure): HTTP status for the user's own scope.
EXPECTED: dict[Role, tuple[int, int, int]] = {
    Role.DONG_HEAD: (200, 200, 200),
    Role.TEAM_LEADER: (200, 200, 200),
    Role.PLANNER_ELDER: (200, 200, 200),
    Role.PLANNER_CHILD: (200, 200, 200),
    Role.PLANNER_POVERTY: (200, 200, 200),
    Role.PLANNER_YOUTH: (200, 200, 200),
    Role.VISITING_NURSE: (200, 200, 200),
    Role.INFANT_NURSE: (200, 200, 200),
    Role.COUNSELOR: (200, 200, 200),
    Role.SUPERVISOR: (200, 200, 200),
    Role.OFFICER: (200, 200, 200),
    Role.FRONT_DESK: (200, 200, 200),
    Role.DISTRICT_STAFF: (200, 200, 200),
    Role.SUPPORT_TEAM: (200, 200, 403),
    Role.HEALTH_MEDICAL: (200, 200, 403),
    Role.AGENCY_WORKER: (403, 403, 403),
    Role.ADMIN: (200, 200, 403),
}


def test_every_role_is_in_the_table() -> None:
    assert set(EXPECTED) == set(ROLES)


def test_access_per_role(login_client: Callable[[User], Client]) -> None:
    world = build_world()
    seen = {}
    logged = {}
    for role in ROLES:
        client = login_client(world.users[role])
        before = AccessLog.objects.count()
        seen[role] = (
            client.get(reverse("coverage:dashboard")).status_code,
            client.get(reverse("coverage:staff")).status_code,
            client.get(reverse("coverage:targets"), {"figure": "targets"}).status_code,
        )
        logged[role] = AccessLog.objects.count() - before
    assert seen == EXPECTED
    # Only an opened list is logged (one entry); figures and refusals write nothing.
    assert logged == {role: 1 if EXPECTED[role][2] == 200 else 0 for role in ROLES}


def test_district_roles_see_every_dong_and_dong_roles_their_own(
    login_client: Callable[[User], Client],
) -> None:
    world = build_world()
    dongs = {
        role: [
            d.name
            for d in login_client(world.users[role]).get(reverse("coverage:dashboard")).context["c"].dongs
        ]
        for role in (
            Role.DISTRICT_STAFF,
            Role.SUPPORT_TEAM,
            Role.HEALTH_MEDICAL,
            Role.ADMIN,
            Role.DONG_HEAD,
            Role.OFFICER,
        )
    }
    assert dongs == {
        Role.DISTRICT_STAFF: ["가동", "나동"],
        Role.SUPPORT_TEAM: ["가동", "나동"],
        Role.HEALTH_MEDICAL: ["가동", "나동"],
        Role.ADMIN: ["가동", "나동"],
        Role.DONG_HEAD: ["가동"],
        Role.OFFICER: ["가동"],
    }
