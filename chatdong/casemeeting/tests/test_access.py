"""Who may open the case-meeting pages: every role against a meeting of 동 A."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chatdong.accounts.models import Role
from chatdong.casemeeting.tests.helpers import S, case_at, item_on, meeting_for
from chatdong.testing.api import bearer_client
from chatdong.testing.world import ROLES, World

pytestmark = pytest.mark.django_db

R = Role
# list, detail of a 동 A meeting, new-meeting form
EXPECTED: dict[Role, tuple[int, int, int]] = {
    R.DONG_HEAD: (200, 200, 200),
    R.TEAM_LEADER: (200, 200, 200),
    R.PLANNER_ELDER: (200, 200, 200),
    R.PLANNER_CHILD: (200, 200, 200),
    R.PLANNER_POVERTY: (200, 200, 200),
    R.PLANNER_YOUTH: (200, 200, 200),
    R.VISITING_NURSE: (200, 200, 200),
    R.INFANT_NURSE: (200, 200, 200),
    R.COUNSELOR: (200, 200, 200),
    R.SUPERVISOR: (200, 200, 200),
    R.OFFICER: (200, 200, 200),
    R.FRONT_DESK: (403, 403, 403),
    R.DISTRICT_STAFF: (200, 200, 403),
    R.SUPPORT_TEAM: (403, 403, 403),
    R.HEALTH_MEDICAL: (403, 403, 403),
    R.AGENCY_WORKER: (200, 404, 403),  # sees only meetings she attended
    R.ADMIN: (403, 403, 403),
}


def test_matrix_covers_every_role() -> None:
    assert set(EXPECTED) == set(ROLES)


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_pages_by_role(world: World, login_client, role: Role) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    item_on(meeting, case_at(S.MEETING, resident=world.r_z1, actor=head), actor=head)
    client = login_client(world.users[role])

    got = (
        client.get(reverse("casemeeting:list")).status_code,
        client.get(reverse("casemeeting:detail", args=[meeting.pk])).status_code,
        client.get(reverse("casemeeting:create")).status_code,
    )

    assert got == EXPECTED[role]


def test_zone_officer_sees_only_her_zones_items(world: World, login_client) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    mine = case_at(S.MEETING, resident=world.r_z1, actor=head)
    item_on(meeting, mine, actor=head, position=1)
    item_on(meeting, case_at(S.MEETING, resident=world.r_z2, actor=head), actor=head, position=2)

    response = login_client(world.users[Role.OFFICER]).get(reverse("casemeeting:detail", args=[meeting.pk]))

    assert [row.case.pk for row in response.context["v"].items] == [mine.pk]


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_api_by_role(world: World, role: Role) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    client = bearer_client(world.users[role])
    page_status, detail_status, _ = EXPECTED[role]

    got = (
        client.get("/api/v1/case-meetings").status_code,
        client.get(f"/api/v1/case-meetings/{meeting.pk}").status_code,
    )

    assert got == (page_status, detail_status)
