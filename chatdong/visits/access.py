"""Who may see and do what with visits and their forms. Default deny.

- Visits: planners and nurses see the visits of their own 동 that are theirs (visitor, companion, or
  on a target assigned to them); 동장, 팀장 and 복지수퍼바이저 see every visit of their 동; 구 사업담당
  sees the district's visits (no health data). Out of scope answers 404.
- Health data (건강 평가, 마음건강 평가) is 민감정보: the visit's own staff, the nurses of the 동 and the
  동's 복지수퍼바이저; 보건소 의약과 sees the screenings referred to it in its district. 동장/팀장 and
  구 사업담당 see that a screening was done, never its answers or scores.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from chatdong.accounts.access import is_active_staff, user_district_id
from chatdong.accounts.models import District, Role, Scope, User
from chatdong.visits.models import HealthAssessment, HomeVisitSchedule, Screening, Visit

PLANNER_ROLES = frozenset({Role.PLANNER_ELDER, Role.PLANNER_CHILD, Role.PLANNER_POVERTY, Role.PLANNER_YOUTH})
NURSE_ROLES = frozenset({Role.VISITING_NURSE, Role.INFANT_NURSE})
# Roles that make home visits.
VISIT_ROLES = frozenset(PLANNER_ROLES | NURSE_ROLES)
# Roles that oversee every visit of their 동 and may plan visits for others.
OVERSIGHT_ROLES = frozenset({Role.DONG_HEAD, Role.TEAM_LEADER, Role.SUPERVISOR})
# 동 roles told when a household was not met after the set number of attempts.
ATTEMPT_ALERT_ROLES = frozenset({Role.SUPERVISOR, Role.TEAM_LEADER})
SCHEDULE_EDIT_ROLES = frozenset({Role.DISTRICT_STAFF, Role.HEALTH_MEDICAL})


def _dong_id(user: User) -> int | None:
    if user.scope in (Scope.DONG, Scope.ZONE) and user.dong_id is not None:
        return user.dong_id
    return None


def is_visitor(user: User) -> bool:
    return is_active_staff(user) and user.role in VISIT_ROLES and _dong_id(user) is not None


def visits_visible_to(user: User) -> QuerySet[Visit]:
    visits = Visit.objects.all()
    if not is_active_staff(user):
        return visits.none()
    dong_id = _dong_id(user)
    if user.role in OVERSIGHT_ROLES and dong_id is not None:
        return visits.filter(dong_id=dong_id)
    if user.role in VISIT_ROLES and dong_id is not None:
        mine = Q(staff=user) | Q(co_staff=user) | Q(target__assignee=user) | Q(target__co_assignee=user)
        return visits.filter(mine, dong_id=dong_id)
    if user.role == Role.DISTRICT_STAFF and user.district_id is not None:
        return visits.filter(dong__district_id=user.district_id)
    return visits.none()


def can_list_visits(user: User) -> bool:
    return is_active_staff(user) and (
        (user.role in (VISIT_ROLES | OVERSIGHT_ROLES) and _dong_id(user) is not None)
        or (user.role == Role.DISTRICT_STAFF and user.district_id is not None)
    )


def can_plan_visits(user: User) -> bool:
    return (
        is_active_staff(user) and user.role in (VISIT_ROLES | OVERSIGHT_ROLES) and _dong_id(user) is not None
    )


def can_plan_for(actor: User, *, dong_id: int, staff: User, co_staff: User | None) -> bool:
    """Visitors plan their own visits (alone or with a colleague); 동장/팀장/수퍼바이저 plan anyone's."""
    if not can_plan_visits(actor) or _dong_id(actor) != dong_id:
        return False
    if actor.role in OVERSIGHT_ROLES:
        return True
    return actor.pk in {staff.pk, co_staff.pk if co_staff else None}


def can_make_visits_in(user: User, dong_id: int) -> bool:
    """Whether the user can be a visit's visitor or companion in this 동."""
    return is_visitor(user) and user.dong_id == dong_id


def can_record(user: User, visit: Visit) -> bool:
    return (
        is_active_staff(user)
        and user.pk in {visit.staff_id, visit.co_staff_id}
        and _dong_id(user) == visit.dong_id
    )


def can_record_health(user: User, visit: Visit) -> bool:
    return can_record(user, visit) and user.role in NURSE_ROLES


def can_view_health(user: User, visit: Visit) -> bool:
    if not is_active_staff(user):
        return False
    if user.pk in {visit.staff_id, visit.co_staff_id} and _dong_id(user) == visit.dong_id:
        return True
    return user.role in (NURSE_ROLES | {Role.SUPERVISOR}) and _dong_id(user) == visit.dong_id


def _health_q(user: User, prefix: str) -> Q | None:
    dong_id = _dong_id(user)
    if dong_id is None:
        return None
    own = Q(**{f"{prefix}staff": user}) | Q(**{f"{prefix}co_staff": user})
    if user.role in (NURSE_ROLES | {Role.SUPERVISOR}):
        return Q(**{f"{prefix}dong_id": dong_id})
    return own & Q(**{f"{prefix}dong_id": dong_id})


def screenings_visible_to(user: User) -> QuerySet[Screening]:
    screenings = Screening.objects.all()
    if not is_active_staff(user):
        return screenings.none()
    if user.role == Role.HEALTH_MEDICAL and user.district_id is not None:
        return screenings.filter(
            dong__district_id=user.district_id, referral__isnull=False, referral__to_kind="health"
        )
    where = _health_q(user, "visit__")
    return screenings.none() if where is None else screenings.filter(where)


def health_assessments_visible_to(user: User) -> QuerySet[HealthAssessment]:
    assessments = HealthAssessment.objects.all()
    if not is_active_staff(user):
        return assessments.none()
    where = _health_q(user, "visit__")
    return assessments.none() if where is None else assessments.filter(where)


def schedules_visible_to(user: User) -> QuerySet[HomeVisitSchedule]:
    district_id = user_district_id(user)
    if not is_active_staff(user) or district_id is None:
        return HomeVisitSchedule.objects.none()
    return HomeVisitSchedule.objects.filter(district_id=district_id)


def can_edit_schedule(user: User, district: District) -> bool:
    return is_active_staff(user) and user.role in SCHEDULE_EDIT_ROLES and user.district_id == district.pk


def can_view_infant_list(user: User) -> bool:
    return (
        is_active_staff(user)
        and user.role in {Role.INFANT_NURSE, *OVERSIGHT_ROLES}
        and _dong_id(user) is not None
    )
