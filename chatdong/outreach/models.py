"""Target programs as data, and the target lists they produce (who the program must visit, and why)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from chatdong.accounts.models import District, Dong
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

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="targets")
    period_start = models.DateField("대상 기간 시작")
    period_end = models.DateField("대상 기간 끝")
    dong = models.ForeignKey(Dong, on_delete=models.PROTECT, related_name="outreach_targets")
    resident = models.ForeignKey(
        "registry.Resident", on_delete=models.PROTECT, null=True, blank=True, related_name="outreach_targets"
    )
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="outreach_targets"
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
    )
    co_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="동행 담당자",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outreach_co_targets",
    )

    class Meta:
        verbose_name = "방문 대상"
        constraints = [
            models.UniqueConstraint(
                fields=["program", "period_start", "resident"],
                condition=models.Q(resident__isnull=False),
                name="target_unique_resident",
            ),
            models.UniqueConstraint(
                fields=["program", "period_start", "household"],
                condition=models.Q(resident__isnull=True, household__isnull=False),
                name="target_unique_household",
            ),
            models.CheckConstraint(
                condition=models.Q(resident__isnull=False) | models.Q(household__isnull=False),
                name="target_has_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["program", "period_start", "dong", "status"], name="target_program_dong"),
            models.Index(fields=["assignee", "status"], name="target_assignee_status"),
        ]

    def __str__(self) -> str:
        return f"{self.program.name} {self.reason}"
