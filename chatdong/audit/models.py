"""개인정보 접속기록: every view, change, print and download of personal data, hash-chained."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AccessLog(models.Model):
    """One access to personal data. Rows are only ever appended (audit.services.access_log_record);
    each row's `hash` is an HMAC over the previous row's hash and its own fields, so any change or
    deletion breaks the chain that `chatdong audit-verify` walks. Kept at least 2 years."""

    class Action(models.TextChoices):
        VIEW = "view", "조회"
        SEARCH = "search", "검색"
        CREATE = "create", "입력"
        CHANGE = "change", "수정"
        DELETE = "delete", "삭제"
        PRINT = "print", "출력"
        DOWNLOAD = "download", "다운로드"
        IMPORT = "import", "일괄등록"

    at = models.DateTimeField("일시", db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    username = models.CharField("계정", max_length=150)
    ip = models.GenericIPAddressField("접속지", null=True)
    action = models.CharField("수행업무", max_length=10, choices=Action.choices)
    object_type = models.CharField("대상 종류", max_length=40)
    object_id = models.CharField("대상 ID", max_length=40, blank=True)
    subjects = models.JSONField("정보주체(주민 ID)", default=list)
    subject_count = models.PositiveIntegerField("정보주체 수", default=0)
    reason = models.CharField("사유", max_length=300, blank=True)
    detail = models.JSONField("내용", default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = "접속기록"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["user", "at"], name="accesslog_user_at"),
            models.Index(fields=["object_type", "object_id"], name="accesslog_object"),
            # The review screen's "downloads only" and action filters over a date range.
            models.Index(fields=["action", "at"], name="accesslog_action_at"),
        ]


class AccessLogSubject(models.Model):
    """정보주체 색인: one row per resident in an AccessLog entry's `subjects`, so that "who looked at
    this resident's data" is an indexed query on both databases. Derived from the chained `subjects`
    field and written in the same transaction; the chain itself stays the record of truth."""

    log = models.ForeignKey(AccessLog, on_delete=models.CASCADE, related_name="subject_rows")
    resident_id = models.BigIntegerField("주민 ID")

    class Meta:
        verbose_name = "접속기록 정보주체"
        indexes = [models.Index(fields=["resident_id", "log"], name="accesslog_subject_resident")]


class AuditChainHead(models.Model):
    """The single row that serialises appends: writers lock it, so the chain never forks."""

    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)


class AuditReview(models.Model):
    """접속기록 점검: a periodic review of the access log (at least monthly)."""

    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField("점검일시", auto_now_add=True)
    period_from = models.DateField("점검 기간 시작")
    period_to = models.DateField("점검 기간 끝")
    entries_in_period = models.PositiveIntegerField("기간 내 기록 수")
    downloads_in_period = models.PositiveIntegerField("기간 내 다운로드 수")
    chain_intact = models.BooleanField("위변조 검증 결과")
    # The chain's end as this review saw it: a later check proves that row is still there, unchanged,
    # so cutting rows off the end and rewriting AuditChainHead cannot hide what was reviewed.
    chain_head_id = models.BigIntegerField("점검 시점 마지막 기록 ID", default=0)
    chain_head_hash = models.CharField("점검 시점 마지막 기록 해시", max_length=64, blank=True)
    findings = models.TextField("점검 결과 및 조치", blank=True)

    class Meta:
        verbose_name = "접속기록 점검"
        ordering = ["-reviewed_at"]
