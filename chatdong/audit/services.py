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
from chatdong.audit.access import can_review_audit
from chatdong.audit.models import AccessLog, AccessLogSubject, AuditChainHead, AuditReview
from chatdong.audit.selectors import day_start
from chatdong.core.errors import PermissionDenied, ValidationFailed
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
        AccessLogSubject.objects.bulk_create(
            AccessLogSubject(log=log, resident_id=resident_id) for resident_id in dict.fromkeys(subject_ids)
        )
        head.last_id = log.pk
        head.last_hash = log.hash
        head.save(update_fields=["last_id", "last_hash"])
    return log


@dataclass(frozen=True)
class ChainProblem:
    log_id: int
    reason: str


@dataclass
class ChainStats:
    checked: int = 0


def audit_chain_verify(*, batch_size: int = 5000, stats: ChainStats | None = None) -> Iterator[ChainProblem]:
    """Walk the whole chain in id order; yield every row whose link or contents do not check out,
    and a final problem if the head does not point at the last row (rows deleted from, or forged
    onto, the end). `stats.checked` counts the rows walked."""
    stats = stats if stats is not None else ChainStats()
    prev_hash = GENESIS
    last_id = 0
    anchors = dict(
        AuditReview.objects.filter(chain_head_id__gt=0).values_list("chain_head_id", "chain_head_hash")
    )
    queryset = AccessLog.objects.order_by("id")
    for log in queryset.iterator(chunk_size=batch_size):
        stats.checked += 1
        anchored = anchors.pop(log.pk, None)
        if anchored is not None and anchored != log.hash:
            yield ChainProblem(log.pk, "접속기록 점검 때 확인한 기록과 다릅니다")
        if log.prev_hash != prev_hash:
            yield ChainProblem(log.pk, "앞 기록과의 연결이 끊겼습니다(삭제 또는 변조)")
        expected = _row_digest(log.prev_hash, _canonical(log))
        if not hmac.compare_digest(expected, log.hash):
            yield ChainProblem(log.pk, "기록 내용이 변경되었습니다")
        prev_hash = log.hash
        last_id = log.pk
    for anchor_id in sorted(anchors):
        yield ChainProblem(anchor_id, "접속기록 점검 때 있던 기록이 사라졌습니다")
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        if last_id:
            yield ChainProblem(last_id, "체인 기준점이 없습니다(삭제됨)")
    elif last_id > head.last_id:
        yield ChainProblem(last_id, "체인 끝 뒤에 기록이 덧붙여졌습니다")
    elif head.last_id != last_id or head.last_hash != prev_hash:
        yield ChainProblem(head.last_id, "마지막 기록이 삭제되었습니다")


@dataclass(frozen=True)
class ChainReport:
    checked: int
    problems: list[ChainProblem]

    @property
    def intact(self) -> bool:
        return not self.problems


def audit_chain_check(*, batch_size: int = 5000, max_problems: int = 1000) -> ChainReport:
    """The whole walk as one result: rows checked and (the first max_problems of) what is wrong.
    A problem count of exactly max_problems may mean more were found."""
    stats = ChainStats()
    problems: list[ChainProblem] = []
    for problem in audit_chain_verify(batch_size=batch_size, stats=stats):
        if len(problems) < max_problems:
            problems.append(problem)
    return ChainReport(checked=stats.checked, problems=problems)


def audit_review_record(
    *, reviewer: User, period_from: dt.date, period_to: dt.date, findings: str
) -> AuditReview:
    """Record one periodic review of the access log, with the period's figures and a fresh chain check."""
    if not can_review_audit(reviewer):
        raise PermissionDenied("접속기록을 점검할 권한이 없습니다.")
    if period_from > period_to:
        raise ValidationFailed("점검 기간의 시작이 끝보다 늦습니다.")
    # An aware [start, end) range in Asia/Seoul, so the index on `at` serves it.
    in_period = AccessLog.objects.filter(at__gte=day_start(period_from), at__lt=day_start(period_to, days=1))
    head = AuditChainHead.objects.filter(pk=1).first()
    report = audit_chain_check(max_problems=1)
    return AuditReview.objects.create(
        chain_head_id=head.last_id if head else 0,
        chain_head_hash=head.last_hash if head else "",
        reviewer=reviewer,
        period_from=period_from,
        period_to=period_to,
        entries_in_period=in_period.count(),
        downloads_in_period=in_period.filter(action=AccessLog.Action.DOWNLOAD).count(),
        chain_intact=report.intact,
        findings=findings.strip(),
    )
