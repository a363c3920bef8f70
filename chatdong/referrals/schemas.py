"""API schemas for referrals, desk consultations and the agency directory. A referral carries only what
a receiver needs (name, contact, need); resident_id is given to roles that may open the registry."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from chatdong.accounts.models import Agency
from chatdong.core.needs import NeedCategory
from chatdong.referrals.models import DeskConsultation, DeskNeed, Referral, ReferralEvent

ToKind = Literal["staff", "agency", "health"]
Route = Literal["staff", "planner", "agency", "desk"]


class ReferralEventOut(Schema):
    at: dt.datetime
    action: str
    action_label: str
    from_status: str
    to_status: str
    actor: str
    receiver: str
    note: str

    @staticmethod
    def resolve_action_label(obj: ReferralEvent) -> str:
        return obj.get_action_display()

    @staticmethod
    def resolve_actor(obj: ReferralEvent) -> str:
        return obj.actor.full_name


class ReferralOut(Schema):
    id: int
    dong: str
    status: str = Field(
        ..., description="sent 의뢰 · accepted 접수 · declined 거절 · done 처리 완료 · returned 반송"
    )
    status_label: str
    urgent: bool
    overdue: bool = Field(..., description="회신 기한(영업일)이 지났고 아직 끝나지 않음")
    pingpong: bool = Field(..., description="반송·재의뢰가 CHATDONG_REFERRAL_BOUNCE_LIMIT 회를 넘음")
    need_category: str
    need_label: str
    summary: str
    client_name: str
    client_phone: str
    client_birth_date: dt.date | None
    client_address: str
    source: str = Field(
        ...,
        description="desk 복지상담 · visit 가정방문 · screening 마음건강 평가 · case 사례관리 · staff 직원 · "
        "agency 민간기관 발굴(source_id: 보낸 기관)",
    )
    source_id: int | None
    sender: str
    to_kind: str
    to_user_id: int | None
    to_agency_id: int | None
    receiver: str
    due_on: dt.date
    result: str
    responded_at: dt.datetime | None
    bounce_count: int
    created_at: dt.datetime

    @staticmethod
    def resolve_dong(obj: Referral) -> str:
        return obj.dong.name

    @staticmethod
    def resolve_status_label(obj: Referral) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_overdue(obj: Referral) -> bool:
        return bool(getattr(obj, "is_overdue", False))

    @staticmethod
    def resolve_pingpong(obj: Referral) -> bool:
        return bool(getattr(obj, "is_pingpong", False))

    @staticmethod
    def resolve_need_label(obj: Referral) -> str:
        return obj.get_need_category_display()

    @staticmethod
    def resolve_sender(obj: Referral) -> str:
        return obj.sender.full_name

    @staticmethod
    def resolve_receiver(obj: Referral) -> str:
        from chatdong.referrals.services import receiver_label

        return receiver_label(obj)


class ReferralDetailOut(ReferralOut):
    resident_id: int | None = Field(None, description="동·구 직원에게만(기관·의약과에는 null)")
    events: list[ReferralEventOut]

    @staticmethod
    def resolve_resident_id(obj: Referral, context: dict[str, Any]) -> int | None:
        from chatdong.referrals.access import can_see_person

        user = context["request"].auth
        return obj.resident_id if can_see_person(user) else None

    @staticmethod
    def resolve_events(obj: Referral) -> list[ReferralEvent]:
        return list(obj.events.select_related("actor"))


class NoteIn(Schema):
    note: str = Field("", max_length=2000, description="접수 메모(선택)")


class ReasonIn(Schema):
    reason: str = Field(..., max_length=2000, description="사유(필수)")


class ResultIn(Schema):
    result: str = Field(..., max_length=2000, description="처리 결과(필수): 보낸 사람에게 전달됩니다")


class ForwardIn(Schema):
    to_kind: ToKind
    to_user_id: int | None = Field(None, description="to_kind=staff: 받을 동·구 직원")
    to_agency_id: int | None = Field(None, description="to_kind=agency: 받을 기관")
    reason: str = Field(..., max_length=2000)


class NeedIn(Schema):
    category: NeedCategory
    note: str = Field("", max_length=2000)


class ConsultationIn(Schema):
    resident_id: int | None = Field(
        None, description="등록 주민(GET /residents 로 찾은 id); 없으면 name 필수"
    )
    name: str = Field("", max_length=40)
    phone: str = Field("", max_length=20)
    birth_date: dt.date | None = None
    note: str = Field("", max_length=4000)
    needs: list[NeedIn] = Field(..., min_length=1)


class NeedOut(Schema):
    id: int
    category: str
    category_label: str
    note: str
    route: str
    route_label: str
    referral_id: int | None
    case_id: int | None

    @staticmethod
    def resolve_category_label(obj: DeskNeed) -> str:
        return obj.get_category_display()

    @staticmethod
    def resolve_route_label(obj: DeskNeed) -> str:
        return obj.get_route_display()


class ConsultationOut(Schema):
    id: int
    dong: str
    counselor: str
    consulted_on: dt.date
    resident_id: int | None
    name: str
    phone: str
    birth_date: dt.date | None
    note: str
    needs: list[NeedOut]

    @staticmethod
    def resolve_dong(obj: DeskConsultation) -> str:
        return obj.dong.name

    @staticmethod
    def resolve_counselor(obj: DeskConsultation) -> str:
        return obj.counselor.full_name

    @staticmethod
    def resolve_needs(obj: DeskConsultation) -> list[DeskNeed]:
        return list(obj.needs.all())


class RouteIn(Schema):
    route: Route = Field(
        ...,
        description="staff 동 담당자 인계 · planner 빈곤위기가정 플래너+사례관리 · agency 외부 기관 · desk 상담으로 종결",
    )
    to_user_id: int | None = None
    to_agency_id: int | None = None
    summary: str = Field("", max_length=2000)


class AgencyOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    need_categories: list[str]
    services: str
    contact_person: str
    phone: str
    email: str
    hours: str
    address: str
    accepts_referrals: bool

    @staticmethod
    def resolve_kind_label(obj: Agency) -> str:
        return obj.get_kind_display()


class AgencyFindingIn(Schema):
    """민간기관 발굴 의뢰: 기관 사례관리자가 구 안의 동 주민센터에 알립니다."""

    dong_id: int = Field(..., description="보낼 동(기관이 있는 구의 동)")
    name: str = Field(..., min_length=1, max_length=40, description="대상자 성명(기관이 아는 대로)")
    birth_date: dt.date | None = None
    phone: str = Field("", max_length=20)
    address: str = Field("", max_length=200)
    need_category: NeedCategory
    summary: str = Field(..., min_length=1, max_length=4000, description="발굴 내용")
    urgent: bool = False


class OpenCaseIn(Schema):
    resident_id: int = Field(..., description="이 동의 등록 주민(GET /residents 로 찾은 id)")
    summary: str = Field("", max_length=4000, description="사례 대장에 남길 발굴 내용(비우면 의뢰 내용)")


class OpenCaseOut(Schema):
    case_id: int
    referral: ReferralDetailOut
