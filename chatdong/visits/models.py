"""Home visits and what was recorded at them (checklists, health assessment, screenings)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from chatdong.accounts.models import Dong
from chatdong.core.models import TimeStampedModel


class Visit(TimeStampedModel):
    """One planned or made home visit for a target (one attempt: an absent household gets a new Visit
    with attempt + 1)."""

    class Outcome(models.TextChoices):
        PLANNED = "planned", "예정"
        VISITED = "visited", "방문 완료"
        ABSENT = "absent", "부재"
        REFUSED = "refused", "방문 거부"
        MOVED = "moved", "전출"
        DECEASED = "deceased", "사망"
        CANCELLED = "cancelled", "취소"

    target = models.ForeignKey("outreach.Target", on_delete=models.PROTECT, related_name="visits")
    dong = models.ForeignKey(Dong, on_delete=models.PROTECT, related_name="visits")
    resident = models.ForeignKey(
        "registry.Resident", on_delete=models.PROTECT, null=True, blank=True, related_name="visits"
    )
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="visits"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="방문자", on_delete=models.PROTECT, related_name="visits"
    )
    co_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="동행자",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="co_visits",
    )
    scheduled_on = models.DateField("방문 예정일", null=True, blank=True)
    due_on = models.DateField("방문 기한", null=True, blank=True)
    visited_at = models.DateTimeField("방문 일시", null=True, blank=True)
    outcome = models.CharField("결과", max_length=10, choices=Outcome.choices, default=Outcome.PLANNED)
    attempt = models.PositiveSmallIntegerField("시도 차수", default=1)
    notes = models.TextField("메모", blank=True)

    class Meta:
        verbose_name = "가정방문"
        indexes = [
            models.Index(fields=["staff", "scheduled_on"], name="visit_staff_day"),
            models.Index(fields=["dong", "outcome"], name="visit_dong_outcome"),
            models.Index(fields=["target", "outcome"], name="visit_target_outcome"),
        ]

    def __str__(self) -> str:
        return f"방문 {self.pk} ({self.get_outcome_display()})"
