"""Korean business days: due dates skip weekends and public holidays (the `holidays` package's KR
calendar, including substitute holidays), plus any extra closed days a district lists in
CHATDONG_EXTRA_HOLIDAYS (e.g. a local election day declared late)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from django.conf import settings


@lru_cache(maxsize=64)
def _kr_holidays(year: int) -> frozenset[dt.date]:
    days = set(holidays.country_holidays("KR", years=[year]).keys())
    for text in getattr(settings, "CHATDONG_EXTRA_HOLIDAYS", []):
        day = dt.date.fromisoformat(text)
        if day.year == year:
            days.add(day)
    return frozenset(days)


def holiday_name(day: dt.date) -> str:
    """The Korean name of a public holiday ('' on other days)."""
    if day in _kr_holidays(day.year):
        return holidays.country_holidays("KR", years=[day.year], language="ko").get(day) or "휴일"
    return ""


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _kr_holidays(day.year)


def next_business_day(day: dt.date) -> dt.date:
    """`day` itself if it is a business day, else the first business day after it."""
    while not is_business_day(day):
        day += dt.timedelta(days=1)
    return day


def add_business_days(day: dt.date, count: int) -> dt.date:
    """The business day `count` business days after `day` (count 0: `day` rolled forward to a business
    day). Used for referral and case-step due dates."""
    if count < 0:
        raise ValueError("count must not be negative")
    current = next_business_day(day) if count == 0 else day
    remaining = count
    while remaining:
        current += dt.timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current


def add_days_to_business_day(day: dt.date, days: int) -> dt.date:
    """Calendar-day deadlines ('within 4 weeks', 'within 10 days') that must not fall on a closed day:
    `day + days`, moved back to the last business day on or before it."""
    due = day + dt.timedelta(days=days)
    while not is_business_day(due):
        due -= dt.timedelta(days=1)
    return due


def business_days_between(start: dt.date, end: dt.date) -> int:
    """Business days after `start` up to and including `end` (0 if end <= start)."""
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_business_day(current):
            count += 1
    return count
