"""The resident and household registry, as imported from resident-registration extracts."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from chatdong.accounts.models import Ban, Dong
from chatdong.core.models import TimeStampedModel


class Household(TimeStampedModel):
    """세대: identified by its 세대번호 in the extract."""

    household_no = models.CharField("세대번호", max_length=20, unique=True)
    dong = models.ForeignKey(Dong, on_delete=models.PROTECT, related_name="households")
    ban = models.ForeignKey(Ban, on_delete=models.PROTECT, null=True, related_name="households")
    road_name = models.CharField("도로명", max_length=40)
    building_main = models.PositiveIntegerField("건물본번")
    building_sub = models.PositiveIntegerField("건물부번", default=0)
    address_detail = models.CharField("상세주소", max_length=80, blank=True)
    member_count = models.PositiveSmallIntegerField("세대원 수", default=0)

    class Meta:
        verbose_name = "세대"
        indexes = [models.Index(fields=["dong", "ban"], name="household_dong_ban")]

    def __str__(self) -> str:
        return f"세대 {self.household_no}"

    @property
    def road_address(self) -> str:
        return road_address(self.road_name, self.building_main, self.building_sub, self.address_detail)


def road_address(road: str, main: int, sub: int, detail: str) -> str:
    number = f"{main}-{sub}" if sub else f"{main}"
    return f"{road} {number} {detail}".strip()


class Resident(TimeStampedModel):
    """주민. The 주민등록번호 is never stored in clear: `rrn_encrypted` (AES-GCM) and `rrn_index`
    (keyed HMAC blind index, for exact lookup). Birth date and sex are kept in clear for the program's
    rules; the full number is shown only on request and that request is logged."""

    class Sex(models.TextChoices):
        MALE = "M", "남"
        FEMALE = "F", "여"

    class Status(models.TextChoices):
        RESIDENT = "resident", "거주"
        MOVED_OUT = "moved_out", "전출"
        DECEASED = "deceased", "사망"

    class Disability(models.TextChoices):
        NONE = "", "없음"
        SEVERE = "severe", "심한 장애"
        MILD = "mild", "심하지 않은 장애"

    name = models.CharField("성명", max_length=40)
    rrn_encrypted = models.BinaryField("주민등록번호(암호화)")
    rrn_index = models.CharField("주민등록번호 검색색인", max_length=64, unique=True)
    birth_date = models.DateField("생년월일", db_index=True)
    sex = models.CharField("성별", max_length=1, choices=Sex.choices)
    foreigner = models.BooleanField("외국인", default=False)
    phone = models.CharField("전화번호", max_length=11, blank=True)
    phone_last4 = models.CharField("전화번호 끝 4자리", max_length=4, blank=True)

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    relation = models.CharField("세대주와의 관계", max_length=20)
    dong = models.ForeignKey(Dong, on_delete=models.PROTECT, related_name="residents")
    ban = models.ForeignKey(Ban, on_delete=models.PROTECT, null=True, related_name="residents")
    road_name = models.CharField("도로명", max_length=40)
    building_main = models.PositiveIntegerField("건물본번")
    building_sub = models.PositiveIntegerField("건물부번", default=0)
    address_detail = models.CharField("상세주소", max_length=80, blank=True)

    moved_in_on = models.DateField("전입일", null=True, blank=True)
    status = models.CharField("상태", max_length=10, choices=Status.choices, default=Status.RESIDENT)
    status_changed_on = models.DateField("상태 변경일", null=True, blank=True)

    # Welfare flags used by later features (target extraction, case management).
    basic_livelihood = models.BooleanField("기초생활수급", default=False)
    livelihood_benefits = models.CharField(
        "수급 급여 종류", max_length=40, blank=True
    )  # "생계,의료,주거,교육"
    near_poor = models.BooleanField("차상위", default=False)
    disability = models.CharField("장애", max_length=10, choices=Disability.choices, blank=True, default="")
    single_elder = models.BooleanField("독거노인", default=False)
    single_parent = models.BooleanField("한부모가족", default=False)

    # Fingerprint of the imported fields: a re-import updates only rows whose fingerprint changed.
    source_digest = models.CharField(max_length=32, blank=True)
    last_import = models.ForeignKey(
        "registry.ImportBatch", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "주민"
        indexes = [
            # text_pattern_ops makes name-prefix LIKE use the index on PostgreSQL (ignored on SQLite).
            models.Index(fields=["name"], name="resident_name", opclasses=["text_pattern_ops"]),
            models.Index(
                fields=["dong", "name"], name="resident_dong_name", opclasses=["int8_ops", "text_pattern_ops"]
            ),
            models.Index(fields=["phone"], name="resident_phone"),
            models.Index(fields=["phone_last4"], name="resident_phone_last4"),
            models.Index(fields=["road_name", "building_main"], name="resident_road_building"),
            models.Index(fields=["dong", "status"], name="resident_dong_status"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def rrn_masked(self) -> str:
        yy = self.birth_date.strftime("%y%m%d")
        digit = {
            ("M", 1800): 9,
            ("F", 1800): 0,
            ("M", 1900): 1,
            ("F", 1900): 2,
            ("M", 2000): 3,
            ("F", 2000): 4,
        }
        century = self.birth_date.year // 100 * 100
        first = digit[(self.sex, century)] + (4 if self.foreigner else 0)
        return f"{yy}-{first % 10}******"

    @property
    def road_address(self) -> str:
        return road_address(self.road_name, self.building_main, self.building_sub, self.address_detail)


class ResidentChange(models.Model):
    """History of a resident as successive extracts changed it (전입·전출·사망·개명·주소 변경 …)."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", "등록"
        BORN = "born", "출생"
        MOVED_IN = "moved_in", "전입"
        MOVED = "moved", "주소 이동"
        RENAMED = "renamed", "성명 변경"
        UPDATED = "updated", "정보 변경"
        MOVED_OUT = "moved_out", "전출"
        DECEASED = "deceased", "사망"
        RETURNED = "returned", "재전입"

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="changes")
    batch = models.ForeignKey(
        "registry.ImportBatch", on_delete=models.PROTECT, null=True, related_name="changes"
    )
    at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    fields = models.JSONField("변경 내용", default=dict)  # {"field": [old, new]}

    class Meta:
        verbose_name = "주민 변동 이력"
        ordering = ["-at", "-id"]


class ImportBatch(models.Model):
    """One import of a resident-registration extract; all-or-nothing."""

    class Status(models.TextChoices):
        QUEUED = "queued", "대기"
        RUNNING = "running", "처리 중"
        FAILED = "failed", "실패(반영 안 됨)"
        SUCCEEDED = "succeeded", "완료"

    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    filename = models.CharField("파일명", max_length=255)
    stored_path = models.CharField(max_length=500, blank=True)
    status = models.CharField("상태", max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField("행 수", default=0)
    error_count = models.PositiveIntegerField("오류 수", default=0)
    summary = models.JSONField("반영 결과", default=dict)  # {"created": n, "updated": n, "moved_out": n, ...}
    message = models.TextField(blank=True)

    class Meta:
        verbose_name = "주민 자료 등록"
        ordering = ["-created_at"]


class ImportRowError(models.Model):
    """One problem in one cell of an extract, in words a civil servant can act on."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="errors")
    row = models.PositiveIntegerField("행")
    column = models.CharField("열", max_length=40)
    value = models.CharField("값", max_length=200)
    reason = models.CharField("사유", max_length=300)

    class Meta:
        ordering = ["row", "id"]
