from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from chatdong.core.navigation import menu_for, section_menu_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    from chatdong.core.notify import unread_count

    return {
        "nav_items": menu_for(user, request.path),
        "section_items": section_menu_for(user, request.path),
        "unread_notifications": unread_count(user),
    }
