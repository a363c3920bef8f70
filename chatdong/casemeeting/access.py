"""Who may see and run a 동's integrated case meeting. Default deny.

- 동 staff with case roles see and run their own 동's meetings;
- 구 사업담당 (district staff) see every meeting of the district (read only);
- a private agency's case worker sees the meetings she attended, and on them only the agenda items of
  cases shared with her agency (decided by cases.access, never here)."""

from __future__ import annotations

from django.db.models import QuerySet

from chatdong.accounts.access import is_active_staff
from chatdong.accounts.models import Dong, Role, Scope, User
from chatdong.casemeeting.models import AgendaItem, Attendee, Meeting
from chatdong.cases import access as cases_access

# 동 roles that take part in case management (the desk, planners, nurses, supervisors, 동장/팀장);
# the same set that may put a case on the register.
MEETING_ROLES = cases_access.CASE_ROLES
DISTRICT_VIEW_ROLES = frozenset({Role.DISTRICT_STAFF})


def _is_dong_case_staff(user: User) -> bool:
    return (
        is_active_staff(user)
        and user.role in MEETING_ROLES
        and user.scope in (Scope.DONG, Scope.ZONE)
        and user.dong_id is not None
    )


def can_run_meetings(user: User) -> bool:
    """Whether the user may open the new-meeting form at all (the 동 is checked again on save)."""
    return _is_dong_case_staff(user)


def can_run_meeting_in(user: User, dong: Dong) -> bool:
    return _is_dong_case_staff(user) and user.dong_id == dong.pk


def can_view_meetings(user: User) -> bool:
    if not is_active_staff(user):
        return False
    if _is_dong_case_staff(user):
        return True
    if user.role in DISTRICT_VIEW_ROLES and user.scope == Scope.DISTRICT and user.district_id is not None:
        return True
    return user.role == Role.AGENCY_WORKER and user.agency_id is not None


def meetings_visible_to(user: User) -> QuerySet[Meeting]:
    if not can_view_meetings(user):
        return Meeting.objects.none()
    if _is_dong_case_staff(user):
        return Meeting.objects.filter(dong_id=user.dong_id or 0)
    if user.role in DISTRICT_VIEW_ROLES:
        return Meeting.objects.filter(district_id=user.district_id or 0)
    # Agency worker: the meetings she attended, within her agency's district.
    assert user.agency is not None
    # (a subquery, not a join: counts of attendees over this queryset stay whole)
    attended = Attendee.objects.filter(user=user).values("meeting_id")
    return Meeting.objects.filter(pk__in=attended, district_id=user.agency.district_id)


def meetings_runnable_by(user: User) -> QuerySet[Meeting]:
    """Meetings whose agenda, attendees and decisions the user may change."""
    if not _is_dong_case_staff(user):
        return Meeting.objects.none()
    return Meeting.objects.filter(dong_id=user.dong_id or 0)


def items_visible_to(user: User, meeting: Meeting) -> QuerySet[AgendaItem]:
    """The agenda items of a meeting (already known to be visible) the user may read: those of the cases
    the cases app lets her see (an agency worker: only cases shared with her agency under a consent in
    force; a zone-scoped officer: her zone's cases)."""
    return AgendaItem.objects.filter(meeting=meeting, case__in=cases_access.cases_visible_to(user))


def dongs_for_new_meeting(user: User) -> QuerySet[Dong]:
    if not _is_dong_case_staff(user):
        return Dong.objects.none()
    return Dong.objects.filter(pk=user.dong_id or 0)
