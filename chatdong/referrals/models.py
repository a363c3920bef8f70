"""Referrals that close the loop: from the counseling desk, a visit or a case to a staff member, an
outside agency or the health department (보건소 의약과), and from a private agency to a 동 (민간기관 발굴
의뢰), each with a state, a due date in Korean business days and a result the receiver must report back."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from chatdong.accounts.models import Agency, District, Dong
from chatdong.core.models import TimeStampedModel
from chatdong.core.needs import NeedCategory


class Referral(TimeStampedModel):
    class Status(models.TextChoices):
        SENT = "sent", "의뢰"
        ACCEPTED = "accepted", "접수"
        DECLINED = "declined", "거절"
        DONE = "done", "처리 완료"
        RETURNED = "returned", "반송"

    class To(models.TextChoices):
        STAFF = "staff", "동 담당자"
        AGENCY = "agency", "외부 기관"
        HEALTH = "health", "보건소 의약과"

    class Source(models.TextChoices):
        DESK = "desk", "복지상담"
        VISIT = "visit", "가정방문"
        SCREENING = "screening", "마음건강 평가"
        CASE = "case", "사례관리"
        STAFF = "staff", "직원"
        AGENCY = "agency", "민간기관 발굴"

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="referrals")
    dong = models.ForeignKey(Dong, on_delete=models.PROTECT, related_name="referrals")
    resident = models.ForeignKey(
        "registry.Resident", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    need_category = models.CharField("욕구 영역", max_length=20, choices=NeedCategory.choices)
    summary = models.TextField("의뢰 내용")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="의뢰자",
        on_delete=models.PROTECT,
        related_name="referrals_sent",
    )
    to_kind = models.CharField("의뢰처 구분", max_length=10, choices=To.choices)
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="받는 담당자",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_received",
    )
    to_agency = models.ForeignKey(
        Agency,
        verbose_name="받는 기관",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    source = models.CharField("의뢰 경로", max_length=10, choices=Source.choices)
    source_id = models.PositiveBigIntegerField("의뢰 경로 번호", null=True, blank=True)
    status = models.CharField("상태", max_length=10, choices=Status.choices, default=Status.SENT)
    urgent = models.BooleanField("긴급", default=False)
    due_on = models.DateField("회신 기한")
    result = models.TextField("처리 결과", blank=True)
    responded_at = models.DateTimeField("회신 일시", null=True, blank=True)
    # How many times the referral was returned or passed on to another receiver (the seed's "ping-pong").
    bounce_count = models.PositiveSmallIntegerField("반송·재의뢰 횟수", default=0)
    # What an outside receiver may know of the person (name, contact, need), copied at sending so that an
    # agency never reads the registry; also the only identity of an unregistered walk-in.
    client_name = models.CharField("대상자 성명", max_length=40, blank=True)
    client_phone = models.CharField("대상자 연락처", max_length=20, blank=True)
    # What a private agency knows of the person it found (민간기관 발굴 의뢰): the 동 matches it against the
    # registry before it opens a case; the agency never sees the registry itself.
    client_birth_date = models.DateField("대상자 생년월일", null=True, blank=True)
    client_address = models.CharField("대상자 주소", max_length=200, blank=True)
    accepted_at = models.DateTimeField("접수 일시", null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="접수자",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "의뢰"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="referral_has_receiver",
                condition=(
                    models.Q(to_kind="staff", to_user__isnull=False)
                    | models.Q(to_kind="agency", to_agency__isnull=False)
                    | models.Q(to_kind="health")
                ),
            )
        ]
        indexes = [
            models.Index(fields=["dong", "status"], name="referral_dong_status"),
            models.Index(fields=["to_kind", "status", "due_on"], name="referral_to_status_due"),
            models.Index(fields=["source", "source_id"], name="referral_source"),
        ]

    def __str__(self) -> str:
        return f"의뢰 {self.pk} ({self.get_status_display()})"


class ReferralEvent(models.Model):
    """History of a referral: every state change and hand-over, who made it and why."""

    class Action(models.TextChoices):
        SEND = "send", "의뢰"
        ACCEPT = "accept", "접수"
        DECLINE = "decline", "거절"
        COMPLETE = "complete", "처리 완료"
        RETURN = "return", "반송"
        FORWARD = "forward", "재의뢰"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    note = models.TextField(blank=True)
    action = models.CharField("처리", max_length=10, choices=Action.choices, default=Action.SEND)
    # The receiver after this event ("보건소 의약과", "가나복지관", "홍길동 (빈곤위기가정 복지플래너)").
    receiver = models.CharField("받는 곳", max_length=120, blank=True)

    class Meta:
        ordering = ["at", "id"]


class DeskConsultation(TimeStampedModel):
    """A walk-in counselled at the 동 desk (복지상담전문관): who came and what they need. Each need is
    routed on its own (DeskNeed)."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    dong = models.ForeignKey(Dong, on_delete=models.PROTECT, related_name="desk_consultations")
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="상담자", on_delete=models.PROTECT, related_name="+"
    )
    resident = models.ForeignKey(
        "registry.Resident",
        verbose_name="주민",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="desk_consultations",
    )
    # For a registered resident a copy from the registry; for an unregistered person what they told us.
    name = models.CharField("성명", max_length=40)
    phone = models.CharField("연락처", max_length=20, blank=True)
    birth_date = models.DateField("생년월일", null=True, blank=True)
    note = models.TextField("상담 내용", blank=True)
    consulted_on = models.DateField("상담일")

    class Meta:
        verbose_name = "복지상담"
        ordering = ["-consulted_on", "-id"]
        indexes = [models.Index(fields=["dong", "consulted_on"], name="desk_dong_day")]

    def __str__(self) -> str:
        return f"복지상담 {self.pk}"


class DeskNeed(models.Model):
    """One need of a consultation and where it went: the staff member in charge (hand over and close),
    the poverty-crisis planner with a case (case management), an outside agency, or settled at the desk."""

    class Route(models.TextChoices):
        OPEN = "open", "연계 전"
        STAFF = "staff", "동 담당자 인계"
        PLANNER = "planner", "빈곤위기가정 플래너·사례관리"
        AGENCY = "agency", "외부 기관 의뢰"
        DESK = "desk", "상담으로 종결"

    consultation = models.ForeignKey(DeskConsultation, on_delete=models.CASCADE, related_name="needs")
    category = models.CharField("욕구 영역", max_length=20, choices=NeedCategory.choices)
    note = models.TextField("내용", blank=True)
    route = models.CharField("연계", max_length=10, choices=Route.choices, default=Route.OPEN)
    referral = models.OneToOneField(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="desk_need"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    routed_at = models.DateTimeField("연계 일시", null=True, blank=True)

    class Meta:
        verbose_name = "상담 욕구"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.get_route_display()})"
