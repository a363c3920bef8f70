"""Organisation units (구 → 동 → 통 → 반, staff zones), private agencies, and staff accounts with roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from chatdong.core.models import TimeStampedModel


class District(models.Model):
    """구 (자치구)."""

    name = models.CharField("구 이름", max_length=20)
    code = models.CharField("행정구역코드", max_length=10, unique=True)

    class Meta:
        verbose_name = "구"

    def __str__(self) -> str:
        return self.name


class Dong(models.Model):
    """행정동, with its 10-digit 행정동 code."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="dongs")
    name = models.CharField("동 이름", max_length=20)
    code = models.CharField("행정동코드", max_length=10, unique=True)

    class Meta:
        verbose_name = "동"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="dong_unique_name")]

    def __str__(self) -> str:
        return self.name


class Tong(models.Model):
    """통: a numbered part of a 동."""

    dong = models.ForeignKey(Dong, on_delete=models.PROTECT, related_name="tongs")
    number = models.PositiveSmallIntegerField("통")

    class Meta:
        verbose_name = "통"
        ordering = ["dong", "number"]
        constraints = [models.UniqueConstraint(fields=["dong", "number"], name="tong_unique_number")]

    def __str__(self) -> str:
        return f"{self.dong.name} {self.number}통"


class Zone(TimeStampedModel):
    """담당구역: a set of 통/반 assigned to one 우리동네주무관 (neighbourhood officer)."""

    dong = models.ForeignKey(Dong, on_delete=models.PROTECT, related_name="zones")
    name = models.CharField("구역 이름", max_length=40)
    officer = models.ForeignKey(
        "accounts.User",
        verbose_name="우리동네주무관",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="zones",
    )

    class Meta:
        verbose_name = "담당구역"
        ordering = ["dong", "name"]
        constraints = [models.UniqueConstraint(fields=["dong", "name"], name="zone_unique_name")]

    def __str__(self) -> str:
        return f"{self.dong.name} {self.name}"


class Ban(models.Model):
    """반: the smallest unit; belongs to one 통 and at most one zone."""

    tong = models.ForeignKey(Tong, on_delete=models.PROTECT, related_name="bans")
    number = models.PositiveSmallIntegerField("반")
    zone = models.ForeignKey(Zone, on_delete=models.SET_NULL, null=True, blank=True, related_name="bans")

    class Meta:
        verbose_name = "반"
        ordering = ["tong", "number"]
        constraints = [models.UniqueConstraint(fields=["tong", "number"], name="ban_unique_number")]

    def __str__(self) -> str:
        return f"{self.tong.number}통 {self.number}반"


class Agency(TimeStampedModel):
    """A private (or outside public) agency: 복지관, 거점기관, 건강보험공단 … (resource directory comes later)."""

    class Kind(models.TextChoices):
        WELFARE_CENTER = "welfare_center", "종합사회복지관"
        HUB = "hub", "지역 거점기관"
        HEALTH = "health", "보건기관"
        PUBLIC = "public", "공공기관"
        OTHER = "other", "기타 민간기관"

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="agencies")
    name = models.CharField("기관명", max_length=80)
    kind = models.CharField("유형", max_length=20, choices=Kind.choices, default=Kind.OTHER)
    phone = models.CharField("전화", max_length=20, blank=True)
    address = models.CharField("주소", max_length=200, blank=True)
    # Agency directory (referrals.directory): what the agency offers and for which needs, and whom to
    # call. The later resource directory keeps these rows as its "organisation" records.
    services = models.TextField("제공 서비스", blank=True)
    need_categories = models.JSONField("지원 욕구 영역", default=list, blank=True)
    contact_person = models.CharField("담당자", max_length=40, blank=True)
    email = models.EmailField("전자우편", blank=True)
    hours = models.CharField("운영 시간", max_length=100, blank=True)
    accepts_referrals = models.BooleanField("의뢰 받음", default=True)

    class Meta:
        verbose_name = "기관"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="agency_unique_name")]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    DONG_HEAD = "dong_head", "동장"
    TEAM_LEADER = "team_leader", "팀장"
    PLANNER_ELDER = "planner_elder", "어르신 복지플래너"
    PLANNER_CHILD = "planner_child", "우리아이 복지플래너"
    PLANNER_POVERTY = "planner_poverty", "빈곤위기가정 복지플래너"
    PLANNER_YOUTH = "planner_youth", "아동청소년 복지플래너"
    VISITING_NURSE = "visiting_nurse", "방문간호사"
    INFANT_NURSE = "infant_nurse", "영유아 건강간호사"
    COUNSELOR = "counselor", "복지상담전문관"
    SUPERVISOR = "supervisor", "복지수퍼바이저"
    OFFICER = "officer", "일반 주무관"
    FRONT_DESK = "front_desk", "민원창구 주무관"
    DISTRICT_STAFF = "district_staff", "구 사업담당"
    SUPPORT_TEAM = "support_team", "추진지원단"
    HEALTH_MEDICAL = "health_medical", "보건소 의약과"
    AGENCY_WORKER = "agency_worker", "민간기관 사례관리자"
    ADMIN = "admin", "시스템 관리자"


class Scope(models.TextChoices):
    DISTRICT = "district", "구 전체"
    DONG = "dong", "동"
    ZONE = "zone", "담당구역"
    AGENCY = "agency", "기관"


class User(AbstractUser):
    """One account per person (개인정보의 안전성 확보조치 기준). Role and scope change only through
    accounts.services.staff_set_role, which records every change."""

    full_name = models.CharField("이름", max_length=40)
    phone = models.CharField("전화", max_length=20, blank=True)
    role = models.CharField("역할", max_length=20, choices=Role.choices, default=Role.OFFICER)
    scope = models.CharField("범위", max_length=10, choices=Scope.choices, default=Scope.DONG)
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    dong = models.ForeignKey(Dong, on_delete=models.PROTECT, null=True, blank=True, related_name="staff")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="staff")

    class Meta:
        verbose_name = "직원"
        constraints = [
            models.CheckConstraint(
                name="user_scope_has_unit",
                condition=(
                    Q(scope="district", district__isnull=False)
                    | Q(scope__in=["dong", "zone"], dong__isnull=False)
                    | Q(scope="agency", agency__isnull=False)
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name or self.username} ({self.get_role_display()})"


class PermissionChange(models.Model):
    """권한 부여·변경·말소 기록: kept at least 3 years (안전성 확보조치 기준 제5조)."""

    class Action(models.TextChoices):
        GRANT = "grant", "부여"
        CHANGE = "change", "변경"
        REVOKE = "revoke", "말소"

    at = models.DateTimeField("일시", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="permission_changes")
    action = models.CharField("구분", max_length=10, choices=Action.choices)
    before = models.JSONField("변경 전", default=dict)
    after = models.JSONField("변경 후", default=dict)
    reason = models.CharField("사유", max_length=200, blank=True)

    class Meta:
        verbose_name = "권한 변경 기록"
        ordering = ["-at"]


class LoginAttempt(models.Model):
    """접속 시도 기록: drives lockout (5 failures in 15 minutes by default)."""

    at = models.DateTimeField(auto_now_add=True)
    username = models.CharField(max_length=150)
    ip = models.GenericIPAddressField(null=True)
    succeeded = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=["username", "at"], name="login_attempt_user_at")]


class ApiToken(models.Model):
    """Bearer token for the JSON API; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked = models.BooleanField(default=False)
