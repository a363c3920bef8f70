"""Outreach test helpers: a district with the default programs and residents placed in a 동/반."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chatdong.outreach.models import Program
from chatdong.outreach.services import programs_install_defaults
from chatdong.registry.models import Household, Resident
from chatdong.testing.factories import HouseholdFactory, ResidentFactory
from chatdong.testing.world import World, make


def programs(world: World) -> dict[str, Program]:
    return {p.code: p for p in programs_install_defaults(world.district)}


def household_in(ban: Any) -> Household:
    return make(Household, HouseholdFactory, ban=ban)


def resident_in(ban: Any, birth: dt.date, *, household: Household | None = None, **kwargs: Any) -> Resident:
    household = household or household_in(ban)
    return make(Resident, ResidentFactory, household=household, birth_date=birth, **kwargs)
