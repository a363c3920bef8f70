"""Target programs as data, and the target lists they produce (who the program must visit, and why)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, F
from django.db.models.functions import Coalesce

from chatdong.accounts.models import Ban, District, Dong
from chatdong.core.models import TimeStampedModel


class Program(TimeStampedModel):
    """One outreach program of a district (어르신 복지플래너, 어르신 방문간호, 우리아이, 영유아 건강간호,
    빈곤위기가정, 아동청소년) with its rule as data: ages, windows, flags and the roles that do the visits
    are edited per district, never in code."""

    class Kind(models.TextChoices):
        ELDER_PLANNER = "elder_planner", "어르신 복지플래너"
        ELDER_NURSE = "elder_nurse", "어르신 방문간호"
        CHILD = "child", "우리아이 복지플래너"
        INFANT_HEALTH = "infant_health", "영유아 건강간호"
        POVERTY = "poverty", "빈곤위기가정 복지플래너"
        YOUTH = "youth", "아동청소년 복지플래너"

    class Unit(models.TextChoices):
        PERSON = "person", "사람"
        HOUSEHOLD = "household", "세대"

    class Period(models.TextChoices):
        YEAR = "year", "연간"
        MONTH = "month", "월간"

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="programs")
    code = models.SlugField("코드", max_length=40)
    name = models.CharField("사업명", max_length=60)
    kind = models.CharField("유형", max_length=20, choices=Kind.choices)
    unit = models.CharField("대상 단위", max_length=10, choices=Unit.choices, default=Unit.PERSON)
    period = models.CharField("추출 주기", max_length=10, choices=Period.choices, default=Period.YEAR)
    # The rule, e.g. {"type": "turning_age", "ages": [65, 70]}; its schema is documented in docs/outreach.md.
    rule = models.JSONField("대상 규칙", default=dict)
    # Roles (accounts.Role values) whose staff do this program's visits.
    visit_roles = models.JSONField("방문 역할", default=list)
    active = models.BooleanField("운영", default=True)

    class Meta:
        verbose_name = "방문 사업"
        ordering = ["district", "code"]
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="program_unique_code")]

    def __str__(self) -> str:
        return self.name


class Target(TimeStampedModel):
    """One person (or household) on a program's target list for a period, with the reason in words
    ("1961년생, 2026년 만 65세 도래"). Stable: re-extraction updates, never duplicates."""

    class Status(models.TextChoices):
        OPEN = "open", "진행"
        DONE = "done", "완료"
        CANCELLED = "cancelled", "취소"

    class Source(models.TextChoices):
        RULE = "rule", "규칙 추출"
        LIST = "list", "명단 등록"
        STAFF = "staff", "직원 발굴"

    class Consent(models.TextChoices):
        UNKNOWN = "unknown", "미확인"
        GIVEN = "given", "동의"
        REFUSED = "refused", "거부"
        WITHDRAWN = "withdrawn", "동의 철회"

    # program, resident, household, assignee and co_assignee lead composite indexes (Meta), so no
    # single-column index: a district's list is inserted in bulk and every index costs
    # (bench/target_bench.py). dong has none either: a 동's own queries (its coverage, its part of a list)
    # read the list's rows, which sit together in the table (a list is inserted in one piece), and keep
    # those of the 동 (a few ms for a year of the district's targets; docs/coverage.md).
    #
    # No reference of Target carries a database FOREIGN KEY constraint (db_constraint=False; the
    # columns, indexes and Django relations are unchanged; docs/adr/0001). On PostgreSQL a foreign key is
    # a per-row trigger that looks up and locks the referenced row: for a district's list (tens of
    # thousands of rows in one INSERT … SELECT) the five registry triggers cost 2–3 times the insert
    # itself (EXPLAIN ANALYZE: ~37 µs a row against ~16 µs), and PostgreSQL has no set-based check. Even
    # a NULL assignee, co_assignee or pregnancy queues its trigger event for every inserted row (~20% of
    # the insert).
    # Integrity is kept instead by: rule targets are copied from the registry rows in the same statement
    # (the references exist by construction); the referenced rows are never deleted (residents and
    # households change status, users are deactivated; programs, 동, 반 and users are PROTECTed, which
    # Django enforces without the constraint, and ban and pregnancy are SET_NULL by Django); and
    # services.targets_integrity_check() lists any target
    # whose reference is missing (tested; run by `chatdong outreach_targets --check`).
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="targets", db_index=False, db_constraint=False
    )
    period_start = models.DateField("대상 기간 시작")
    period_end = models.DateField("대상 기간 끝")
    dong = models.ForeignKey(
        Dong, on_delete=models.PROTECT, related_name="outreach_targets", db_index=False, db_constraint=False
    )
    resident = models.ForeignKey(
        "registry.Resident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outreach_targets",
        db_index=False,
        db_constraint=False,
    )
    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outreach_targets",
        db_index=False,
        db_constraint=False,
    )
    reason = models.CharField("대상 사유", max_length=200)
    source = models.CharField("등록 경로", max_length=10, choices=Source.choices, default=Source.RULE)
    status = models.CharField("상태", max_length=10, choices=Status.choices, default=Status.OPEN)
    status_note = models.CharField("상태 변경 사유", max_length=200, blank=True)
    consent = models.CharField("방문 동의", max_length=10, choices=Consent.choices, default=Consent.UNKNOWN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="담당자",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outreach_targets",
        db_index=False,
        db_constraint=False,
    )
    co_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="동행 담당자",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outreach_co_targets",
        db_index=False,
        db_constraint=False,
    )
    # Added by the targets feature (stable names: visits and coverage read them).
    ban = models.ForeignKey(
        Ban,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outreach_targets",
        db_index=False,
        db_constraint=False,
    )
    due_on = models.DateField("방문 기한", null=True, blank=True)
    visits_planned = models.PositiveSmallIntegerField("연간 방문 계획(회)", default=1)
    consent_on = models.DateField("동의 기록일", null=True, blank=True)
    status_changed_on = models.DateField("상태 변경일", null=True, blank=True)
    # The registration this target comes from (영유아 건강간호: the 임산부 등록).
    pregnancy = models.ForeignKey(
        "outreach.PregnancyRegistration",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="targets",
        db_index=False,
        db_constraint=False,
    )
    # What the target's visits say, kept by the visits app in the transaction that records a visit
    # (visits.services.visit_record; bulk loads: visits.services.targets_visit_facts_refresh). Never
    # entered by anyone: they spare the coverage dashboard two look-ups into the visits per target
    # (docs/coverage.md), and services.targets_integrity_check() compares them with the visits.
    visit_made = models.BooleanField("방문 완료 있음", default=False, db_default=False, editable=False)
    visit_refused = models.BooleanField("방문 거부 있음", default=False, db_default=False, editable=False)

    # Consent states that keep a target out of the work lists (still counted).
    CONSENT_OUT = ("refused", "withdrawn")

    class Meta:
        verbose_name = "방문 대상"
        constraints = [
            # One index for the lists, and the only one a new list's rows go into besides the primary
            # key (each index was a fifth to a quarter of the cost of inserting a district's list:
            # bench/target_bench.py). Led by the list (program, period): it serves every query of one
            # list, and a new list's entries go into one new range of it. Its third column is the
            # target's subject: the resident (a person list), or minus the household (a household
            # target has no resident); ids are positive, so a person and a household never collide.
            # Unique: one target per person, and per household, in a list.
            models.UniqueConstraint(
                "program",
                "period_start",
                Coalesce(
                    "resident", ExpressionWrapper(-F("household"), output_field=models.BigIntegerField())
                ),
                name="target_unique_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(resident__isnull=False) | models.Q(household__isnull=False),
                name="target_has_subject",
            ),
        ]
        indexes = [
            # Partial: a new list is unassigned, so its rows cost these indexes nothing ("assignee = x"
            # implies NOT NULL, so both databases use them for a staff member's work).
            models.Index(
                fields=["assignee", "status"],
                name="target_assignee_status",
                condition=models.Q(assignee__isnull=False),
            ),
            models.Index(
                fields=["co_assignee", "status"],
                name="target_co_assignee_status",
                condition=models.Q(co_assignee__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program.name} {self.reason}"


class PregnancyRegistration(TimeStampedModel):
    """보건소 임산부 등록: the registry has no pregnancy data, so nurses enter registrations (or import a
    list); the 영유아 건강간호 rule selects from them."""

    resident = models.ForeignKey(
        "registry.Resident", on_delete=models.PROTECT, related_name="pregnancy_registrations"
    )
    dong = models.ForeignKey(Dong, on_delete=models.PROTECT, related_name="pregnancy_registrations")
    expected_delivery_on = models.DateField("출산 예정일", db_index=True)
    registered_on = models.DateField("등록일")
    delivered_on = models.DateField("출산일", null=True, blank=True)
    note = models.CharField("메모", max_length=200, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "임산부 등록"
        ordering = ["expected_delivery_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["resident", "expected_delivery_on"], name="pregnancy_unique_edd")
        ]

    def __str__(self) -> str:
        return f"임산부 등록 {self.pk} (출산 예정 {self.expected_delivery_on})"


class TargetRun(models.Model):
    """One extraction of a program's list, or one pass following the registry (after an import)."""

    class Kind(models.TextChoices):
        EXTRACT = "extract", "대상 추출"
        FOLLOW = "follow", "주민 변동 반영"
        LIST = "list", "명단 등록"

    kind = models.CharField("구분", max_length=10, choices=Kind.choices)
    at = models.DateTimeField("일시", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, null=True, blank=True, related_name="runs")
    period_start = models.DateField("대상 기간 시작", null=True, blank=True)
    batch = models.ForeignKey(
        "registry.ImportBatch", on_delete=models.PROTECT, null=True, blank=True, related_name="target_runs"
    )
    counts = models.JSONField(
        "결과", default=dict
    )  # {"added": n, "updated": n, "cancelled": n, "restored": n}

    class Meta:
        verbose_name = "대상 추출·반영"
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch"],
                condition=models.Q(kind="follow", batch__isnull=False),
                name="target_run_follow_batch",
            )
        ]


class TargetChange(models.Model):
    """What happened to a target after its list was made: added by a birth or move-in, cancelled by a
    move-out or death, restored on return, and so on; shown as "이번 반영으로 바뀐 대상"."""

    class Kind(models.TextChoices):
        ADDED = "added", "추가"
        CANCELLED = "cancelled", "취소"
        RESTORED = "restored", "복원"
        UPDATED = "updated", "변경"
        ASSIGNED = "assigned", "담당 지정"

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="changes")
    run = models.ForeignKey(
        TargetRun, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    at = models.DateTimeField("일시", auto_now_add=True)
    kind = models.CharField("구분", max_length=10, choices=Kind.choices)
    reason = models.CharField("사유", max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    visits_cancelled = models.PositiveIntegerField("취소된 예정 방문", default=0)

    class Meta:
        verbose_name = "방문 대상 변경 이력"
        ordering = ["-at", "-id"]


class TargetConsent(models.Model):
    """History of consent to visits; Target.consent holds the current state."""

    class Channel(models.TextChoices):
        BIRTH_REGISTRATION = "birth_registration", "출생신고 시"
        PHONE = "phone", "전화"
        VISIT = "visit", "방문"
        DESK = "desk", "동 주민센터 방문"
        WRITTEN = "written", "서면"
        OTHER = "other", "기타"

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="consents")
    state = models.CharField("동의 상태", max_length=10, choices=Target.Consent.choices)
    on = models.DateField("일자")
    channel = models.CharField("경로", max_length=20, choices=Channel.choices)
    note = models.CharField("메모", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "방문 동의 이력"
        ordering = ["-on", "-id"]


class MessageTemplate(TimeStampedModel):
    """사전안내 message text (data, editable per district). Placeholders: {이름} {방문예정일} {담당자} {연락처}
    {사업명} {동}."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="message_templates")
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, null=True, blank=True, related_name="templates"
    )
    code = models.SlugField("코드", max_length=40)
    name = models.CharField("이름", max_length=60)
    body = models.TextField("문안")
    active = models.BooleanField("사용", default=True)

    class Meta:
        verbose_name = "안내 문자 서식"
        ordering = ["district", "code"]
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="message_template_unique_code")
        ]

    def __str__(self) -> str:
        return self.name


class Notice(TimeStampedModel):
    """One advance notice (사전안내) to one target: idempotent per target + template + visit date."""

    class Status(models.TextChoices):
        QUEUED = "queued", "대기"
        SENDING = "sending", "발송 중"
        SENT = "sent", "발송"
        FAILED = "failed", "실패"

    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="notices")
    template = models.ForeignKey(MessageTemplate, on_delete=models.PROTECT, related_name="notices")
    visit_on = models.DateField("방문 예정일")
    dong = models.ForeignKey(Dong, on_delete=models.PROTECT, related_name="outreach_notices")
    phone = models.CharField("수신 번호", max_length=11)
    body = models.TextField("내용")
    status = models.CharField("상태", max_length=10, choices=Status.choices, default=Status.QUEUED)
    result = models.CharField("결과", max_length=200, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "사전안내"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["target", "template", "visit_on"], name="notice_unique_per_day")
        ]


class OutboxMessage(models.Model):
    """What the default SMS backend 'sent': a row staff can see on the outbox page (no outside call)."""

    notice = models.OneToOneField(
        Notice, on_delete=models.PROTECT, null=True, blank=True, related_name="outbox"
    )
    dong = models.ForeignKey(
        Dong, on_delete=models.PROTECT, null=True, blank=True, related_name="outbox_messages"
    )
    phone = models.CharField("수신 번호", max_length=11)
    body = models.TextField("내용")
    created_at = models.DateTimeField("기록 일시", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "발송함"
        ordering = ["-created_at", "-id"]
