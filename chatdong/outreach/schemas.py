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


class TargetAddIn(Schema):
    period_start: dt.date = Field(..., description="기간 시작일(연간: 1월 1일, 월간: 매월 1일)")
    resident_id: int = Field(..., description="볼 수 있는 범위의 주민(세대 사업은 그 주민의 세대)")
    reason: str = Field(..., max_length=200, description="대상으로 등록하는 사유(예: 숨은 위기가구 발굴)")


class AssignAutoIn(Schema):
    period_start: dt.date = Field(..., description="기간 시작일(연간: 1월 1일, 월간: 매월 1일)")
    dong_id: int


class AssignAutoOut(Schema):
    by_zone: int = Field(..., description="반 구역 담당자에게 배정")
    balanced: int = Field(..., description="업무량이 적은 방문 직원에게 배정")
    unassigned: int = Field(..., description="배정할 직원이 없어 남은 대상")


class DongRef(Schema):
    id: int
    name: str


class StaffLoadOut(Schema):
    staff: StaffRef
    open: int = Field(..., description="진행 중인 담당 대상(거부·철회 제외)")
    due_this_month: int = Field(..., description="이번 달이 방문 기한인 대상")
    overdue: int = Field(..., description="방문 기한이 오늘 전인 대상")
    co_open: int = Field(..., description="동행 담당으로 진행 중인 대상")


class StaffLoadPageOut(Schema):
    dongs: list[DongRef] = Field(..., description="볼 수 있는 동")
    dong: DongRef | None = Field(..., description="업무량을 보인 동(dong_id가 없으면 첫 동)")
    rows: list[StaffLoadOut]


class NoticeIn(Schema):
    template_id: int = Field(..., description="사용 중인 안내 문자 서식")
    visit_on: dt.date = Field(..., description="방문 예정일(오늘 이후)")


class NoticeOut(Schema):
    id: int
    target_id: int
    template_id: int
    visit_on: dt.date
    phone: str
    body: str
    status: Literal["queued", "sending", "sent", "failed"]
    result: str
    created_at: dt.datetime


class OutboxOut(Schema):
    id: int
    created_at: dt.datetime
    notice_id: int | None
    target_id: int | None
    name: str = Field(..., description="받는 사람(세대 대상은 '세대')")
    dong_name: str
    phone: str
    body: str


class MessageTemplateOut(Schema):
    id: int
    code: str
    name: str
    body: str
    active: bool
    program_id: int | None


class MessageTemplateIn(Schema):
    name: str = Field(..., max_length=60)
    body: str = Field(..., description="자리표시: {이름} {방문예정일} {담당자} {연락처} {사업명} {동}")
    active: bool = True


class PregnancyOut(Schema):
    id: int
    resident_id: int
    name: str
    dong_id: int
    dong_name: str
    expected_delivery_on: dt.date
    registered_on: dt.date
    delivered_on: dt.date | None
    note: str


class PregnancyIn(Schema):
    resident_id: int | None = Field(None, description="볼 수 있는 범위의 주민(rrn과 둘 중 하나)")
    rrn: str | None = Field(
        None, max_length=14, description="주민등록번호(예: 940101-2345678; resident_id와 둘 중 하나)"
    )
    expected_delivery_on: dt.date
    registered_on: dt.date
    delivered_on: dt.date | None = None
    note: str = Field("", max_length=200)


class PregnancyImportOut(Schema):
    rows: int
    created: int
    updated: int
