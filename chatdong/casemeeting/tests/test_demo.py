"""The demo seed: last month's held meeting with minutes and next month's planned one, per 동."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from chatdong.accounts.models import Role
from chatdong.casemeeting.demo import demo_seed
from chatdong.casemeeting.models import AgendaItem, Decision, Meeting
from chatdong.casemeeting.tests.helpers import S, case_at
from chatdong.cases.models import CaseType
from chatdong.testing.world import World

pytestmark = pytest.mark.django_db


def test_demo_seed(world: World) -> None:
    head = world.users[Role.DONG_HEAD]
    classified = case_at(S.PLANNING, resident=world.r_z1, actor=head, case_type=CaseType.GENERAL)
    waiting = case_at(S.MEETING, resident=world.r_z2, actor=head)

    counts = demo_seed(district=world.district, today=dt.date(2026, 11, 23), rng=random.Random(1))
    again = demo_seed(district=world.district, today=dt.date(2026, 11, 23), rng=random.Random(1))

    assert counts == again
    assert (counts["meetings"], counts["agenda_items"], counts["decisions"]) == (4, 2, 1)
    assert list(
        Meeting.objects.filter(dong=world.dong_a).order_by("held_on").values_list("held_on", "status")
    ) == [
        (dt.date(2026, 10, 21), "held"),
        (dt.date(2026, 12, 16), "planned"),
    ]
    assert list(AgendaItem.objects.order_by("meeting__held_on").values_list("case_id", flat=True)) == [
        classified.pk,
        waiting.pk,
    ]
    decision = Decision.objects.get()
    assert (decision.kind, decision.case_type, decision.applied_at is not None) == (
        "classify",
        "general",
        True,
    )
