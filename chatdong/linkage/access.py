"""Who may run the live check, upload client lists and review candidate pairs. Default deny."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from chatdong.accounts.access import can_view_personal_data, is_active_staff
from chatdong.accounts.models import Role, Scope, User
from chatdong.cases.access import CASE_OPEN_ROLES
from chatdong.linkage.models import CandidatePair, ClientList
from chatdong.registry.access import residents_visible_to

# 동/district staff who do case management review the pairs of their scope.
STAFF_REVIEW_ROLES = frozenset(CASE_OPEN_ROLES | {Role.DISTRICT_STAFF})


def can_live_check(user: User) -> bool:
    return can_view_personal_data(user)


def _is_agency_worker(user: User) -> bool:
    return (
        is_active_staff(user)
        and user.role == Role.AGENCY_WORKER
        and user.scope == Scope.AGENCY
        and user.agency_id is not None
    )


def _is_staff_reviewer(user: User) -> bool:
    return can_view_personal_data(user) and user.role in STAFF_REVIEW_ROLES


def can_upload(user: User) -> bool:
    return _is_agency_worker(user) or _is_staff_reviewer(user)


def client_lists_visible_to(user: User) -> QuerySet[ClientList]:
    """An agency worker: the agency's lists. Staff reviewers: the lists of their district that they
    uploaded or that have pairs with residents of their scope."""
    if _is_agency_worker(user) and user.agency_id is not None:
        return ClientList.objects.filter(agency_id=user.agency_id)
    if not _is_staff_reviewer(user):
        return ClientList.objects.none()
    in_scope = CandidatePair.objects.filter(resident__in=residents_visible_to(user)).values("client_list_id")
    return ClientList.objects.filter(Q(uploaded_by=user) | Q(pk__in=in_scope)).distinct()


def pairs_visible_to(user: User) -> QuerySet[CandidatePair]:
    """An agency worker reviews every pair of the agency's lists; staff the pairs whose resident is in
    their scope."""
    if _is_agency_worker(user) and user.agency_id is not None:
        return CandidatePair.objects.filter(client_list__agency_id=user.agency_id)
    if not _is_staff_reviewer(user):
        return CandidatePair.objects.none()
    return CandidatePair.objects.filter(resident__in=residents_visible_to(user))


def sees_resident_details(user: User) -> bool:
    """Agency workers review with masked resident data (they have no registry access)."""
    return can_view_personal_data(user)
