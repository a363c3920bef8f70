"""Who may see and do what with programs, target lists, consent, assignment and advance notices.

The rule (docs/outreach.md, "누가 무엇을 보나"):
- Target lists are personal data: only PERSONAL_DATA_ROLES see them.
  - 구 사업담당 (district scope): every 동 of the district.
  - 동장, 팀장, 복지수퍼바이저: every target of their 동.
  - 복지플래너 and 간호사 (VISIT_ROLES): the targets of their 동 in programs whose visit_roles include
    their role, and any target assigned to them (담당 or 동행).
  - other 동 roles (상담전문관, 주무관, 민원창구): their 동, read only; zone-scope accounts only the 반 of
    their zones.
- Programs and counts (no names) are visible to every OVERVIEW_ROLES account of the district; the rule
  is edited by 구 사업담당 and 시스템 관리자.
- Consent and advance notice: the viewers above who work the target (visit roles, managers).
- Assignment and the load page: 동장, 팀장, 복지수퍼바이저 for their 동; 구 사업담당 for the district.
Out of scope answers 404 (querysets are filtered), a role that may not act at all answers 403.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from chatdong.accounts.access import (
    OVERVIEW_ROLES,
    can_view_personal_data,
    is_active_staff,
    user_district_id,
)
from chatdong.accounts.models import Dong, Role, Scope, User
from chatdong.outreach.models import Notice, OutboxMessage, PregnancyRegistration, Program, Target

VISIT_ROLES = frozenset(
    {
        Role.PLANNER_ELDER,
        Role.PLANNER_CHILD,
        Role.PLANNER_POVERTY,
        Role.PLANNER_YOUTH,
        Role.VISITING_NURSE,
        Role.INFANT_NURSE,
    }
)
MANAGER_ROLES = frozenset({Role.DONG_HEAD, Role.TEAM_LEADER, Role.SUPERVISOR})
PROGRAM_EDIT_ROLES = frozenset({Role.DISTRICT_STAFF, Role.ADMIN})
EXTRACT_ROLES = frozenset({Role.DISTRICT_STAFF, Role.ADMIN})
ASSIGN_ROLES = frozenset(MANAGER_ROLES | {Role.DISTRICT_STAFF})
WORK_ROLES = frozenset(MANAGER_ROLES | VISIT_ROLES | {Role.DISTRICT_STAFF})
PREGNANCY_ROLES = frozenset({Role.INFANT_NURSE, Role.DISTRICT_STAFF, *MANAGER_ROLES})


def programs_visible_to(user: User) -> QuerySet[Program]:
    district_id = user_district_id(user)
    if not is_active_staff(user) or user.role not in OVERVIEW_ROLES or district_id is None:
        return Program.objects.none()
    return Program.objects.filter(district_id=district_id)


def can_edit_programs(user: User) -> bool:
    return is_active_staff(user) and user.role in PROGRAM_EDIT_ROLES and user.district_id is not None


def can_extract(user: User) -> bool:
    return is_active_staff(user) and user.role in EXTRACT_ROLES and user.district_id is not None


def can_list_import(user: User) -> bool:
    """Adding targets from a list (CSV) or one by one: district staff and the 동's managers/planners."""
    return is_active_staff(user) and user.role in WORK_ROLES


def target_dongs(user: User) -> QuerySet[Dong]:
    """The 동 whose target lists the user may open."""
    if not can_view_personal_data(user):
        return Dong.objects.none()
    if user.scope == Scope.DISTRICT and user.district_id is not None:
        return Dong.objects.filter(district_id=user.district_id)
    if user.scope in (Scope.DONG, Scope.ZONE) and user.dong_id is not None:
        return Dong.objects.filter(pk=user.dong_id)
    return Dong.objects.none()


def targets_visible_to(user: User) -> QuerySet[Target]:
    if not can_view_personal_data(user):
        return Target.objects.none()
    queryset = Target.objects.all()
    if user.scope == Scope.DISTRICT and user.district_id is not None:
        return queryset.filter(dong__district_id=user.district_id)
    if user.scope not in (Scope.DONG, Scope.ZONE) or user.dong_id is None:
        return Target.objects.none()
    queryset = queryset.filter(dong_id=user.dong_id)
    if user.role in VISIT_ROLES:
        mine = Q(assignee=user) | Q(co_assignee=user)
        programs = Program.objects.filter(dong_scope_district(user))
        role_programs = [p.pk for p in programs if user.role in (p.visit_roles or [])]
        queryset = queryset.filter(mine | Q(program_id__in=role_programs))
    if user.scope == Scope.ZONE:
        queryset = queryset.filter(Q(ban__zone__officer=user) | Q(assignee=user) | Q(co_assignee=user))
    return queryset


def dong_scope_district(user: User) -> Q:
    return Q(district__dongs__pk=user.dong_id)


def can_work(user: User) -> bool:
    """Record consent, send notices (on targets the user sees)."""
    return can_view_personal_data(user) and user.role in WORK_ROLES


def can_assign(user: User) -> bool:
    return can_view_personal_data(user) and user.role in ASSIGN_ROLES


def can_view_load(user: User) -> bool:
    return can_assign(user)


def load_dongs(user: User) -> QuerySet[Dong]:
    return target_dongs(user) if can_view_load(user) else Dong.objects.none()


def assignable_staff(target_dong_id: int, roles: list[str]) -> QuerySet[User]:
    return User.objects.filter(dong_id=target_dong_id, role__in=roles, is_active=True).order_by(
        "full_name", "pk"
    )


def notices_visible_to(user: User) -> QuerySet[Notice]:
    return (
        Notice.objects.filter(target__in=targets_visible_to(user))
        if can_work(user)
        else Notice.objects.none()
    )


def outbox_visible_to(user: User) -> QuerySet[OutboxMessage]:
    """Phone numbers are personal data: the outbox shows the messages of targets the user may work."""
    if not can_work(user):
        return OutboxMessage.objects.none()
    return OutboxMessage.objects.filter(notice__target__in=targets_visible_to(user))


def can_edit_templates(user: User) -> bool:
    return is_active_staff(user) and user.role in (PROGRAM_EDIT_ROLES | MANAGER_ROLES)


def pregnancies_visible_to(user: User) -> QuerySet[PregnancyRegistration]:
    if not can_view_personal_data(user) or user.role not in PREGNANCY_ROLES:
        return PregnancyRegistration.objects.none()
    if user.scope == Scope.DISTRICT and user.district_id is not None:
        return PregnancyRegistration.objects.filter(dong__district_id=user.district_id)
    if user.dong_id is not None:
        return PregnancyRegistration.objects.filter(dong_id=user.dong_id)
    return PregnancyRegistration.objects.none()
