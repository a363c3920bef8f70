"""Home visits and what was recorded at them (checklists, health assessment, screenings)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from chatdong.accounts.models import District, Dong
from chatdong.core.models import TimeStampedModel
from chatdong.core.needs import NeedCategory


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
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # 서울아기 건강첫걸음: which scheduled visit this one is (null for other programs).
    schedule_item = models.ForeignKey(
        "visits.HomeVisitScheduleItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
    )

    class Meta:
        verbose_name = "가정방문"
        constraints = [
            # At most one planned visit per target at a time (the database, not a check, keeps it so).
            models.UniqueConstraint(
                fields=["target"], condition=models.Q(outcome="planned"), name="visit_one_planned_per_target"
            )
        ]
        indexes = [
            models.Index(fields=["staff", "scheduled_on"], name="visit_staff_day"),
            models.Index(fields=["dong", "outcome"], name="visit_dong_outcome"),
            models.Index(fields=["target", "outcome"], name="visit_target_outcome"),
        ]

    def __str__(self) -> str:
        return f"방문 {self.pk} ({self.get_outcome_display()})"


# What a target's visits say, kept on the target (outreach.Target field → the outcome that sets it): set
# when a visit is recorded (visits.services), recomputed in bulk, checked by outreach's integrity check.
TARGET_VISIT_FACTS: dict[str, str] = {
    "visit_made": Visit.Outcome.VISITED,
    "visit_refused": Visit.Outcome.REFUSED,
}


class NeedItem(models.Model):
    """One line of the welfare-needs checklist of a visit: a need category, need yes/no, and a note."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="needs")
    category = models.CharField("욕구 영역", max_length=20, choices=NeedCategory.choices)
    need = models.BooleanField("필요", default=False)
    note = models.CharField("메모", max_length=300, blank=True)

    class Meta:
        verbose_name = "복지욕구 확인"
        ordering = ["visit", "id"]
        constraints = [models.UniqueConstraint(fields=["visit", "category"], name="need_item_unique")]


class HealthAssessment(TimeStampedModel):
    """The visiting nurse's health assessment at a visit (민감정보: see visits.access)."""

    class Glucose(models.TextChoices):
        FASTING = "fasting", "공복"
        RANDOM = "random", "식후·무작위"

    class Chronic(models.TextChoices):
        HYPERTENSION = "hypertension", "고혈압"
        DIABETES = "diabetes", "당뇨병"
        DYSLIPIDEMIA = "dyslipidemia", "이상지질혈증"
        ARTHRITIS = "arthritis", "관절염"
        DEMENTIA = "dementia", "치매"
        STROKE = "stroke", "뇌졸중"
        HEART = "heart", "심장질환"
        DEPRESSION = "depression", "우울증"
        OTHER = "other", "기타"

    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="health")
    nurse = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    bp_systolic = models.PositiveSmallIntegerField("수축기 혈압", null=True, blank=True)
    bp_diastolic = models.PositiveSmallIntegerField("이완기 혈압", null=True, blank=True)
    glucose = models.PositiveSmallIntegerField("혈당(mg/dL)", null=True, blank=True)
    glucose_kind = models.CharField("혈당 측정", max_length=10, choices=Glucose.choices, blank=True)
    chronic = models.JSONField("만성질환", default=list)  # Chronic values
    medication_count = models.PositiveSmallIntegerField("복용 약 수", null=True, blank=True)
    medications = models.TextField("복용 약", blank=True)
    health_check_done = models.BooleanField("국가건강검진 수검", null=True, blank=True)
    health_check_year = models.PositiveSmallIntegerField("검진 연도", null=True, blank=True)
    falls_last_year = models.PositiveSmallIntegerField("최근 1년 낙상 횟수", null=True, blank=True)
    frailty_score = models.PositiveSmallIntegerField("허약(K-FRAIL 0–5)", null=True, blank=True)
    notes = models.TextField("메모", blank=True)

    class Meta:
        verbose_name = "건강 평가"

    @property
    def chronic_labels(self) -> list[str]:
        labels = dict(self.Chronic.choices)
        return [str(labels.get(code, code)) for code in self.chronic]


class Screening(TimeStampedModel):
    """A mental-health screening at a visit, scored by the server (visits.scoring). 민감정보."""

    class Kind(models.TextChoices):
        GDS15 = "gds15", "노인우울척도(GDS-15)"
        PHQ9 = "phq9", "우울 선별(PHQ-9)"
        SBQR = "sbqr", "자살행동 질문지(SBQ-R)"
        KEPDS = "kepds", "산후우울(K-EPDS)"

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="screenings")
    dong = models.ForeignKey(Dong, on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey(
        "registry.Resident", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("평가 도구", max_length=10, choices=Kind.choices)
    answers = models.JSONField("응답")  # list[int], one per item, as asked (before reverse scoring)
    score = models.PositiveSmallIntegerField("총점")
    band = models.CharField("판정", max_length=30)
    positive = models.BooleanField("양성", default=False)
    urgent = models.BooleanField("긴급", default=False)
    follow_up = models.CharField(
        "추가 평가 권고", max_length=10, blank=True
    )  # "sbqr" after GDS-15 >= cut-off
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "마음건강 평가"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["dong", "kind", "positive"], name="screening_dong_kind")]


class HomeVisitSchedule(TimeStampedModel):
    """서울아기 건강첫걸음 visit schedule of a district, as data (a district edits it, no code change)."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="home_visit_schedules")
    name = models.CharField("이름", max_length=60, default="서울아기 건강첫걸음")

    class Meta:
        verbose_name = "영유아 방문 일정"
        constraints = [models.UniqueConstraint(fields=["district"], name="home_visit_schedule_district")]

    def __str__(self) -> str:
        return self.name


class HomeVisitScheduleItem(models.Model):
    """One scheduled visit: opens `offset_days` after the anchor (birth, or the expected delivery for
    prenatal visits; negative = before) and is due `window_days` later."""

    class Track(models.TextChoices):
        UNIVERSAL = "universal", "보편 방문"
        SUSTAINED = "sustained", "지속 방문"

    class Anchor(models.TextChoices):
        BIRTH = "birth", "출생일"
        EXPECTED_DELIVERY = "expected_delivery", "출산 예정일"

    schedule = models.ForeignKey(HomeVisitSchedule, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField("순서")
    label = models.CharField("방문", max_length=60)
    track = models.CharField("구분", max_length=10, choices=Track.choices)
    anchor = models.CharField("기준일", max_length=20, choices=Anchor.choices, default=Anchor.BIRTH)
    offset_days = models.IntegerField("기준일부터(일)")
    window_days = models.PositiveSmallIntegerField("기한(일)", default=14)

    class Meta:
        verbose_name = "영유아 방문 일정 항목"
        ordering = ["schedule", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["schedule", "order"], name="home_visit_item_order")]

    def __str__(self) -> str:
        return self.label


class CalendarFeed(models.Model):
    """A staff member's secret iCal feed URL. Only the SHA-256 of the token is stored; revoking (or
    making a new one) ends the old URL."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "일정 구독 주소"
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(revoked_at__isnull=True), name="calendar_feed_one_active"
            )
        ]
