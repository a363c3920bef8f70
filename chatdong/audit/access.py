"""Who may read the access log and record its periodic review."""

from __future__ import annotations

from chatdong.accounts.access import is_active_staff
from chatdong.accounts.models import Role, User

AUDIT_REVIEW_ROLES = frozenset({Role.ADMIN, Role.DISTRICT_STAFF})


def can_review_audit(user: User) -> bool:
    return is_active_staff(user) and user.role in AUDIT_REVIEW_ROLES
