"""Telling staff that something needs them. One write path: notification_send; reading is per user.

Notifications carry no personal data beyond what the link opens (the page behind the link does its own
access check and logging), so the text names the kind of event and a case/visit number, not a person."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from chatdong.accounts.models import User
from chatdong.core.models import Notification


def notification_send(
    *, users: Iterable[User], kind: str, text: str, dedupe_key: str, url: str = "", urgent: bool = False
) -> int:
    """Notify each active user once per dedupe_key; returns how many new notifications were written.
    Safe to call again for the same event (a unique constraint, not a check, keeps it single)."""
    written = 0
    for user in {u.pk: u for u in users if u is not None and u.is_active}.values():
        try:
            with transaction.atomic():
                Notification.objects.create(
                    user=user, kind=kind, text=text[:300], url=url, urgent=urgent, dedupe_key=dedupe_key[:120]
                )
            written += 1
        except IntegrityError:
            continue
    return written


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all of them when ids is None)."""
    queryset = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())
