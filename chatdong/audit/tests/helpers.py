"""Writing access-log entries at chosen moments, through the one write path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from unittest import mock

from django.test import RequestFactory

from chatdong.accounts.models import User
from chatdong.audit.models import AccessLog
from chatdong.audit.services import access_log_record

SEOUL = dt.timezone(dt.timedelta(hours=9))


def log_entry(
    user: User | None,
    *,
    action: str = AccessLog.Action.VIEW,
    object_type: str = "resident",
    object_id: str | int = "",
    subjects: Iterable[int] = (),
    reason: str = "",
    at: dt.datetime | None = None,
    ip: str = "10.1.2.3",
) -> AccessLog:
    request = RequestFactory().get("/", REMOTE_ADDR=ip)
    if at is None:
        return access_log_record(
            user=user,
            request=request,
            action=action,
            object_type=object_type,
            object_id=object_id,
            subjects=subjects,
            reason=reason,
        )
    with mock.patch("chatdong.audit.services.timezone.now", return_value=at):
        return access_log_record(
            user=user,
            request=request,
            action=action,
            object_type=object_type,
            object_id=object_id,
            subjects=subjects,
            reason=reason,
        )
