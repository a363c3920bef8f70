"""API schemas for the case meetings. Residents appear only by masked name (김*일) and case number."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from chatdong.accounts.schemas import DongRef, StaffRef
from chatdong.casemeeting.models import Attendee, Decision, Meeting
from chatdong.casemeeting.selectors import ItemRow, Suggestion


class MeetingOut(Schema):
    id: int
    dong: DongRef
    held_on: dt.date
    starts_at: dt.time | None
    place: str
    chair: StaffRef | None
    status: str = Field(..., description="planned(예정) | held(개최·결정 반영) | closed(마감)")
    status_label: str
    summary: str = Field(..., description="회의 총평")
    minutes_recorded_at: dt.datetime | None = Field(None, description="회의록 기록(결정 반영) 일시")

    @staticmethod
    def resolve_status_label(obj: Meeting) -> str:
        return obj.get_status_display()


class MeetingListOut(MeetingOut):
    item_count: int = Field(..., description="안건 수")
    attendee_count: int = Field(..., description="참석자 수")


class AttendeeOut(Schema):
    id: int
    side: str = Field(..., description="public(공공) | private(민간)")
    name: str
    organisation: str
    title: str
    user_id: int | None
    agency_id: int | None

    @staticmethod
    def resolve_side(obj: Attendee) -> str:
        return obj.side


class DecisionOut(Schema):
    kind: str = Field(..., description="classify | plan_approve | close")
    kind_label: str
    case_type: str
    lead_agency_id: int | None
    co_agency_ids: list[int]
    plan_id: int | None
    close_reason: str
    follow_up_on: dt.date | None
    note: str
    applied_at: dt.datetime | None = Field(None, description="사례에 반영한 일시(회의록 기록 때)")

    @staticmethod
    def resolve_kind_label(obj: Decision) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_co_agency_ids(obj: Decision) -> list[int]:
        return sorted(a.pk for a in obj.co_agencies.all())


class AgendaItemOut(Schema):
    id: int
    position: int
    case_id: int
    name_masked: str = Field(..., description="가린 이름(김*일)")
    step: str = Field(..., description="회의 당시 사례 단계(회의록 기록 때 고정)")
    step_label: str
    origin: str
    reason: str
    discussion: str
    decisions: list[DecisionOut]

    @staticmethod
    def resolve_id(obj: ItemRow) -> int:
        return obj.item.pk

    @staticmethod
    def resolve_position(obj: ItemRow) -> int:
        return obj.item.position

    @staticmethod
    def resolve_case_id(obj: ItemRow) -> int:
        return obj.case.pk

    @staticmethod
    def resolve_step(obj: ItemRow) -> str:
        return obj.item.step_at_meeting or obj.case.step

    @staticmethod
    def resolve_step_label(obj: ItemRow) -> str:
        return obj.step_label

    @staticmethod
    def resolve_origin(obj: ItemRow) -> str:
        return obj.item.origin

    @staticmethod
    def resolve_reason(obj: ItemRow) -> str:
        return obj.item.reason

    @staticmethod
    def resolve_discussion(obj: ItemRow) -> str:
        return obj.item.discussion


class MeetingDetailOut(Schema):
    meeting: MeetingOut
    attendees: list[AttendeeOut]
    items: list[AgendaItemOut] = Field(..., description="볼 수 있는 안건(민간기관은 공유된 사례만)")


class SuggestionOut(Schema):
    case_id: int
    name_masked: str
    step: str
    step_label: str
    reason: str

    @staticmethod
    def resolve_case_id(obj: Suggestion) -> int:
        return obj.case.pk

    @staticmethod
    def resolve_step(obj: Suggestion) -> str:
        return obj.case.step

    @staticmethod
    def resolve_step_label(obj: Suggestion) -> str:
        return obj.case.get_step_display()


class MeetingIn(Schema):
    held_on: dt.date = Field(..., description="회의일")
    starts_at: dt.time | None = None
    place: str = Field("", max_length=100)
    chair_id: int | None = Field(None, description="회의 주재(이 동 직원)")


class AttendeeIn(Schema):
    user_id: int | None = Field(None, description="동 직원 또는 구 안 민간기관 사례관리자 계정")
    name: str = Field("", max_length=40, description="외부 참석자 이름(user_id 없을 때)")
    organisation: str = Field("", max_length=80, description="외부 참석자 소속")
    title: str = Field("", max_length=40)


class AgendaItemIn(Schema):
    case_id: int
    reason: str = Field("", max_length=200)
    suggested: bool = Field(False, description="결정 필요 사례 목록에서 고른 것")


class DecisionIn(Schema):
    kind: Literal["classify", "plan_approve", "close"]
    case_type: str = Field("", description="classify: intensive | general | linkage")
    lead_agency_id: int | None = Field(None, description="classify: 주사례관리 기관(없으면 동 주민센터)")
    co_agency_ids: list[int] = Field(default_factory=list, description="classify: 협력 기관")
    plan_id: int | None = Field(None, description="plan_approve: 승인할 계획")
    close_reason: str = Field("", description="close: 종결 사유 코드")
    follow_up_on: dt.date | None = Field(None, description="close: 사후관리 날짜")
    note: str = Field("", max_length=300)


class ItemRecordIn(Schema):
    discussion: str = ""
    decisions: list[DecisionIn] = Field(default_factory=list)


class MinutesIn(Schema):
    summary: str = ""


class ExportIn(Schema):
    reason: str = Field(..., min_length=1, max_length=300, description="내려받는 사유(접속기록에 남음)")
