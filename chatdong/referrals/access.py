"""Who may send, see and answer referrals, use the counseling desk and keep the agency directory.
Default deny; querysets are filtered to the user's scope, so records outside it answer 404."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from chatdong.accounts.access import DONG_ROLES, is_active_staff, user_district_id
from chatdong.accounts.models import Agency, Dong, Role, Scope, User
from chatdong.referrals.models import DeskConsultation, Referral

# Who is told about overdue and ping-ponged referrals of a 동 and sees its 의뢰 점검 queue.
SUPERVISOR_ROLES = frozenset({Role.SUPERVISOR, Role.TEAM_LEADER, Role.DONG_HEAD})
# Who keeps the agency directory (기관 안내).
DIRECTORY_EDITOR_ROLES = frozenset({Role.DONG_HEAD, Role.TEAM_LEADER, Role.DISTRICT_STAFF, Role.ADMIN})


def is_agency_sender(user: User) -> bool:
    """A private-agency case worker, who may send 민간기관 발굴 의뢰 (and nothing else)."""
    return is_active_staff(user) and user.role == Role.AGENCY_WORKER and user.agency is not None


def can_send_agency_finding(user: User, dong: Dong | None = None) -> bool:
    """An agency worker sends what the agency found to a 동 of the agency's district (any 동 when `dong`
    is None: whether the page exists for the user)."""
    if not is_agency_sender(user):
        return False
    assert user.agency is not None
    return dong is None or user.agency.district_id == dong.district_id


def can_send_referral(user: User, dong: Dong, *, source: str | None = None) -> bool:
    """동 staff send referrals from their own 동; district program staff from any 동 of the district; an
    agency worker only a 민간기관 발굴 의뢰 (source AGENCY), to a 동 of the agency's district. Only an agency
    worker sends that kind."""
    if source == Referral.Source.AGENCY or is_agency_sender(user):
        return source == Referral.Source.AGENCY and can_send_agency_finding(user, dong)
    if not is_active_staff(user):
        return False
    if user.role in DONG_ROLES and user.scope in (Scope.DONG, Scope.ZONE):
        return user.dong_id == dong.pk
    return user.role == Role.DISTRICT_STAFF and user.district_id == dong.district_id


def _receiver_q(user: User) -> Q:
    """The referrals this user answers: addressed to them, to their agency, or (의약과) to the health
    department of their district."""
    q = Q(to_kind=Referral.To.STAFF, to_user_id=user.pk)
    if user.role == Role.AGENCY_WORKER and user.agency_id is not None:
        q |= Q(to_kind=Referral.To.AGENCY, to_agency_id=user.agency_id)
    if user.role == Role.HEALTH_MEDICAL and user.district_id is not None:
        q |= Q(to_kind=Referral.To.HEALTH, district_id=user.district_id)
    return q


def referrals_received_by(user: User) -> QuerySet[Referral]:
    """The user's inbox (every state; the views filter open ones)."""
    if not is_active_staff(user):
        return Referral.objects.none()
    return Referral.objects.filter(_receiver_q(user))


def referrals_visible_to(user: User) -> QuerySet[Referral]:
    """A 동 sees its own referrals (zone-scoped staff: the ones they sent or received), district program
    staff the district's, an agency only those sent to it, 의약과 only health referrals of its district."""
    if not is_active_staff(user):
        return Referral.objects.none()
    q = _receiver_q(user) | Q(sender_id=user.pk)
    if user.role in DONG_ROLES and user.scope == Scope.DONG and user.dong_id is not None:
        q |= Q(dong_id=user.dong_id)
    if user.role == Role.DISTRICT_STAFF and user.district_id is not None:
        q |= Q(district_id=user.district_id)
    return Referral.objects.filter(q)


def is_receiver(user: User, referral: Referral) -> bool:
    if not is_active_staff(user):
        return False
    if referral.to_kind == Referral.To.STAFF:
        return referral.to_user_id == user.pk
    if referral.to_kind == Referral.To.AGENCY:
        return user.role == Role.AGENCY_WORKER and user.agency_id == referral.to_agency_id
    return user.role == Role.HEALTH_MEDICAL and user.district_id == referral.district_id


def receivers_of(referral: Referral) -> QuerySet[User]:
    """Everyone who may answer the referral (they are notified when it arrives)."""
    active = User.objects.filter(is_active=True)
    if referral.to_kind == Referral.To.STAFF and referral.to_user_id is not None:
        return active.filter(pk=referral.to_user_id)
    if referral.to_kind == Referral.To.AGENCY and referral.to_agency_id is not None:
        return active.filter(role=Role.AGENCY_WORKER, agency_id=referral.to_agency_id)
    if referral.to_kind != Referral.To.HEALTH:
        return User.objects.none()
    return active.filter(role=Role.HEALTH_MEDICAL, district_id=referral.district_id)


def can_reroute(user: User, referral: Referral) -> bool:
    """A returned referral goes back to its sender's 동: the sender (or a colleague who may send from the
    동) sends it on to another receiver. An agency never picks receivers: when its 발굴 의뢰 comes back it
    sends a new one (the 동 may still send the returned one on)."""
    if is_agency_sender(user):
        return False
    return referral.sender_id == user.pk or can_send_referral(user, referral.dong)


def can_open_case_from(user: User, referral: Referral) -> bool:
    """The receiver of an open 민간기관 발굴 의뢰 registers the person as a case (사례로 등록); the case
    service decides the rest (a 동 case role of the referral's 동)."""
    return (
        referral.source == Referral.Source.AGENCY
        and referral.status in (Referral.Status.SENT, Referral.Status.ACCEPTED)
        and can_see_person(user)
        and is_receiver(user, referral)
    )


def can_see_person(user: User) -> bool:
    """Whether links into the registry are shown (agency workers and 의약과 get only what the referral
    carries: name, contact, need)."""
    return is_active_staff(user) and user.role in DONG_ROLES | {Role.DISTRICT_STAFF}


def supervisors_of(dong: Dong) -> QuerySet[User]:
    return User.objects.filter(is_active=True, dong=dong, role__in=SUPERVISOR_ROLES)


def can_view_supervisor_queue(user: User) -> bool:
    return is_active_staff(user) and user.role in SUPERVISOR_ROLES and user.dong_id is not None


# --- counseling desk --------------------------------------------------------------------------------


def can_use_desk(user: User) -> bool:
    """복지상담전문관 and the other 동 staff take walk-ins at their own 동."""
    return is_active_staff(user) and user.role in DONG_ROLES and user.dong_id is not None


def consultations_visible_to(user: User) -> QuerySet[DeskConsultation]:
    if not is_active_staff(user):
        return DeskConsultation.objects.none()
    if user.role in DONG_ROLES and user.dong_id is not None:
        if user.scope == Scope.DONG:
            return DeskConsultation.objects.filter(dong_id=user.dong_id)
        return DeskConsultation.objects.filter(dong_id=user.dong_id, counselor_id=user.pk)
    if user.role == Role.DISTRICT_STAFF and user.district_id is not None:
        return DeskConsultation.objects.filter(district_id=user.district_id)
    return DeskConsultation.objects.none()


# --- agency directory ------------------------------------------------------------------------------


def agencies_in_directory(user: User) -> QuerySet[Agency]:
    """Agencies are not personal data: every active account of the district sees its directory."""
    district_id = user_district_id(user)
    if not is_active_staff(user) or district_id is None:
        return Agency.objects.none()
    return Agency.objects.filter(district_id=district_id)


def can_edit_directory(user: User) -> bool:
    return (
        is_active_staff(user) and user.role in DIRECTORY_EDITOR_ROLES and user_district_id(user) is not None
    )
