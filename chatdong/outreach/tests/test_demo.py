"""The demo seed fills outreach for a district: programs, lists of the year, consents, assignments."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from chatdong.outreach.demo import demo_seed
from chatdong.outreach.models import Program, Target
from chatdong.outreach.tests.factories import resident_in
from chatdong.registry.models import Resident
from chatdong.testing.world import build_world

pytestmark = pytest.mark.django_db


def test_demo_seed():
    world = build_world()
    Resident.objects.update(birth_date=dt.date(1975, 5, 17))
    for n in range(1, 9):
        resident_in(world.ban_z1, dt.date(1961, 1, n))
    resident_in(world.ban_z2, dt.date(2026, 2, 2), relation="자녀")
    resident_in(world.ban_b, dt.date(1980, 1, 1), basic_livelihood=True)
    counts = demo_seed(district=world.district, today=dt.date(2026, 6, 15), rng=random.Random(2016))
    assert Program.objects.filter(district=world.district).count() == 6
    assert (counts["targets_elder-planner"], counts["targets_elder-nurse"]) == (8, 8)
    assert (counts["targets_child"], counts["targets_poverty"]) == (1, 1)
    assert counts["consent_given"] + counts["consent_refused"] + counts["consent_withdrawn"] == sum(
        1 for _ in Target.objects.exclude(consent="unknown")
    )
    # Every open target is assigned except where the 동 has no visiting staff of the program (동 B has
    # no poverty planner).
    unassigned = Target.objects.filter(status="open", assignee__isnull=True).exclude(
        consent__in=Target.CONSENT_OUT
    )
    assert list(unassigned.values_list("program__code", "dong_id")) == [("poverty", world.dong_b.pk)]
