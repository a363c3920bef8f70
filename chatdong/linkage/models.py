"""Record linkage: client lists uploaded by agencies, their records, scored candidate pairs against
the registry, and the reviewers' decisions (remembered across re-uploads)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from chatdong.accounts.models import Agency, District, Dong
from chatdong.core.models import TimeStampedModel


class ClientList(TimeStampedModel):
    """One uploaded client list (명단). All-or-nothing: a list with any row error keeps only its errors."""

    class Status(models.TextChoices):
        QUEUED = "queued", "대기"
        RUNNING = "running", "처리 중"
        FAILED = "failed", "실패(반영 안 됨)"
        DONE = "done", "완료"

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    # The owner: the uploader's agency, or (staff uploads) the uploader's 동; both null = district.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    dong = models.ForeignKey(Dong, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField("파일명", max_length=255)
    stored_path = models.CharField(max_length=500, blank=True)
    status = models.CharField("상태", max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField("행 수", default=0)
    error_count = models.PositiveIntegerField("오류 수", default=0)
    pair_count = models.PositiveIntegerField("후보 쌍 수", default=0)
    match_count = models.PositiveIntegerField("일치 유력", default=0)
    review_count = models.PositiveIntegerField("검토 필요", default=0)
    remembered_count = models.PositiveIntegerField("이전 결정 적용", default=0)
    message = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "기관 대상자 명단"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename

    @property
    def owner_key(self) -> str:
        """Whose decisions this list shares: the agency's, or the 동's / district's for staff uploads."""
        if self.agency_id:
            return f"agency:{self.agency_id}"
        if self.dong_id:
            return f"dong:{self.dong_id}"
        return f"district:{self.district_id}"


class ClientListError(models.Model):
    client_list = models.ForeignKey(ClientList, on_delete=models.CASCADE, related_name="errors")
    row = models.PositiveIntegerField("행")
    column = models.CharField("열", max_length=40)
    value = models.CharField("값", max_length=200)
    reason = models.CharField("사유", max_length=300)

    class Meta:
        ordering = ["row", "id"]


class ClientRecord(models.Model):
    """One row of a client list. `resident` is set by a merge (same person): the client is then linked
    to the resident and through the resident to the resident's cases."""

    client_list = models.ForeignKey(ClientList, on_delete=models.CASCADE, related_name="records")
    row = models.PositiveIntegerField("행")
    name = models.CharField("성명", max_length=40)
    birth_date = models.DateField("생년월일", null=True, blank=True)
    phone = models.CharField("전화번호", max_length=11, blank=True)
    address = models.CharField("주소", max_length=200, blank=True)
    agency_case_no = models.CharField("기관 사례번호", max_length=40, blank=True)
    rrn_index = models.CharField(max_length=64, blank=True)
    # Stable across uploads of the same client by the same owner: decisions are keyed by it.
    fingerprint = models.CharField(max_length=32, db_index=True)
    resident = models.ForeignKey(
        "registry.Resident", on_delete=models.SET_NULL, null=True, blank=True, related_name="client_records"
    )

    class Meta:
        verbose_name = "명단 대상자"
        ordering = ["client_list", "row"]
        constraints = [models.UniqueConstraint(fields=["client_list", "row"], name="client_record_row")]


class CandidatePair(models.Model):
    """A client record and a resident who may be the same person, with the score and the evidence."""

    class Suggestion(models.TextChoices):
        MATCH = "match", "일치 유력"
        REVIEW = "review", "검토 필요"

    class Status(models.TextChoices):
        PENDING = "pending", "검토 대기"
        MERGED = "merged", "같은 사람"
        NOT_SAME = "not_same", "다른 사람"
        UNSURE = "unsure", "판단 보류"

    client_list = models.ForeignKey(ClientList, on_delete=models.CASCADE, related_name="pairs")
    record = models.ForeignKey(ClientRecord, on_delete=models.CASCADE, related_name="pairs")
    resident = models.ForeignKey("registry.Resident", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField("일치 확률")
    weight = models.FloatField("가중치(비트)")
    suggestion = models.CharField("판정", max_length=10, choices=Suggestion.choices)
    levels = models.JSONField(default=dict)  # {"name": "dueum", "birth": "exact", ...}
    evidence = models.JSONField(default=list)  # Korean phrases, in feature order
    status = models.CharField("검토 결과", max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The record's link before a merge, so that undo restores it.
    previous_resident_id = models.PositiveBigIntegerField(null=True, blank=True)
    remembered = models.BooleanField("이전 결정 적용", default=False)

    class Meta:
        verbose_name = "후보 쌍"
        ordering = ["-score", "id"]
        constraints = [models.UniqueConstraint(fields=["record", "resident"], name="candidate_pair_unique")]
        indexes = [models.Index(fields=["client_list", "status"], name="pair_list_status")]


class PairDecision(models.Model):
    """A remembered decision on (client fingerprint, resident) for one owner: a pair dismissed as
    "not the same" never comes back on a re-upload; a merge is applied again."""

    owner_key = models.CharField(max_length=40)
    fingerprint = models.CharField(max_length=32)
    resident = models.ForeignKey("registry.Resident", on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(max_length=10, choices=CandidatePair.Status.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        verbose_name = "검토 결정"
        constraints = [
            models.UniqueConstraint(
                fields=["owner_key", "fingerprint", "resident"], name="pair_decision_unique"
            )
        ]
