"""The visits demo seed: a planner's day, recorded visits with forms, one positive screening with its
referral; deterministic for a seed."""

from __future__ import annotations

import random

import pytest
from django.db import transaction

from chatdong.accounts.models import Role
from chatdong.outreach.models import Target
from chatdong.outreach.services import targets_integrity_check
from chatdong.referrals.models import Referral
from chatdong.visits.demo import demo_seed
from chatdong.visits.models import Screening, Visit
from chatdong.visits.tests.conftest import TODAY, make_target, resident

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def seed_once(vw, seed: int) -> tuple[dict[str, int], list[tuple]]:
    result: dict[str, int] = {}
    rows: list[tuple] = []
    try:
        with transaction.atomic():
            result.update(demo_seed(district=vw.w.district, today=TODAY, rng=random.Random(seed)))
            rows.extend(
                Visit.objects.order_by("target_id", "scheduled_on", "id").values_list(
                    "target_id", "staff_id", "co_staff_id", "scheduled_on", "outcome"
                )
            )
            raise Rollback
    except Rollback:
        pass
    return result, rows


@pytest.fixture
def demo_world(vw):
    vw.visit.delete()
    for n in range(40):
        make_target(vw.program, resident(household=vw.w.hh_a_free, name=f"대상{n}"), assignee=vw.planner)
    for n in range(10):
        make_target(vw.program, resident(household=vw.w.hh_z2, name=f"간호{n}"), assignee=vw.nurse)
    return vw


def test_demo_gives_a_planner_a_day_and_one_positive_referral(demo_world) -> None:
    vw = demo_world
    counts = demo_seed(district=vw.w.district, today=TODAY, rng=random.Random(7))
    today_visits = Visit.objects.filter(staff=vw.planner, scheduled_on=TODAY)
    assert today_visits.count() == 6
    assert today_visits.filter(co_staff=vw.nurse).count() == 2
    assert Visit.objects.filter(staff=vw.planner, scheduled_on__gt=TODAY).count() == 12
    referral = Referral.objects.get()
    assert (referral.source, referral.to_kind, referral.urgent) == ("screening", "health", True)
    assert Screening.objects.filter(positive=True).count() == 1
    # The visits it writes in bulk leave their targets' visit facts as recording them would.
    assert Target.objects.filter(visit_made=True).exists()
    assert targets_integrity_check() == {}
    assert counts["positive_referrals"] == 1
    assert counts["visits_planned"] == Visit.objects.filter(outcome="planned").count()
    assert counts["visits_recorded"] == Visit.objects.exclude(outcome="planned").count()
    assert counts["screenings"] == Screening.objects.count()
    assert Visit.objects.filter(staff__role=Role.VISITING_NURSE).count() == 10


def test_demo_is_deterministic_for_a_seed(demo_world) -> None:
    first = seed_once(demo_world, 11)
    second = seed_once(demo_world, 11)
    assert first == second
    assert first[0]["visits_planned"] > 0
