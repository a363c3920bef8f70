"""API schemas for visits, screenings, health assessments and the 서울아기 schedule."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from chatdong.accounts.schemas import DongRef, StaffRef
from chatdong.visits.models import HealthAssessment, HomeVisitSchedule, NeedItem, Screening, Visit
from chatdong.visits.selectors import place_label

Outcome = Literal["visited", "absent", "refused", "moved", "deceased"]
ScreeningKind = Literal["gds15", "phq9", "sbqr", "kepds"]


class VisitOut(Schema):
    id: int
    target_id: int
    program: str
    reason: str
    dong: DongRef
    resident_id: int | None
    resident_name: str | None
    place: str = Field(..., description="통·반")
    road_address: str
    staff: StaffRef
    co_staff: StaffRef | None
    scheduled_on: dt.date | None
    due_on: dt.date | None
    visited_at: dt.datetime | None
    outcome: str
    outcome_label: str
    attempt: int
    notes: str

    @staticmethod
    def resolve_program(obj: Visit) -> str:
        return obj.target.program.name

    @staticmethod
    def resolve_reason(obj: Visit) -> str:
        return obj.target.reason

    @staticmethod
    def resolve_resident_name(obj: Visit) -> str | None:
        return obj.resident.name if obj.resident else None

    @staticmethod
    def resolve_place(obj: Visit) -> str:
        return place_label(obj)

    @staticmethod
    def resolve_road_address(obj: Visit) -> str:
        return obj.household.road_address if obj.household else ""

    @staticmethod
    def resolve_outcome_label(obj: Visit) -> str:
        return obj.get_outcome_display()


class NeedOut(Schema):
    category: str
    need: bool
    note: str

    @staticmethod
    def resolve_category(obj: NeedItem) -> str:
        return obj.category


class VisitDetailOut(VisitOut):
    """Built from selectors.VisitDetail (the visit's fields, then what was recorded at it)."""

    needs: list[NeedOut]
    screening_ids: list[int] = Field(..., description="마음건강 평가(볼 권한이 있을 때만)")
    referral_ids: list[int]

    @staticmethod
    def resolve_needs(obj: Visit) -> list[NeedItem]:
        return list(getattr(obj, "detail_needs", []))

    @staticmethod
    def resolve_screening_ids(obj: Visit) -> list[int]:
        return list(getattr(obj, "detail_screening_ids", []))

    @staticmethod
    def resolve_referral_ids(obj: Visit) -> list[int]:
        return list(getattr(obj, "detail_referral_ids", []))


class VisitPlanIn(Schema):
    target_id: int
    scheduled_on: dt.date
    staff_id: int | None = Field(
        None, description="방문자(생략하면 본인). 동장·팀장·수퍼바이저만 다른 직원을 지정"
    )
    co_staff_id: int | None = Field(None, description="동행자(복지플래너+간호사 함께 방문)")
    schedule_item_id: int | None = Field(None, description="서울아기 건강첫걸음 일정 항목")


class NeedIn(Schema):
    need: bool
    note: str = ""


class HealthIn(Schema):
    bp_systolic: int | None = None
    bp_diastolic: int | None = None
    glucose: int | None = None
    glucose_kind: Literal["", "fasting", "random"] = ""
    chronic: list[str] = Field(default_factory=list, description=", ".join(HealthAssessment.Chronic.values))
    medication_count: int | None = None
    medications: str = ""
    health_check_done: bool | None = None
    health_check_year: int | None = None
    falls_last_year: int | None = None
    frailty_score: int | None = Field(None, description="K-FRAIL 0–5")
    notes: str = ""


class ScreeningIn(Schema):
    kind: ScreeningKind
    answers: list[int] = Field(
        ...,
        description=(
            "문항 순서대로 한 개씩. GDS-15: 예 1/아니오 0(역문항은 서버가 뒤집음); PHQ-9: 0–3; "
            "SBQ-R: 1번 1–4, 2번 1–5, 3번 1–3, 4번 0–6; K-EPDS: 보기 순서 0–3(역문항은 서버가 뒤집음)"
        ),
    )


class VisitRecordIn(Schema):
    outcome: Outcome
    notes: str = ""
    needs: dict[str, NeedIn] = Field(
        default_factory=dict, description="욕구 영역(core.needs) → 필요 여부·메모"
    )
    health: HealthIn | None = Field(None, description="방문간호사만")
    screenings: list[ScreeningIn] = Field(default_factory=list)
    next_on: dt.date | None = Field(None, description="다음 방문일(부재: 다음 시도, 방문 완료: 다음 방문)")


class ScreeningOut(Schema):
    id: int
    visit_id: int
    kind: str
    kind_label: str
    answers: list[int]
    score: int
    band: str
    positive: bool
    urgent: bool
    follow_up: str = Field(..., description='"sbqr": SBQ-R을 이어서 하세요')
    referral_id: int | None
    created_at: dt.datetime

    @staticmethod
    def resolve_kind_label(obj: Screening) -> str:
        return obj.get_kind_display()


class VisitRecordOut(Schema):
    visit: VisitOut
    next_visit: VisitOut | None
    screenings: list[ScreeningOut]
    referral_ids: list[int]
    target_status: str


class HealthOut(HealthIn):
    id: int
    visit_id: int
    nurse: StaffRef
    updated_at: dt.datetime


class ScheduleItemIO(Schema):
    id: int | None = None
    label: str
    track: Literal["universal", "sustained"]
    anchor: Literal["birth", "expected_delivery"]
    offset_days: int = Field(..., description="기준일부터 며칠 뒤에 열리는지(음수 = 기준일 전)")
    window_days: int = Field(..., description="열린 뒤 며칠 안에 해야 하는지")


class ScheduleOut(Schema):
    id: int
    name: str
    items: list[ScheduleItemIO]

    @staticmethod
    def resolve_items(obj: HomeVisitSchedule) -> list[object]:
        return list(obj.items.all())


class ScheduleIn(Schema):
    items: list[ScheduleItemIO]
