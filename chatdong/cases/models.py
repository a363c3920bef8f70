"""Case management (동중심 사례관리): one shared public-private register of cases and their chain."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from chatdong.accounts.models import Agency, District, Dong
from chatdong.core.models import TimeStampedModel


class Case(TimeStampedModel):
    """A case on the 동's shared register. Its step follows the public case-management chain
    (DOMAIN.md §2); every step change goes through cases.services."""

    class Step(models.TextChoices):
        DISCOVERED = "discovered", "발굴"
        INITIAL_CONSULT = "initial_consult", "초기상담"
        INTAKE = "intake", "접수"
        ASSESSMENT = "assessment", "욕구 및 위기도 조사"
        MEETING = "meeting", "사례회의"
        CLASSIFIED = "classified", "대상자 구분·선정"
        PLANNING = "planning", "서비스 제공계획"
        SERVICE = "service", "서비스 제공 및 점검"
        LINKAGE = "linkage", "서비스 연계"
        CLOSED = "closed", "종결"
        FOLLOW_UP = "follow_up", "사후관리"
        ENDED = "ended", "관리 끝"

    class Source(models.TextChoices):
        DESK = "desk", "복지상담"
        VISIT = "visit", "가정방문"
        STAFF = "staff", "직원 발굴"
        AGENCY = "agency", "민간기관"

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="cases")
    dong = models.ForeignKey(Dong, on_delete=models.PROTECT, related_name="cases")
    resident = models.ForeignKey(
        "registry.Resident", on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    summary = models.TextField("발굴 내용")
    source = models.CharField("발굴 경로", max_length=10, choices=Source.choices)
    source_id = models.PositiveBigIntegerField("발굴 경로 번호", null=True, blank=True)
    step = models.CharField("단계", max_length=20, choices=Step.choices, default=Step.DISCOVERED)
    step_since = models.DateField("현 단계 시작일")
    opened_on = models.DateField("발굴일")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="발굴자", on_delete=models.PROTECT, related_name="cases_opened"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="담당 사례관리자",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_assigned",
    )
    lead_agency = models.ForeignKey(
        Agency,
        verbose_name="주사례관리 기관",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "사례"
        ordering = ["-opened_on", "-id"]
        indexes = [
            models.Index(fields=["dong", "step"], name="case_dong_step"),
            models.Index(fields=["worker", "step"], name="case_worker_step"),
            models.Index(fields=["source", "source_id"], name="case_source"),
        ]

    def __str__(self) -> str:
        return f"사례 {self.pk} ({self.get_step_display()})"
