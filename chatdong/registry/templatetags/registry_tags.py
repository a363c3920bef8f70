"""Display helpers for registry pages (formatting only; no data access)."""

from __future__ import annotations

import datetime as dt

from django import template

from chatdong.registry.selectors import age_on

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """01012345678 → 010-1234-5678; 0212345678 → 02-1234-5678."""
    digits = "".join(ch for ch in value or "" if ch.isdigit())
    if len(digits) < 9:
        return value or ""
    if digits.startswith("02"):
        return f"02-{digits[2:-4]}-{digits[-4:]}"
    return f"{digits[:3]}-{digits[3:-4]}-{digits[-4:]}"


@register.filter
def benefits(value: str) -> str:
    """The stored '생계,의료' as '생계·의료'."""
    return "·".join(part.strip() for part in (value or "").split(",") if part.strip())


@register.filter
def age(birth_date: dt.date | None) -> str:
    return "" if birth_date is None else f"{age_on(birth_date)}세"


@register.simple_tag
def tong_ban(obj: object) -> str:
    """'3통 2반' for anything with a `ban` (resident or household)."""
    ban = getattr(obj, "ban", None)
    return f"{ban.tong.number}통 {ban.number}반" if ban is not None else "-"
