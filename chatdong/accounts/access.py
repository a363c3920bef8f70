"""Who may see and do what with org units, staff and zones. Default deny: a role not named here
may not. Records outside the user's scope are filtered out of querysets, so they answer 404."""

from __future__ import annotations

from django.db.models import QuerySet

from chatdong.accounts.models import Agency, Dong, Role, Scope, User, Zone

# Roles whose work needs residents' personal data (registry search, detail).
PERSONAL_DATA_ROLES = frozenset(
    {
        Role.DONG_HEAD,
        Role.TEAM_LEADER,
        Role.PLANNER_ELDER,
        Role.PLANNER_CHILD,
        Role.PLANNER_POVERTY,
        Role.PLANNER_YOUTH,
        Role.VISITING_NURSE,
        Role.INFANT_NURSE,
        Role.COUNSELOR,
        Role.SUPERVISOR,
        Role.OFFICER,
        Role.FRONT_DESK,
        Role.DISTRICT_STAFF,
    }
)
# Roles that work in a 동 and so take a zone as 우리동네주무관, unless exempt (seed: 동장, 팀장, 민원창구).
DONG_ROLES = frozenset(PERSONAL_DATA_ROLES - {Role.DISTRICT_STAFF})
ZONE_EXEMPT_ROLES = frozenset({Role.DONG_HEAD, Role.TEAM_LEADER, Role.FRONT_DESK})
ZONE_OFFICER_ROLES = frozenset(DONG_ROLES - ZONE_EXEMPT_ROLES)
DISTRICT_ROLES = frozenset({Role.DISTRICT_STAFF, Role.SUPPORT_TEAM, Role.HEALTH_MEDICAL, Role.ADMIN})
# Roles that see aggregate figures (the 동 overview) but no personal data.
OVERVIEW_ROLES = frozenset(PERSONAL_DATA_ROLES | {Role.SUPPORT_TEAM, Role.HEALTH_MEDICAL, Role.ADMIN})

DEFAULT_SCOPE = {role: Scope.DONG for role in DONG_ROLES} | {
    Role.OFFICER: Scope.ZONE,
    Role.DISTRICT_STAFF: Scope.DISTRICT,
    Role.SUPPORT_TEAM: Scope.DISTRICT,
    Role.HEALTH_MEDICAL: Scope.DISTRICT,
    Role.ADMIN: Scope.DISTRICT,
    Role.AGENCY_WORKER: Scope.AGENCY,
}
ALLOWED_SCOPES: dict[str, frozenset[str]] = {
    **{role: frozenset({Scope.DONG, Scope.ZONE}) for role in DONG_ROLES},
    Role.DISTRICT_STAFF: frozenset({Scope.DISTRICT}),
    Role.SUPPORT_TEAM: frozenset({Scope.DISTRICT}),
    Role.HEALTH_MEDICAL: frozenset({Scope.DISTRICT}),
    Role.ADMIN: frozenset({Scope.DISTRICT}),
    Role.AGENCY_WORKER: frozenset({Scope.AGENCY}),
}


def is_active_staff(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_view_personal_data(user: User) -> bool:
    return is_active_staff(user) and user.role in PERSONAL_DATA_ROLES


def needs_second_factor_off_site(user: User) -> bool:
    """Staff with access to personal data must use TOTP when outside the office networks."""
    return can_view_personal_data(user) or user.role == Role.ADMIN


def user_district_id(user: User) -> int | None:
    if user.district_id:
        return user.district_id
    if user.dong is not None:
        return user.dong.district_id
    if user.agency is not None:
        return user.agency.district_id
    return None


def dongs_visible_to(user: User) -> QuerySet[Dong]:
    """Org units are not personal data: every active account sees its district's 동 list."""
    district_id = user_district_id(user)
    if not is_active_staff(user) or district_id is None:
        return Dong.objects.none()
    return Dong.objects.filter(district_id=district_id)


def dongs_in_scope(user: User) -> QuerySet[Dong]:
    """The 동 whose work (figures, staff, zones) the user covers."""
    if not is_active_staff(user) or user.role not in OVERVIEW_ROLES:
        return Dong.objects.none()
    if user.scope == Scope.DISTRICT and user.district_id is not None:
        return Dong.objects.filter(district_id=user.district_id)
    if user.scope in (Scope.DONG, Scope.ZONE) and user.dong_id is not None:
        return Dong.objects.filter(pk=user.dong_id)
    return Dong.objects.none()


def staff_visible_to(user: User) -> QuerySet[User]:
    if not is_active_staff(user):
        return User.objects.none()
    if user.scope == Scope.DISTRICT and user.district_id is not None:
        district_id = user.district_id
        return (
            User.objects.filter(district_id=district_id)
            | User.objects.filter(dong__district_id=district_id)
            | (User.objects.filter(agency__district_id=district_id))
        )
    if user.scope in (Scope.DONG, Scope.ZONE) and user.dong_id is not None:
        return User.objects.filter(dong_id=user.dong_id)
    if user.scope == Scope.AGENCY and user.agency_id is not None:
        return User.objects.filter(agency_id=user.agency_id)
    return User.objects.none()


def zones_visible_to(user: User) -> QuerySet[Zone]:
    return Zone.objects.filter(dong__in=dongs_visible_to(user))


def agencies_visible_to(user: User) -> QuerySet[Agency]:
    district_id = user_district_id(user)
    if not is_active_staff(user) or district_id is None:
        return Agency.objects.none()
    return Agency.objects.filter(district_id=district_id)


def can_manage_staff_in(user: User, dong: Dong | None) -> bool:
    """시스템 관리자 manages every account; a 동장 manages the accounts of the 동 (not district roles)."""
    if not is_active_staff(user):
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.DONG_HEAD and dong is not None and dong.pk == user.dong_id


def can_manage_zones_in(user: User, dong: Dong) -> bool:
    if not is_active_staff(user):
        return False
    if user.role == Role.ADMIN:
        return dong.district_id == user.district_id
    return user.role in (Role.DONG_HEAD, Role.TEAM_LEADER) and dong.pk == user.dong_id


def roles_assignable_by(user: User) -> list[str]:
    if user.role == Role.ADMIN:
        return [r.value for r in Role]
    if user.role == Role.DONG_HEAD:
        return [r.value for r in Role if r in DONG_ROLES and r != Role.DONG_HEAD]
    return []


def can_create_staff(user: User) -> bool:
    """Whether the user may open the new-account form at all (the 동 is checked again on save)."""
    return is_active_staff(user) and user.role in (Role.ADMIN, Role.DONG_HEAD)


def can_view_grant_history(viewer: User, user: User) -> bool:
    """권한 변경 기록 of an account: for whoever may change it, the holder, and access-log reviewers."""
    # audit.access imports this module, so import it here.
    from chatdong.audit.access import can_review_audit

    if not is_active_staff(viewer):
        return False
    return viewer.pk == user.pk or can_manage_staff_in(viewer, user.dong) or can_review_audit(viewer)
