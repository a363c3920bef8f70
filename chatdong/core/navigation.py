"""The main menu, per role: only what the user may use is shown."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from chatdong.accounts import access as accounts_access
from chatdong.accounts.models import User
from chatdong.audit.access import can_review_audit
from chatdong.registry import access as registry_access


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def menu_for(user: User, path: str) -> list[NavItem]:
    items: list[tuple[str, str]] = [("홈", reverse("core:home"))]
    if accounts_access.dongs_in_scope(user).exists():
        items.append(("동 현황", reverse("core:dong_list")))
    if accounts_access.can_view_personal_data(user):
        items.append(("주민 검색", reverse("registry:search")))
    items.append(("직원·담당구역", reverse("accounts:staff_list")))
    if registry_access.can_import(user):
        items.append(("주민자료 등록", reverse("registry:import_list")))
    if can_review_audit(user):
        items.append(("접속기록 점검", reverse("audit:log_list")))
    return [NavItem(label, url, path == url or (url != "/" and path.startswith(url))) for label, url in items]
