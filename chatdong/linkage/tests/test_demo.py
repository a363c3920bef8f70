from __future__ import annotations

import datetime as dt
import random

import pytest

from chatdong.audit.models import AccessLog
from chatdong.linkage.demo import demo_seed
from chatdong.linkage.models import CandidatePair, ClientList
from chatdong.testing.world import World

pytestmark = pytest.mark.django_db


def test_demo_seed_leaves_pairs_to_review_and_is_idempotent(world: World) -> None:
    counts = demo_seed(district=world.district, today=dt.date(2026, 11, 23), rng=random.Random(5))
    assert counts["client_lists"] == 1
    assert counts["client_records"] == 10  # the 4 current 동 A residents born before 1990 + 6 strangers
    client_list = ClientList.objects.get()
    assert client_list.status == ClientList.Status.DONE
    assert counts["candidate_pairs"] == CandidatePair.objects.filter(status="pending").count() > 0
    assert AccessLog.objects.count() == 0
    again = demo_seed(district=world.district, today=dt.date(2026, 11, 23), rng=random.Random(5))
    assert (again["client_lists"], ClientList.objects.count()) == (0, 1)
