"""The referrals access matrix: every role against each page (the app's own; the core matrix is the lead's)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from chatdong.accounts.access import DONG_ROLES
from chatdong.accounts.models import Role, User
from chatdong.referrals.models import Referral
from chatdong.testing.world import ROLES, World

pytestmark = pytest.mark.django_db

# A referral from 동 A's counselor to the world's agency.
DETAIL_OK = (DONG_ROLES - {Role.OFFICER}) | {Role.DISTRICT_STAFF, Role.AGENCY_WORKER}
DESK_OK = DONG_ROLES
QUEUE_OK = {Role.DONG_HEAD, Role.TEAM_LEADER, Role.SUPERVISOR}
DIRECTORY_EDIT_OK = {Role.DONG_HEAD, Role.TEAM_LEADER, Role.DISTRICT_STAFF, Role.ADMIN}


@pytest.mark.parametrize("role", ROLES)
def test_matrix(
    world: World, send: Callable[..., Referral], login_client: Callable[[User], Client], role: Role
) -> None:
    referral = send()
    client = login_client(world.users[role])
    got = {
        "inbox": client.get("/referrals/").status_code,
        "sent": client.get("/referrals/sent/").status_code,
        "detail": client.get(f"/referrals/{referral.pk}/").status_code,
        "queue": client.get("/referrals/queue/").status_code,
        "desk": client.get("/referrals/desk/").status_code,
        "agencies": client.get("/referrals/agencies/").status_code,
        "agency_new": client.get("/referrals/agencies/new/").status_code,
    }
    assert got == {
        "inbox": 200,
        "sent": 200,
        "detail": 200 if role in DETAIL_OK else 404,
        "queue": 200 if role in QUEUE_OK else 403,
        "desk": 200 if role in DESK_OK else 403,
        "agencies": 200,
        "agency_new": 200 if role in DIRECTORY_EDIT_OK else 403,
    }


def test_agency_sees_only_its_referrals(world: World, send: Callable[..., Referral]) -> None:
    from chatdong.accounts.models import Agency
    from chatdong.referrals.access import referrals_visible_to

    other = Agency.objects.create(district=world.district, name="다른 복지관")
    mine = send()
    send(to_agency=other)
    send("health")
    send("staff")
    assert list(referrals_visible_to(world.users[Role.AGENCY_WORKER])) == [mine]
    assert list(referrals_visible_to(world.agency_colleague)) == [mine]


def test_dong_sees_only_its_own(world: World, send: Callable[..., Referral]) -> None:
    from chatdong.referrals import services
    from chatdong.referrals.access import referrals_visible_to

    mine = send()
    theirs = services.referral_send(
        actor=world.planner_b,
        dong=world.dong_b,
        need_category="housing",
        summary="주거",
        to_kind="health",
        source="visit",
        resident=world.r_b,
    )
    assert list(referrals_visible_to(world.users[Role.TEAM_LEADER])) == [mine]
    assert list(referrals_visible_to(world.planner_b)) == [theirs]
    assert list(referrals_visible_to(world.staff_x)) == []
    assert set(referrals_visible_to(world.users[Role.DISTRICT_STAFF])) == {mine, theirs}
    assert set(referrals_visible_to(world.users[Role.HEALTH_MEDICAL])) == {theirs}
