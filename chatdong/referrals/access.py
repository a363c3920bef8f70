"""Who may send, see and answer referrals."""

from __future__ import annotations

from chatdong.accounts.access import DONG_ROLES, is_active_staff
from chatdong.accounts.models import Dong, Role, Scope, User


def can_send_referral(user: User, dong: Dong) -> bool:
    """동 staff send referrals from their own 동; district program staff from any 동 of the district."""
    if not is_active_staff(user):
        return False
    if user.role in DONG_ROLES and user.scope in (Scope.DONG, Scope.ZONE):
        return user.dong_id == dong.pk
    return user.role == Role.DISTRICT_STAFF and user.district_id == dong.district_id
