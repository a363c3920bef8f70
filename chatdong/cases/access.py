"""Who may open, see and work on cases."""

from __future__ import annotations

from chatdong.accounts.access import DONG_ROLES, is_active_staff
from chatdong.accounts.models import Dong, Role, Scope, User

# 동 roles that do case management or find cases (the desk, planners, nurses, supervisors, 동장/팀장).
CASE_OPEN_ROLES = frozenset(DONG_ROLES - {Role.FRONT_DESK})


def can_open_case(user: User, dong: Dong) -> bool:
    if not is_active_staff(user):
        return False
    if user.role in CASE_OPEN_ROLES and user.scope in (Scope.DONG, Scope.ZONE):
        return user.dong_id == dong.pk
    return (
        user.role == Role.AGENCY_WORKER
        and user.agency is not None
        and user.agency.district_id == dong.district_id
    )
