"""Reads of the access log for its review screen: filtered, newest first, paged by id (keyset), so a
page costs the same on the first day and after two years of records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from chatdong.accounts.models import User
from chatdong.audit.access import can_review_audit
from chatdong.audit.models import AccessLog, AccessLogSubject, AuditReview
from chatdong.core.errors import PermissionDenied

# What an entry's object_type means, for the reviewer.
OBJECT_TYPE_LABELS = {
    "resident": "주민",
    "resident_rrn": "주민등록번호 전체",
    "household": "세대",
    "import_batch": "주민자료 일괄등록",
    "import_errors": "일괄등록 오류 목록",
}
SEARCH_KIND_LABELS = {"name": "이름", "phone": "전화번호", "address": "주소", "rrn": "주민등록번호"}
SUBJECTS_SHOWN = 5


def day_start(day: dt.date, *, days: int = 0) -> dt.datetime:
    """Midnight (Asia/Seoul) at the start of `day` + `days`, as an aware datetime."""
    moment = dt.datetime.combine(day + dt.timedelta(days=days), dt.time.min)
    return timezone.make_aware(moment, timezone.get_default_timezone())


@dataclass(frozen=True)
class LogFilter:
    account: str = ""
    action: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    resident_id: int | None = None
    object_type: str = ""
    object_id: str = ""
    with_reason: bool = False
    downloads_only: bool = False


@dataclass(frozen=True)
class LogRow:
    log: AccessLog
    object_label: str
    detail_text: str
    subjects_shown: list[int]
    subjects_more: int


@dataclass(frozen=True)
class LogPage:
    rows: list[LogRow]
    newer_than: int | None  # pass as `after` for the page of newer entries
    older_than: int | None  # pass as `before` for the page of older entries
    filters: LogFilter = field(default_factory=LogFilter)


def _filtered(filters: LogFilter) -> QuerySet[AccessLog]:
    qs = AccessLog.objects.all()
    if filters.account:
        account = User.objects.filter(username=filters.account).only("pk").first()
        # By user id where the account exists, to use the (user, at) index.
        qs = qs.filter(user_id=account.pk) if account else qs.filter(username=filters.account)
    if filters.downloads_only:
        qs = qs.filter(action=AccessLog.Action.DOWNLOAD)
    elif filters.action:
        qs = qs.filter(action=filters.action)
    if filters.date_from:
        qs = qs.filter(at__gte=day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(at__lt=day_start(filters.date_to, days=1))
    if filters.resident_id is not None:
        qs = qs.filter(
            Q(pk__in=AccessLogSubject.objects.filter(resident_id=filters.resident_id).values("log_id"))
        )
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    if filters.with_reason:
        qs = qs.exclude(reason="")
    return qs


def _row(log: AccessLog) -> LogRow:
    subjects = [int(s) for s in log.subjects]
    detail = log.detail if isinstance(log.detail, dict) else {}
    detail_text = ""
    if detail.get("kind"):
        kind = SEARCH_KIND_LABELS.get(str(detail["kind"]), str(detail["kind"]))
        detail_text = f"{kind} 검색: {detail.get('query', '')}".strip()
    return LogRow(
        log=log,
        object_label=OBJECT_TYPE_LABELS.get(log.object_type, log.object_type),
        detail_text=detail_text,
        subjects_shown=subjects[:SUBJECTS_SHOWN],
        subjects_more=max(0, len(subjects) - SUBJECTS_SHOWN),
    )


def access_log_page(
    *,
    user: User,
    filters: LogFilter,
    before: int | None = None,
    after: int | None = None,
    limit: int = 50,
) -> LogPage:
    """One page of the access log, newest first. `before`/`after` are entry ids from the previous page."""
    if not can_review_audit(user):
        raise PermissionDenied("접속기록을 점검할 권한이 없습니다.")
    qs = _filtered(filters).select_related("user")
    if after is not None:
        # Newer page: the `limit` entries just above `after`, then shown newest first.
        logs = list(qs.filter(pk__gt=after).order_by("id")[: limit + 1])
        has_newer = len(logs) > limit
        logs = list(reversed(logs[:limit]))
        has_older = True
    else:
        if before is not None:
            qs = qs.filter(pk__lt=before)
        logs = list(qs.order_by("-id")[: limit + 1])
        has_older = len(logs) > limit
        logs = logs[:limit]
        has_newer = before is not None
    if not logs:
        return LogPage(rows=[], newer_than=None, older_than=None, filters=filters)
    return LogPage(
        rows=[_row(log) for log in logs],
        newer_than=logs[0].pk if has_newer else None,
        older_than=logs[-1].pk if has_older else None,
        filters=filters,
    )


def audit_review_list(*, user: User) -> QuerySet[AuditReview]:
    if not can_review_audit(user):
        raise PermissionDenied("접속기록을 점검할 권한이 없습니다.")
    return AuditReview.objects.select_related("reviewer").order_by("-reviewed_at", "-id")
