from django import template

from chatdong.linkage.selectors import mask_name

register = template.Library()


@register.filter
def masked(name: str) -> str:
    """김민준 → 김*준: a resident's name as an agency worker sees it."""
    return mask_name(name)
