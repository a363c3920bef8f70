"""Access matrix of the linkage app: every role against the live check, upload and review."""

from __future__ import annotations

import pytest

from chatdong.accounts.models import Role
from chatdong.linkage import access
from chatdong.testing.world import ROLES, World

pytestmark = pytest.mark.django_db

LIVE_CHECK = {
    Role.DONG_HEAD,
    Role.TEAM_LEADER,
    Role.PLANNER_ELDER,
    Role.PLANNER_CHILD,
    Role.PLANNER_POVERTY,
    Role.PLANNER_YOUTH,
    Role.VISITING_NURSE,
    Role.INFANT_NURSE,
    Role.COUNSELOR,
    Role.SUPERVISOR,
    Role.OFFICER,
    Role.FRONT_DESK,
    Role.DISTRICT_STAFF,
}
UPLOAD = (LIVE_CHECK - {Role.FRONT_DESK}) | {Role.AGENCY_WORKER}


@pytest.mark.parametrize("role", ROLES)
def test_matrix(world: World, role: Role) -> None:
    user = world.users[role]
    assert (access.can_live_check(user), access.can_upload(user)) == (role in LIVE_CHECK, role in UPLOAD)


def test_inactive_account_may_nothing(world: World) -> None:
    user = world.users[Role.AGENCY_WORKER]
    user.is_active = False
    assert (access.can_live_check(user), access.can_upload(user)) == (False, False)
    assert access.client_lists_visible_to(user).count() == 0
