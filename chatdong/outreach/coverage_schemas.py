"""API schemas of 방문 현황: the figures (aggregates) and the list behind a figure (personal data)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from chatdong.accounts.schemas import DongRef, StaffRef
from chatdong.outreach import coverage
from chatdong.outreach.models import Target


class CoverageIn(Schema):
    year: int | None = Field(None, description="연도(기본: 올해)")
    month: int | None = Field(None, ge=1, le=12, description="월(없으면 연간)")
    program: int | None = Field(None, description="방문 사업 id")
    dong: int | None = Field(None, description="동 id")
    staff: int | None = Field(None, description="담당자 id(0 = 미배정)")


class CoverageQueryIn(CoverageIn):
    by: Literal["dong", "program", "staff", "dong_program"] = Field(
        "dong", description="집계 기준: 동, 사업, 담당자, 동×사업"
    )


class CoverageListIn(CoverageIn):
    figure: Literal["targets", "consented", "visited", "refused", "pending", "overdue", "referrals_open"] = (
        Field("targets", description="명단을 볼 항목")
    )


class ProgramRef(Schema):
    id: int
    code: str
    name: str
    kind: str


class FiguresOut(Schema):
    targets: int = Field(..., description="대상(취소 제외)")
    consented: int = Field(..., description="방문 동의")
    visited: int = Field(..., description="방문 완료가 한 번 이상 있는 대상")
    refused: int = Field(..., description="거부·동의 철회, 또는 방문 거부")
    pending: int = Field(..., description="진행 중, 방문 완료도 거부도 아닌 대상")
    overdue: int = Field(..., description="미방문 중 기한이 지난 대상")
    referrals_open: int = Field(..., description="가정방문·마음건강 평가에서 보낸 의뢰가 진행 중인 대상")


class CoverageRowOut(FiguresOut):
    dong: DongRef | None
    program: ProgramRef | None
    staff: StaffRef | None
    unassigned: bool = Field(..., description="담당자가 정해지지 않은 대상의 행")


class CoverageOut(Schema):
    year: int
    month: int | None
    period_start: dt.date
    period_end: dt.date
    on: dt.date = Field(..., description="기한 경과를 판단한 기준일")
    by: str
    rows: list[CoverageRowOut]
    totals: FiguresOut


class CoverageTargetOut(Schema):
    id: int
    program: ProgramRef
    dong: DongRef
    period_start: dt.date
    period_end: dt.date
    resident_id: int | None
    household_id: int | None
    name: str = Field(..., description="주민 성명, 세대 대상이면 '세대 <세대번호>'")
    address: str
    reason: str
    status: str
    consent: str
    assignee: StaffRef | None
    due_on: dt.date | None = Field(..., description="기한(대상의 기한, 없으면 예정된 방문의 기한)")

    @staticmethod
    def resolve_name(obj: Target) -> str:
        return coverage.target_name(obj)

    @staticmethod
    def resolve_address(obj: Target) -> str:
        return coverage.target_address(obj)

    @staticmethod
    def resolve_due_on(obj: Target) -> dt.date | None:
        return coverage.target_due(obj)
