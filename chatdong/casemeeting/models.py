"""The monthly public-private integrated case meeting (월 1회 민·관 통합사례회의) of a 동: who attends, which
cases are on the agenda, what was said and decided. Decisions change cases only through cases.services,
all of a meeting's decisions at once when the minutes are recorded."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from chatdong.accounts.models import Agency, District, Dong
from chatdong.cases.models import Case, CaseType, ClosureReason
from chatdong.core.models import TimeStampedModel


class Meeting(TimeStampedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", "예정"
        HELD = "held", "개최(결정 반영)"
        CLOSED = "closed", "마감"

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="case_meetings")
    dong = models.ForeignKey(Dong, on_delete=models.PROTECT, related_name="case_meetings")
    held_on = models.DateField("회의일")
    starts_at = models.TimeField("시작 시각", null=True, blank=True)
    place = models.CharField("장소", max_length=100, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="회의 주재",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField("상태", max_length=10, choices=Status.choices, default=Status.PLANNED)
    summary = models.TextField("회의 총평", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    minutes_recorded_at = models.DateTimeField("회의록 기록 일시", null=True, blank=True)
    minutes_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField("마감 일시", null=True, blank=True)

    class Meta:
        verbose_name = "통합사례회의"
        ordering = ["-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["dong", "held_on"], name="casemeeting_one_per_dong_day"),
        ]
        indexes = [models.Index(fields=["dong", "held_on"], name="casemeeting_dong_day")]

    def __str__(self) -> str:
        return f"{self.dong.name} 통합사례회의 {self.held_on:%Y-%m-%d}"

    @property
    def editable(self) -> bool:
        """Agenda, attendees and decisions change only before the minutes are recorded."""
        return self.status == self.Status.PLANNED


class Attendee(models.Model):
    """참석자: public (a 동 staff account) or private (an agency's case worker, or an outside expert
    named in free text with their organisation)."""

    class Side(models.TextChoices):
        PUBLIC = "public", "공공"
        PRIVATE = "private", "민간"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    side = models.CharField("구분", max_length=10, choices=Side.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField("이름", max_length=40)
    organisation = models.CharField("소속", max_length=80, blank=True)
    title = models.CharField("직위·역할", max_length=40, blank=True)

    class Meta:
        verbose_name = "참석자"
        ordering = ["side", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"], condition=Q(user__isnull=False), name="casemeeting_attendee_once"
            ),
            models.CheckConstraint(
                name="casemeeting_public_has_user",
                condition=Q(side="private") | Q(user__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})" if self.organisation else self.name


class AgendaItem(models.Model):
    """One case on the agenda: why it is there, what was discussed."""

    class Origin(models.TextChoices):
        SUGGESTED = "suggested", "결정 필요 사례"
        MANUAL = "manual", "직접 추가"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="meeting_items")
    position = models.PositiveSmallIntegerField("순서", default=0)
    origin = models.CharField("안건 경로", max_length=10, choices=Origin.choices)
    reason = models.CharField("안건 사유", max_length=200, blank=True)
    # The case's step when it was put on the agenda, then when the minutes were recorded (before the
    # decisions moved it on): the minutes show where the case stood at the meeting.
    step_at_meeting = models.CharField("회의 당시 단계", max_length=20, choices=Case.Step.choices, blank=True)
    discussion = models.TextField("논의 내용", blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "안건"
        ordering = ["meeting", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], name="casemeeting_case_once"),
        ]

    def __str__(self) -> str:
        return f"안건 {self.position} (사례 {self.case_id})"


class Decision(models.Model):
    """결정: one of the four kinds the meeting decides. Applied to the case (through cases.services) when
    the minutes are recorded; `applied_at` says it was."""

    class Kind(models.TextChoices):
        CLASSIFY = "classify", "대상자 구분·주사례관리 기관"
        PLAN_APPROVE = "plan_approve", "서비스 제공계획 승인"
        CLOSE = "close", "종결"

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField("결정 종류", max_length=20, choices=Kind.choices)
    case_type = models.CharField("대상자 구분", max_length=12, choices=CaseType.choices, blank=True)
    lead_agency = models.ForeignKey(
        Agency,
        verbose_name="주사례관리 기관",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    co_agencies = models.ManyToManyField(Agency, verbose_name="협력 기관", blank=True, related_name="+")
    plan = models.ForeignKey(
        "cases.ServicePlan",
        verbose_name="승인할 서비스 제공계획",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    close_reason = models.CharField("종결 사유", max_length=20, choices=ClosureReason.choices, blank=True)
    follow_up_on = models.DateField("사후관리 확인일", null=True, blank=True)
    note = models.CharField("결정 메모", max_length=300, blank=True)
    applied_at = models.DateTimeField("반영 일시", null=True, blank=True)

    class Meta:
        verbose_name = "결정"
        ordering = ["item", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "kind"], name="casemeeting_decision_once"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()
