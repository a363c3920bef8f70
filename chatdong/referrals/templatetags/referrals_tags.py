from __future__ import annotations

from django import template

from chatdong.core.needs import NeedCategory

register = template.Library()
_LABELS = dict(NeedCategory.choices)


@register.filter
def need_label(value: str) -> str:
    """The Korean label of a need category code ('housing' → '주거')."""
    return str(_LABELS.get(value, value))
