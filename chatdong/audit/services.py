"""Writing and verifying the access log. Every personal-data access goes through access_log_record."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from chatdong.accounts.models import User
from chatdong.audit.models import AccessLog, AuditChainHead, AuditReview
from chatdong.core.errors import ValidationFailed
from chatdong.core.keys import keyring
from chatdong.core.net import client_ip

GENESIS = "0" * 64
_CHAINED_FIELDS = (
    "at",
    "username",
    "ip",
    "action",
    "object_type",
    "object_id",
    "subjects",
    "reason",
    "detail",
)


def _row_digest(prev_hash: str, row: dict[str, Any]) -> str:
    payload = json.dumps(
        [prev_hash, *[row[f] for f in _CHAINED_FIELDS]],
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
        default=str,
    )
    return hmac.new(keyring().audit_key, payload.encode(), hashlib.sha256).hexdigest()


def _canonical(log: AccessLog) -> dict[str, Any]:
    return {
        "at": log.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "username": log.username,
        "ip": log.ip or "",
        "action": log.action,
        "object_type": log.object_type,
        "object_id": log.object_id,
        "subjects": [str(s) for s in log.subjects],
        "reason": log.reason,
        "detail": log.detail,
    }


def access_log_record(
    *,
    user: User | None,
    request: HttpRequest | None,
    action: str,
    object_type: str,
    object_id: str | int = "",
    subjects: Iterable[int] = (),
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AccessLog:
    """Append one entry to the access log, chained to the previous one."""
    if action == AccessLog.Action.DOWNLOAD and not reason.strip():
        raise ValidationFailed("개인정보를 내려받을 때는 사유를 적어야 합니다.")
    subject_ids = [int(s) for s in subjects]
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        log = AccessLog(
            at=timezone.now(),
            user=user,
            username=user.get_username() if user else "(system)",
            ip=client_ip(request),
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            subjects=subject_ids,
            subject_count=len(subject_ids),
            reason=reason.strip(),
            detail=detail or {},
            prev_hash=head.last_hash,
        )
        log.hash = _row_digest(head.last_hash, _canonical(log))
        log.save()
        head.last_id = log.pk
        head.last_hash = log.hash
        head.save(update_fields=["last_id", "last_hash"])
    return log


@dataclass(frozen=True)
class ChainProblem:
    log_id: int
    reason: str


def audit_chain_verify(*, batch_size: int = 5000) -> Iterator[ChainProblem]:
    """Walk the whole chain in id order; yield every row whose link or contents do not check out,
    and a final problem if the head does not point at the last row (rows deleted from the end)."""
    prev_hash = GENESIS
    last_id = 0
    queryset = AccessLog.objects.order_by("id")
    for log in queryset.iterator(chunk_size=batch_size):
        if log.prev_hash != prev_hash:
            yield ChainProblem(log.pk, "앞 기록과의 연결이 끊겼습니다(삭제 또는 변조)")
        expected = _row_digest(log.prev_hash, _canonical(log))
        if not hmac.compare_digest(expected, log.hash):
            yield ChainProblem(log.pk, "기록 내용이 변경되었습니다")
        prev_hash = log.hash
        last_id = log.pk
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_id != last_id or head.last_hash != prev_hash):
        yield ChainProblem(head.last_id, "마지막 기록이 삭제되었습니다")


def audit_review_record(*, reviewer: User, period_from: Any, period_to: Any, findings: str) -> AuditReview:
    if period_from > period_to:
        raise ValidationFailed("점검 기간의 시작이 끝보다 늦습니다.")
    in_period = AccessLog.objects.filter(at__date__gte=period_from, at__date__lte=period_to)
    problems = list(audit_chain_verify())
    return AuditReview.objects.create(
        reviewer=reviewer,
        period_from=period_from,
        period_to=period_to,
        entries_in_period=in_period.count(),
        downloads_in_period=in_period.filter(action=AccessLog.Action.DOWNLOAD).count(),
        chain_intact=not problems,
        findings=findings,
    )
