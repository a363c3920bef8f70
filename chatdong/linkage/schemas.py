"""API schemas of the linkage app. Identity numbers go in (POST bodies) but never come out."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from chatdong.linkage.models import CandidatePair, ClientList
from chatdong.linkage.selectors import mask_name


class LiveCheckIn(Schema):
    name: str = Field("", max_length=40, description="성명")
    birth_date: dt.date | None = Field(None, description="생년월일")
    phone: str = Field("", max_length=20, description="전화번호(전체 또는 끝 4자리)")
    address: str = Field("", max_length=200, description="도로명주소(예: 보문로 12-3)")
    rrn: str = Field("", max_length=20, description="주민등록번호(있으면 정확히 찾음; 기록에 남지 않음)")


class CaseRefOut(Schema):
    id: int
    dong: str
    step: str
    step_label: str
    opened_on: dt.date
    same_person: bool = Field(..., description="주민 본인의 사례(거짓이면 같은 세대의 사례)")


class CandidateOut(Schema):
    resident_id: int = Field(..., description="주민 id (/api/v1/residents/{id})")
    name: str
    birth_date: dt.date
    phone_last4: str
    road_address: str
    dong: str
    household_id: int
    score: float = Field(..., description="같은 사람일 확률(0~1)")
    decision: str = Field(..., description="match(일치 유력) 또는 review(검토 필요)")
    evidence: list[str]
    levels: dict[str, str]
    exact_rrn: bool
    cases: list[CaseRefOut] = Field(..., description="주민이나 세대에 열려 있는 사례")


class ClientListOut(Schema):
    id: int
    filename: str
    status: str
    status_label: str
    agency_id: int | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    total_rows: int
    error_count: int
    pair_count: int
    match_count: int
    review_count: int
    remembered_count: int = Field(..., description="이전 결정이 다시 적용된 쌍 수")
    message: str

    @staticmethod
    def resolve_status_label(obj: ClientList) -> str:
        return obj.get_status_display()


class RowErrorOut(Schema):
    row: int = Field(..., description="행 번호(머리글이 1행; 0은 파일 전체)")
    column: str
    value: str
    reason: str


class ClientRecordOut(Schema):
    row: int
    name: str
    birth_date: dt.date | None
    phone: str
    address: str
    agency_case_no: str
    resident_id: int | None = Field(..., description="같은 사람으로 연결된 주민 id")


class ResidentBriefOut(Schema):
    id: int
    name: str = Field(..., description="기관 직원에게는 가린 이름(김*준)")
    birth_date: dt.date | None = Field(..., description="기관 직원에게는 없음")
    dong: str


class PairOut(Schema):
    id: int
    client_list_id: int
    record: ClientRecordOut
    resident: ResidentBriefOut
    score: float
    suggestion: str
    evidence: list[str]
    levels: dict[str, str]
    status: str
    status_label: str
    remembered: bool
    decided_at: dt.datetime | None


def pair_out(pair: CandidatePair, *, details: bool) -> dict[str, object]:
    resident = pair.resident
    return {
        "id": pair.pk,
        "client_list_id": pair.client_list_id,
        "record": pair.record,
        "resident": {
            "id": resident.pk,
            "name": resident.name if details else mask_name(resident.name),
            "birth_date": resident.birth_date if details else None,
            "dong": resident.dong.name,
        },
        "score": pair.score,
        "suggestion": pair.suggestion,
        "evidence": pair.evidence,
        "levels": pair.levels,
        "status": pair.status,
        "status_label": pair.get_status_display(),
        "remembered": pair.remembered,
        "decided_at": pair.decided_at,
    }


class DecisionIn(Schema):
    decision: Literal["merge", "not_same", "unsure"] = Field(
        ..., description="merge(같은 사람: 연결), not_same(다른 사람: 다시 나오지 않음), unsure(보류)"
    )
