"""The demo seed: cases at every step, valid for the chain (each can be continued through the services),
deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import random

from chatdong.cases import chain
from chatdong.cases.demo import demo_seed
from chatdong.cases.models import Assessment, Case, Consent, ServiceLinkage, ServicePlan, Supervision
from chatdong.testing.factories import ResidentFactory
from chatdong.testing.world import World

S = Case.Step
TODAY = dt.date(2026, 11, 23)


def _signature() -> list[tuple[object, ...]]:
    return sorted(
        Case.objects.values_list(
            "resident_id", "step", "step_since", "due_on", "case_type", "risk_level", "lead_agency_id"
        )
    )


def test_demo_seed(world: World) -> None:
    for n in range(40):
        ResidentFactory(household=world.hh_a_free, name=f"박데모{n}", basic_livelihood=n % 2 == 0)

    counts = demo_seed(district=world.district, today=TODAY, rng=random.Random(7))

    cases = list(Case.objects.all())
    assert counts["cases"] == len(cases) == 27  # 동 A only: 동 B has no supervisor in the test world
    assert {c.step for c in cases} == set(S.values)
    assert all(c.due_on == chain.step_due(c) for c in cases)
    assert counts["linkages"] == ServiceLinkage.objects.count() > 0
    amounts = [a or 0 for a in ServiceLinkage.objects.values_list("amount", flat=True)]
    assert counts["amount_won"] == sum(amounts) > 0
    assert counts["supervisions"] == Supervision.objects.count()
    assert counts["shared"] == Case.objects.exclude(lead_agency=None).count()
    assert all(
        ServicePlan.objects.filter(case=c, approved_on__isnull=False).exists()
        for c in cases
        if c.step == S.SERVICE
    )
    assert all(Assessment.objects.filter(case=c).exists() for c in cases if c.step == S.MEETING)
    assert Consent.objects.filter(agencies__isnull=False).count() == Consent.objects.count()

    first = _signature()
    Case.objects.all().delete()
    demo_seed(district=world.district, today=TODAY, rng=random.Random(7))
    assert _signature() == first
