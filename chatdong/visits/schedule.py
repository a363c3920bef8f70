"""서울아기 건강첫걸음: when a scheduled visit opens and is due for a target (pure date arithmetic)."""

from __future__ import annotations

import datetime as dt

from chatdong.outreach.models import Target
from chatdong.visits.models import HomeVisitScheduleItem


def anchors(target: Target) -> tuple[dt.date | None, dt.date | None]:
    """(birth, expected delivery): from the target's pregnancy registration when there is one, else the
    target's resident is the baby and her birth date is the birth."""
    pregnancy = getattr(target, "pregnancy", None)
    if pregnancy is not None:
        return pregnancy.delivered_on, pregnancy.expected_delivery_on
    if target.resident is not None:
        return target.resident.birth_date, None
    return None, None


def item_window(target: Target, item: HomeVisitScheduleItem) -> tuple[dt.date, dt.date] | None:
    """(opens on, due on) of a scheduled visit for a target; None while its anchor date is unknown."""
    birth, expected = anchors(target)
    anchor = birth if item.anchor == HomeVisitScheduleItem.Anchor.BIRTH else expected
    if anchor is None:
        return None
    opens = anchor + dt.timedelta(days=item.offset_days)
    return opens, opens + dt.timedelta(days=item.window_days)
