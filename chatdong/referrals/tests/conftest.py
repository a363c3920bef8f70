from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from chatdong.accounts.models import Role
from chatdong.referrals import services
from chatdong.referrals.models import Referral
from chatdong.testing.world import World, build_world

FIXED_TODAY = dt.date(2026, 11, 23)  # a Monday


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.date], None]:
    """fixed_today(day): "today" is `day` for the services and selectors (default 2026-11-23)."""

    def set_day(day: dt.date) -> None:
        for module in ("chatdong.referrals.services", "chatdong.referrals.selectors"):
            monkeypatch.setattr(f"{module}.today", lambda: day)

    set_day(FIXED_TODAY)
    return set_day


@pytest.fixture
def send(world: World, fixed_today: Callable[[dt.date], None]) -> Callable[..., Referral]:
    """send(to_kind="agency", **overrides): a referral from the 동 A counselor about r_z1."""

    def make(to_kind: str = Referral.To.AGENCY, **kwargs: object) -> Referral:
        values: dict[str, object] = {
            "actor": world.users[Role.COUNSELOR],
            "dong": world.dong_a,
            "need_category": "health",
            "summary": "병원 동행이 필요합니다.",
            "to_kind": to_kind,
            "source": Referral.Source.DESK,
            "resident": world.r_z1,
        }
        if to_kind == Referral.To.AGENCY:
            values["to_agency"] = world.agency
        if to_kind == Referral.To.STAFF:
            values["to_user"] = world.users[Role.PLANNER_POVERTY]
        values.update(kwargs)
        return services.referral_send(**values)  # type: ignore[arg-type]

    return make
