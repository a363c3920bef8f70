"""Who may open, see and work on cases. Default deny.

- 동 case roles (every 동 role but the front desk) see their own 동's cases; a zone-scoped officer only
  the cases of her zone and those she opened or works on.
- 구 사업담당 (DISTRICT_STAFF) sees every case of the district (read and export, no casework).
- A private-agency case worker sees and works on a case only while (a) her agency takes part in it
  (lead or co-agency, CaseAgency) and (b) a consent to share (정보제공동의) that names her agency is in
  force (given, not withdrawn). Withdrawing the consent removes the case from her scope at once (404).
  The consent's scope (basic / assessment / plan / services) limits which parts she sees and writes.
- Nobody else sees cases."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from chatdong.accounts.access import DONG_ROLES, is_active_staff
from chatdong.accounts.models import Agency, Dong, Role, Scope, User
from chatdong.cases.models import Case, CaseAgency, Consent, ShareScope
from chatdong.core.time import today

# 동 roles that do case management or find cases (the desk, planners, nurses, supervisors, 동장/팀장).
CASE_OPEN_ROLES = frozenset(DONG_ROLES - {Role.FRONT_DESK})
# 동 roles that work on cases (see, advance, record): the same set.
CASE_ROLES = CASE_OPEN_ROLES
# Who records the decisions of 대상자 구분·선정 and plan approval (the case meeting's chair and secretary,
# the supervisor): 동장, 팀장, 복지수퍼바이저 and the poverty-crisis planner who runs case management.
DECISION_ROLES = frozenset({Role.DONG_HEAD, Role.TEAM_LEADER, Role.SUPERVISOR, Role.PLANNER_POVERTY})
# 복지수퍼바이저 is the welfare team leader or a senior welfare officer (seed V-2).
SUPERVISION_ROLES = frozenset({Role.SUPERVISOR, Role.TEAM_LEADER})
DISTRICT_CASE_ROLES = frozenset({Role.DISTRICT_STAFF})
ALL_SCOPES = frozenset(ShareScope.values)


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


def is_dong_case_worker(user: User) -> bool:
    return (
        is_active_staff(user)
        and user.role in CASE_ROLES
        and user.scope in (Scope.DONG, Scope.ZONE)
        and user.dong_id is not None
    )


def is_agency_worker(user: User) -> bool:
    return is_active_staff(user) and user.role == Role.AGENCY_WORKER and user.agency_id is not None


def can_use_cases(user: User) -> bool:
    """Whether the case pages exist for the user at all (403 otherwise)."""
    return (
        is_dong_case_worker(user)
        or is_agency_worker(user)
        or (is_active_staff(user) and user.role in DISTRICT_CASE_ROLES and user.district_id is not None)
    )


def valid_consents(agency_id: int) -> QuerySet[Consent]:
    """Consents in force today that name the agency."""
    return Consent.objects.filter(agencies=agency_id, withdrawn_on__isnull=True, given_on__lte=today())


def cases_visible_to(user: User) -> QuerySet[Case]:
    """The one place that scopes case queries."""
    cases = Case.objects.all()
    if not is_active_staff(user):
        return cases.none()
    if user.role in DISTRICT_CASE_ROLES and user.scope == Scope.DISTRICT and user.district_id is not None:
        return cases.filter(district_id=user.district_id)
    if is_dong_case_worker(user):
        in_dong = cases.filter(dong=user.dong)
        if user.scope == Scope.ZONE:
            return in_dong.filter(
                Q(household__ban__zone__officer=user)
                | Q(resident__ban__zone__officer=user)
                | Q(opened_by=user)
                | Q(worker=user)
            )
        return in_dong
    if is_agency_worker(user):
        assert user.agency_id is not None
        shared = CaseAgency.objects.filter(case=OuterRef("pk"), agency_id=user.agency_id)
        consented = valid_consents(user.agency_id).filter(case=OuterRef("pk"))
        return cases.filter(Exists(shared), Exists(consented))
    return cases.none()


def share_scopes(user: User, case: Case) -> frozenset[str]:
    """Which parts of a visible case the user may see and write: everything for 동 and 구 staff; for an
    agency worker, the union of the scopes of the consents in force that name her agency."""
    if not is_agency_worker(user):
        return ALL_SCOPES
    assert user.agency_id is not None
    scopes: set[str] = {ShareScope.BASIC}
    for scope in valid_consents(user.agency_id).filter(case=case).values_list("scope", flat=True):
        scopes.update(s for s in scope if s in ALL_SCOPES)
    return frozenset(scopes)


def can_work_on(user: User, case: Case, scope: str = ShareScope.BASIC) -> bool:
    """Record on a visible case (notes, checks, assessment, plan drafts, linkages)."""
    if is_dong_case_worker(user):
        return case.dong_id == user.dong_id
    if is_agency_worker(user):
        return scope in share_scopes(user, case)
    return False


def is_lead_agency_worker(user: User, case: Case) -> bool:
    return (
        is_agency_worker(user)
        and CaseAgency.objects.filter(case=case, agency=user.agency, role=CaseAgency.Role.LEAD).exists()
    )


def can_advance(user: User, case: Case) -> bool:
    """Move the case along the chain or close it: 동 case workers; the lead agency's workers."""
    if is_dong_case_worker(user):
        return case.dong_id == user.dong_id
    return is_lead_agency_worker(user, case)


def can_decide(user: User, case: Case) -> bool:
    """대상자 구분·선정, plan approval, agencies, worker."""
    return is_dong_case_worker(user) and user.role in DECISION_ROLES and case.dong_id == user.dong_id


def can_supervise(user: User, case: Case) -> bool:
    return is_dong_case_worker(user) and user.role in SUPERVISION_ROLES and case.dong_id == user.dong_id


def can_record_consent(user: User, case: Case) -> bool:
    return is_dong_case_worker(user) and case.dong_id == user.dong_id


def can_withdraw_consent(user: User, case: Case) -> bool:
    """The 동, or an agency the resident told (the withdrawal takes effect for every agency named)."""
    return can_record_consent(user, case) or is_agency_worker(user)


def can_view_supervisor_queue(user: User) -> bool:
    return is_dong_case_worker(user) and user.role in SUPERVISION_ROLES


def export_dongs(user: User) -> QuerySet[Dong]:
    """The 동 whose service linkages the user may download for 행복e음 entry."""
    if not is_active_staff(user):
        return Dong.objects.none()
    if user.role in DISTRICT_CASE_ROLES and user.scope == Scope.DISTRICT and user.district_id is not None:
        return Dong.objects.filter(district_id=user.district_id)
    if is_dong_case_worker(user) and user.scope == Scope.DONG:
        return Dong.objects.filter(pk=user.dong.pk) if user.dong else Dong.objects.none()
    return Dong.objects.none()


def agencies_for_cases(user: User) -> QuerySet[Agency]:
    """Agencies a case can be shared with: those of the case's district."""
    from chatdong.accounts.access import agencies_visible_to

    return agencies_visible_to(user)
