from __future__ import annotations

import datetime as dt
import random

import pytest

from chatdong.accounts.models import Agency, Role
from chatdong.referrals import selectors
from chatdong.referrals.demo import demo_seed
from chatdong.referrals.models import DeskConsultation, Referral
from chatdong.testing.factories import HouseholdFactory, ResidentFactory
from chatdong.testing.world import World

pytestmark = pytest.mark.django_db


def test_demo_seed_fills_every_state(world: World) -> None:
    for _ in range(8):
        ResidentFactory(household=HouseholdFactory(ban=world.ban_a_free))
    today = dt.date(2026, 11, 23)
    counts = demo_seed(district=world.district, today=today, rng=random.Random(7))
    assert counts == {
        "agencies": 10,
        "consultations": 6,
        "referrals": 7,
        "overdue": 1,
        "pingpong": 1,
        "agency_findings": 1,
    }
    finding = Referral.objects.get(source=Referral.Source.AGENCY)
    assert (finding.status, finding.to_kind, finding.resident_id) == ("sent", "staff", None)
    assert finding.sender.role == Role.AGENCY_WORKER and finding.client_name
    assert Agency.objects.get(name="성북구 정신건강복지센터").need_categories == [
        "health",
        "relations",
        "safety",
    ]
    statuses = sorted(
        Referral.objects.exclude(source=Referral.Source.AGENCY).values_list("status", flat=True)
    )
    assert statuses == ["accepted", "declined", "done", "sent", "sent", "sent", "sent"]
    assert DeskConsultation.objects.filter(dong=world.dong_a).count() == 6
    queue = selectors.supervisor_queue(user=world.users[Role.SUPERVISOR], request=None, day=today)
    assert sorted((r.is_overdue, r.is_pingpong) for r in queue) == [(False, True), (True, False)]  # type: ignore[attr-defined]
    assert Referral.objects.filter(urgent=True, to_kind="health").count() == 1
