"""Reads of referrals, desk consultations and the agency directory, always scoped by referrals.access.
The overdue and ping-pong flags are computed here, from the rows and today's date, so that every page
is right without waiting for the cron command (which only sends the notifications)."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterable
from typing import Any

from django.db.models import BooleanField, Case, ExpressionWrapper, Q, QuerySet, Value, When
from django.http import HttpRequest

from chatdong.accounts.models import Agency, User
from chatdong.audit.models import AccessLog
from chatdong.audit.services import access_log_record
from chatdong.core.errors import NotFound, PermissionDenied
from chatdong.core.time import today
from chatdong.referrals import access
from chatdong.referrals.models import DeskConsultation, Referral
from chatdong.referrals.services import OPEN_STATUSES, bounce_limit

# Referrals that a bounce flag still concerns: not finished one way or the other.
UNSETTLED_STATUSES = (Referral.Status.SENT, Referral.Status.ACCEPTED, Referral.Status.RETURNED)


def overdue_q(day: dt.date) -> Q:
    """Open (sent or accepted) and past the due date, which is itself a business day."""
    return Q(status__in=OPEN_STATUSES, due_on__lt=day)


def pingpong_q() -> Q:
    return Q(status__in=UNSETTLED_STATUSES, bounce_count__gt=bounce_limit())


def with_flags(queryset: QuerySet[Referral], day: dt.date | None = None) -> QuerySet[Referral]:
    """Annotate is_overdue and is_pingpong (booleans) and load what the lists show."""
    day = today() if day is None else day
    return queryset.select_related("dong", "sender", "to_user", "to_agency").annotate(
        is_overdue=ExpressionWrapper(overdue_q(day), output_field=BooleanField()),
        is_pingpong=ExpressionWrapper(pingpong_q(), output_field=BooleanField()),
    )


def overdue_referrals(*, day: dt.date) -> QuerySet[Referral]:
    """Every overdue referral (unscoped: for the cron command only)."""
    return Referral.objects.filter(overdue_q(day)).order_by("due_on", "id")


def _log_list(user: User, request: HttpRequest | None, referrals: Iterable[Referral], what: str) -> None:
    residents = sorted({r.resident_id for r in referrals if r.resident_id})
    access_log_record(
        user=user,
        request=request,
        action=AccessLog.Action.VIEW,
        object_type="referral_list",
        object_id=what,
        subjects=residents,
    )


def inbox_queryset(*, user: User, open_only: bool = True) -> QuerySet[Referral]:
    """Referrals the user answers: urgent first, then new before accepted, then by due date."""
    queryset = access.referrals_received_by(user)
    if open_only:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    order = Case(When(status=Referral.Status.SENT, then=Value(0)), default=Value(1))
    return with_flags(queryset).order_by("-urgent", order, "due_on", "id")


def sent_queryset(*, user: User, status: str = "") -> QuerySet[Referral]:
    """Referrals the user sent, newest first, with their state and result (the closed loop)."""
    queryset = access.referrals_visible_to(user).filter(sender_id=user.pk)
    if status in Referral.Status.values:
        queryset = queryset.filter(status=status)
    return with_flags(queryset).order_by("-created_at", "-id")


def log_referral_list(
    *, user: User, request: HttpRequest | None, rows: list[Referral], what: str
) -> list[Referral]:
    """Record that these rows (names, needs) were shown; returns them."""
    _log_list(user, request, rows, what)
    return rows


def inbox(
    *, user: User, request: HttpRequest | None, open_only: bool = True, limit: int = 200
) -> list[Referral]:
    """The inbox page: the first `limit` rows, logged."""
    rows = list(inbox_queryset(user=user, open_only=open_only)[:limit])
    return log_referral_list(user=user, request=request, rows=rows, what="inbox")


def sent_list(
    *, user: User, request: HttpRequest | None, status: str = "", limit: int = 200
) -> list[Referral]:
    rows = list(sent_queryset(user=user, status=status)[:limit])
    return log_referral_list(user=user, request=request, rows=rows, what="sent")


def supervisor_queue(
    *, user: User, request: HttpRequest | None, day: dt.date | None = None
) -> list[Referral]:
    """The 동's overdue and ping-ponged referrals (의뢰 점검)."""
    if not access.can_view_supervisor_queue(user):
        raise PermissionDenied("의뢰 점검은 동장·팀장·복지수퍼바이저가 봅니다.")
    day = today() if day is None else day
    queryset = Referral.objects.filter(dong=user.dong).filter(overdue_q(day) | pingpong_q())
    rows = list(with_flags(queryset, day).order_by("-urgent", "due_on", "id"))
    _log_list(user, request, rows, "supervisor_queue")
    return rows


def referral_get(*, user: User, request: HttpRequest | None, referral_id: int, log: bool = True) -> Referral:
    """One referral in the user's scope (404 otherwise), with flags; the view is logged."""
    try:
        referral = with_flags(access.referrals_visible_to(user)).get(pk=referral_id)
    except Referral.DoesNotExist as exc:
        raise NotFound("의뢰를 찾을 수 없습니다.") from exc
    if log:
        access_log_record(
            user=user,
            request=request,
            action=AccessLog.Action.VIEW,
            object_type="referral",
            object_id=referral.pk,
            subjects=[referral.resident_id] if referral.resident_id else [],
        )
    return referral


def screening_summary(*, user: User, referral: Referral, request: HttpRequest | None = None) -> Any:
    """The screening behind a health referral, from the visits app when it provides
    `screening_for_referral`; None while it does not (or when there is none / the user may not see it)."""
    if referral.to_kind != Referral.To.HEALTH:
        return None
    try:
        visit_selectors = importlib.import_module("chatdong.visits.selectors")
    except ImportError:
        return None
    provider = getattr(visit_selectors, "screening_for_referral", None)
    if provider is None:
        return None
    try:
        return provider(user=user, referral=referral, request=request)
    except (NotFound, PermissionDenied):
        return None


# --- desk ------------------------------------------------------------------------------------------


def consultation_get(*, user: User, request: HttpRequest | None, consultation_id: int) -> DeskConsultation:
    try:
        consultation = (
            access.consultations_visible_to(user)
            .select_related("dong", "counselor", "resident")
            .get(pk=consultation_id)
        )
    except DeskConsultation.DoesNotExist as exc:
        raise NotFound("상담 기록을 찾을 수 없습니다.") from exc
    access_log_record(
        user=user,
        request=request,
        action=AccessLog.Action.VIEW,
        object_type="desk_consultation",
        object_id=consultation.pk,
        subjects=[consultation.resident_id] if consultation.resident_id else [],
    )
    return consultation


def consultation_list(*, user: User, request: HttpRequest | None, limit: int = 50) -> list[DeskConsultation]:
    rows = list(
        access.consultations_visible_to(user)
        .select_related("counselor")
        .prefetch_related("needs")
        .order_by("-consulted_on", "-id")[:limit]
    )
    access_log_record(
        user=user,
        request=request,
        action=AccessLog.Action.VIEW,
        object_type="desk_consultation_list",
        subjects=sorted({c.resident_id for c in rows if c.resident_id}),
    )
    return rows


# --- agency directory ------------------------------------------------------------------------------


def agency_search(*, user: User, query: str = "", category: str = "", kind: str = "") -> list[Agency]:
    """The district's agencies by name/service text, need category (served) and kind. SQLite has no
    JSON containment, so the category filter runs on the (small) list in Python."""
    queryset = access.agencies_in_directory(user)
    query = query.strip()
    if query:
        queryset = queryset.filter(Q(name__icontains=query) | Q(services__icontains=query))
    if kind:
        queryset = queryset.filter(kind=kind)
    rows = list(queryset.order_by("name"))
    if category:
        rows = [a for a in rows if category in (a.need_categories or [])]
    return rows


def agency_get(*, user: User, agency_id: int) -> Agency:
    try:
        return access.agencies_in_directory(user).get(pk=agency_id)
    except Agency.DoesNotExist as exc:
        raise NotFound("기관을 찾을 수 없습니다.") from exc
