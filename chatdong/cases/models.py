"""Case management (동중심 사례관리): one shared public-private register of cases and their chain."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from chatdong.accounts.models import Agency, District, Dong
from chatdong.core.models import TimeStampedModel
from chatdong.core.needs import NeedCategory


class CaseType(models.TextChoices):
    """사례 유형, decided at 대상자 구분·선정 (usually by the monthly case meeting)."""

    INTENSIVE = "intensive", "고난도 사례관리"
    GENERAL = "general", "일반 사례관리"
    LINKAGE = "linkage", "서비스 연계"


class RiskLevel(models.TextChoices):
    """위기도: per assessment domain and overall."""

    HIGH = "high", "상"
    MEDIUM = "medium", "중"
    LOW = "low", "하"


class ClosureReason(models.TextChoices):
    GOAL_MET = "goal_met", "목표 달성"
    MOVED = "moved", "이사(관할 밖 전출)"
    DECEASED = "deceased", "사망"
    REFUSED = "refused", "대상자 거부"
    TRANSFERRED = "transferred", "타기관 이관"
    NOT_ELIGIBLE = "not_eligible", "사례관리 비해당"
    NO_CONTACT = "no_contact", "연락 두절"
    OTHER = "other", "기타"


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
    # The chain's dates (deadlines count from them), type, risk and closure.
    case_type = models.CharField("사례 유형", max_length=12, choices=CaseType.choices, blank=True)
    risk_level = models.CharField("위기도", max_length=8, choices=RiskLevel.choices, blank=True)
    intake_on = models.DateField("접수일", null=True, blank=True)
    meeting_on = models.DateField("사례회의일", null=True, blank=True)
    classified_on = models.DateField("구분·선정일", null=True, blank=True)
    cycle = models.PositiveSmallIntegerField("재사정 횟수", default=0)
    due_on = models.DateField("현 단계 처리기한", null=True, blank=True, db_index=True)
    closure_proposed_on = models.DateField("종결 제안일", null=True, blank=True)
    closure_proposal = models.CharField("종결 제안 사유", max_length=300, blank=True)
    closed_on = models.DateField("종결일", null=True, blank=True)
    closure_reason = models.CharField("종결 사유", max_length=20, choices=ClosureReason.choices, blank=True)
    closure_note = models.TextField("종결 의견", blank=True)
    follow_up_on = models.DateField("사후관리 예정일", null=True, blank=True)
    ended_on = models.DateField("관리 종료일", null=True, blank=True)

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


class CaseStepChange(models.Model):
    """One move along the chain (the case's timeline)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="step_changes")
    at = models.DateTimeField("일시", auto_now_add=True)
    on = models.DateField("날짜")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_step = models.CharField("이전 단계", max_length=20, choices=Case.Step.choices, blank=True)
    to_step = models.CharField("단계", max_length=20, choices=Case.Step.choices)
    note = models.CharField("메모", max_length=500, blank=True)

    class Meta:
        verbose_name = "사례 단계 변경"
        ordering = ["at", "id"]


class CaseAgency(models.Model):
    """An agency working on the case: the lead (주사례관리 기관, at most one) or a co-agency (협력 기관)."""

    class Role(models.TextChoices):
        LEAD = "lead", "주사례관리"
        CO = "co", "협력"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="agencies")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="case_roles")
    role = models.CharField("역할", max_length=4, choices=Role.choices)
    since = models.DateField("참여일")

    class Meta:
        verbose_name = "사례 참여 기관"
        constraints = [
            models.UniqueConstraint(fields=["case", "agency"], name="caseagency_unique"),
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(role="lead"), name="caseagency_one_lead"
            ),
        ]


class Assessment(models.Model):
    """욕구 및 위기도 조사: one per (re-)assessment, with a risk level per domain and overall."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField("조사일")
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    overall_risk = models.CharField("종합 위기도", max_length=8, choices=RiskLevel.choices)
    summary = models.TextField("종합 의견", blank=True)

    class Meta:
        verbose_name = "욕구 및 위기도 조사"
        ordering = ["-assessed_on", "-id"]


class AssessmentDomain(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="domains")
    category = models.CharField("영역", max_length=20, choices=NeedCategory.choices)
    risk = models.CharField("위기도", max_length=8, choices=RiskLevel.choices)
    need = models.CharField("욕구·문제", max_length=300, blank=True)

    class Meta:
        verbose_name = "영역별 조사"
        constraints = [
            models.UniqueConstraint(fields=["assessment", "category"], name="assessmentdomain_unique")
        ]


class ServicePlan(models.Model):
    """서비스 제공계획: goals, services (items) and dates; approved by the 동 (supervisor or the meeting)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    goals = models.TextField("목표")
    start_on = models.DateField("시작일")
    end_on = models.DateField("종료 예정일")
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_on = models.DateField("작성일")
    approved_on = models.DateField("승인일", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "서비스 제공계획"
        ordering = ["-written_on", "-id"]


class PlanItem(models.Model):
    plan = models.ForeignKey(ServicePlan, on_delete=models.CASCADE, related_name="items")
    category = models.CharField("영역", max_length=20, choices=NeedCategory.choices)
    service = models.CharField("서비스", max_length=200)
    agency = models.ForeignKey(
        Agency, verbose_name="담당 기관", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agency_name = models.CharField("담당 기관(직접 입력)", max_length=80, blank=True)
    person = models.CharField("담당자", max_length=40, blank=True)
    start_on = models.DateField("시작일")
    end_on = models.DateField("종료일")

    class Meta:
        verbose_name = "계획 서비스"
        ordering = ["id"]


class ServiceLinkage(models.Model):
    """서비스 연계 실적: what was linked, by whom, when and for how much (for entry into 행복e음)."""

    class Kind(models.TextChoices):
        PUBLIC = "public", "공공"
        PRIVATE = "private", "민간"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="linkages")
    kind = models.CharField("서비스 구분", max_length=8, choices=Kind.choices)
    category = models.CharField("영역", max_length=20, choices=NeedCategory.choices)
    service = models.CharField("서비스명", max_length=100)
    provider = models.ForeignKey(
        Agency, verbose_name="제공기관", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    provider_name = models.CharField("제공기관(직접 입력)", max_length=80, blank=True)
    amount = models.PositiveBigIntegerField("금액(원)", null=True, blank=True)
    provided_on = models.DateField("제공일", db_index=True)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField("메모", max_length=300, blank=True)

    class Meta:
        verbose_name = "서비스 연계"
        ordering = ["-provided_on", "-id"]

    @property
    def provider_label(self) -> str:
        return self.provider.name if self.provider_id and self.provider else self.provider_name


class CaseCheck(models.Model):
    """점검 and progress notes: contacts, checks of the plan, anything dated worth keeping."""

    class Kind(models.TextChoices):
        CHECK = "check", "점검"
        CONTACT = "contact", "상담·연락"
        NOTE = "note", "메모"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField("구분", max_length=8, choices=Kind.choices, default=Kind.CHECK)
    on = models.DateField("날짜")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("내용")

    class Meta:
        verbose_name = "점검·기록"
        ordering = ["-on", "-id"]


class Supervision(models.Model):
    """복지수퍼바이저's supervision of a case (seed: 교육적·행정적·지지적 수퍼비전)."""

    class Kind(models.TextChoices):
        EDUCATIONAL = "educational", "교육적"
        ADMINISTRATIVE = "administrative", "행정적"
        SUPPORTIVE = "supportive", "지지적"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supervisions")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("수퍼비전 유형", max_length=16, choices=Kind.choices)
    on = models.DateField("날짜")
    notes = models.TextField("내용")

    class Meta:
        verbose_name = "수퍼비전"
        ordering = ["-on", "-id"]


class ShareScope(models.TextChoices):
    """What a consent lets the named agencies see of the case."""

    BASIC = "basic", "기본 정보"
    ASSESSMENT = "assessment", "욕구·위기도 조사"
    PLAN = "plan", "서비스 계획"
    SERVICES = "services", "서비스 연계·점검"


class Consent(models.Model):
    """정보제공동의: the resident's consent to share the case with named agencies, for named data.
    Valid from given_on until withdrawn_on; withdrawal stops the sharing at once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    resident = models.ForeignKey(
        "registry.Resident", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    given_on = models.DateField("동의일")
    agencies = models.ManyToManyField(Agency, verbose_name="제공받는 기관", related_name="+")
    scope = models.JSONField("제공 범위", default=list)  # ShareScope values
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_on = models.DateField("철회일", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField("메모", max_length=300, blank=True)

    class Meta:
        verbose_name = "정보제공동의"
        ordering = ["-given_on", "-id"]

    def scope_labels(self) -> list[str]:
        return [ShareScope(s).label for s in self.scope if s in ShareScope.values]
