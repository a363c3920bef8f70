"""Fixtures of the visits tests: the shared world (every role, 동 A/B, another district) with an
elder-planner program, a target in 동 A assigned to the planner, and a planned visit for today."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from chatdong.accounts.models import Role, User
from chatdong.outreach.models import Program, Target
from chatdong.registry.models import Resident
from chatdong.testing.factories import ResidentFactory
from chatdong.testing.world import World, build_world, make
from chatdong.visits.models import Visit

TODAY = dt.date(2026, 11, 23)  # a Monday


@dataclass
class VisitWorld:
    w: World
    program: Program
    infant_program: Program
    target: Target
    visit: Visit

    @property
    def planner(self) -> User:
        return self.w.users[Role.PLANNER_ELDER]

    @property
    def nurse(self) -> User:
        return self.w.users[Role.VISITING_NURSE]

    def user(self, role: Role) -> User:
        return self.w.users[role]


def resident(**kwargs: object) -> Resident:
    return make(Resident, ResidentFactory, **kwargs)


def make_target(
    program: Program, resident: Resident, *, assignee: User | None = None, reason: str = "1961년생"
) -> Target:
    return Target.objects.create(
        program=program,
        period_start=dt.date(TODAY.year, 1, 1),
        period_end=dt.date(TODAY.year, 12, 31),
        dong=resident.dong,
        resident=resident,
        household=resident.household,
        reason=reason,
        assignee=assignee,
    )


def make_visit(
    target: Target, staff: User, *, day: dt.date = TODAY, co_staff: User | None = None, attempt: int = 1
) -> Visit:
    resident = target.resident
    assert resident is not None
    return Visit.objects.create(
        target=target,
        dong=target.dong,
        resident=resident,
        household=resident.household,
        staff=staff,
        co_staff=co_staff,
        scheduled_on=day,
        attempt=attempt,
    )


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    """Freeze chatdong's 'today' (services, selectors and views read it through core.time.today)."""
    for module in (
        "chatdong.visits.services",
        "chatdong.visits.selectors",
        "chatdong.visits.views",
        "chatdong.referrals.services",
    ):
        monkeypatch.setattr(f"{module}.today", lambda: TODAY)
    return TODAY


@pytest.fixture
def vw(db, today) -> VisitWorld:
    w = build_world()
    program = Program.objects.create(
        district=w.district,
        code="elder-planner",
        name="어르신 복지플래너",
        kind=Program.Kind.ELDER_PLANNER,
        visit_roles=[Role.PLANNER_ELDER, Role.VISITING_NURSE],
    )
    infant = Program.objects.create(
        district=w.district,
        code="infant-health",
        name="영유아 건강간호",
        kind=Program.Kind.INFANT_HEALTH,
        visit_roles=[Role.INFANT_NURSE],
    )
    target = make_target(program, w.r_z1, assignee=w.users[Role.PLANNER_ELDER])
    visit = make_visit(target, w.users[Role.PLANNER_ELDER])
    return VisitWorld(w=w, program=program, infant_program=infant, target=target, visit=visit)
