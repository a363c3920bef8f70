"""Typed API schemas for programs and target lists."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema


class ProgramOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    unit: Literal["person", "household"]
    period: Literal["year", "month"]
    rule: dict[str, Any] = Field(..., description="대상 규칙(docs/outreach.md의 규칙 형식)")
    visit_roles: list[str]
    active: bool


class ProgramUpdateIn(Schema):
    name: str | None = None
    rule: dict[str, Any] | None = Field(None, description='예: {"type": "turning_age", "ages": [65, 70]}')
    visit_roles: list[str] | None = None
    active: bool | None = None
    period: Literal["year", "month"] | None = None


class ExtractIn(Schema):
    period_start: dt.date = Field(..., description="기간 시작일(연간: 1월 1일, 월간: 매월 1일)")


class RunOut(Schema):
    id: int
    kind: str
    program_id: int | None
    period_start: dt.date | None
    counts: dict[str, int]


class StaffRef(Schema):
    id: int
    name: str
    role: str


class TargetOut(Schema):
    id: int
    program_id: int
    period_start: dt.date
    period_end: dt.date
    dong_id: int
    dong_name: str
    tong: int | None
    ban: int | None
    resident_id: int | None
    household_id: int | None
    name: str = Field(..., description="대상자(세대는 세대주) 이름")
    reason: str
    source: str
    status: str
    status_note: str
    consent: str
    consent_on: dt.date | None
    due_on: dt.date | None
    visits_planned: int
    assignee: StaffRef | None
    co_assignee: StaffRef | None


class TargetListParams(Schema):
    period_start: dt.date
    dong_id: int | None = None
    consent: str = Field(
        "", description="''=업무 목록(거부·철회 제외), all, unknown, given, refused, withdrawn"
    )
    status: Literal["open", "done", "cancelled", "all"] = "open"
    assignee_id: int | None = Field(None, description="담당자(0 = 미배정)")
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


class TargetListOut(Schema):
    count: int
    page: int
    page_size: int
    counts: dict[str, int] = Field(..., description="동의 상태·진행 상태별 건수(거부·철회도 셈)")
    items: list[TargetOut]


class ChangeOut(Schema):
    at: dt.datetime
    kind: str
    reason: str


class ConsentOut(Schema):
    state: str
    on: dt.date
    channel: str
    note: str


class TargetDetailOut(TargetOut):
    changes: list[ChangeOut]
    consents: list[ConsentOut]


class ConsentIn(Schema):
    state: Literal["given", "refused", "withdrawn"]
    on: dt.date
    channel: str = Field(..., description="birth_registration, phone, visit, desk, written, other")
    note: str = ""


class AssignIn(Schema):
    assignee_id: int | None
    co_assignee_id: int | None = None
