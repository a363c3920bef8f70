"""API schemas for residents, households and 동 figures. The 주민등록번호 appears only masked
(YYMMDD-S******): the full number is never sent over the API."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from chatdong.accounts.models import User, Zone
from chatdong.accounts.schemas import DongRef, StaffRef, ZoneRef
from chatdong.registry.models import Household, Resident
from chatdong.registry.selectors import ChangeRow, SearchKind


def _tong(obj: Resident | Household) -> int | None:
    return obj.ban.tong.number if obj.ban else None


def _ban(obj: Resident | Household) -> int | None:
    return obj.ban.number if obj.ban else None


class ResidentSearchIn(Schema):
    q: str = Field(
        ...,
        min_length=1,
        max_length=100,
        description="이름(앞부분), 전화번호(전체 또는 끝 4자리), 도로명주소(예: 성북로 12) 또는 주민등록번호",
    )
    kind: SearchKind = Field("auto", description="검색 종류; auto는 검색어 모양으로 정합니다")
    include_inactive: bool = Field(False, description="전출·사망한 주민도 포함")
    limit: int = Field(50, ge=1, le=200, description="최대 건수(넘으면 truncated=true)")


class ResidentOut(Schema):
    id: int
    name: str
    rrn_masked: str = Field(..., description="주민등록번호 앞자리와 성별 자리만(YYMMDD-S******)")
    birth_date: dt.date
    sex: str
    status: str
    status_label: str
    dong: DongRef
    tong: int | None
    ban: int | None
    road_address: str
    household_id: int

    @staticmethod
    def resolve_status_label(obj: Resident) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_tong(obj: Resident) -> int | None:
        return _tong(obj)

    @staticmethod
    def resolve_ban(obj: Resident) -> int | None:
        return _ban(obj)


class ResidentDetailOut(ResidentOut):
    foreigner: bool
    phone: str
    relation: str = Field(..., description="세대주와의 관계")
    road_name: str
    building_main: int
    building_sub: int
    address_detail: str
    moved_in_on: dt.date | None
    status_changed_on: dt.date | None
    basic_livelihood: bool
    livelihood_benefits: list[str] = Field(..., description="기초생활수급 급여 종류(생계·의료·주거·교육)")
    near_poor: bool
    disability: str
    disability_label: str
    single_elder: bool
    single_parent: bool
    zone: ZoneRef | None
    zone_officer: StaffRef | None = Field(..., description="담당 우리동네주무관")

    @staticmethod
    def resolve_livelihood_benefits(obj: Resident) -> list[str]:
        return [b.strip() for b in obj.livelihood_benefits.split(",") if b.strip()]

    @staticmethod
    def resolve_disability_label(obj: Resident) -> str:
        return obj.get_disability_display() if obj.disability else ""

    @staticmethod
    def resolve_zone(obj: Resident) -> Zone | None:
        return obj.ban.zone if obj.ban else None

    @staticmethod
    def resolve_zone_officer(obj: Resident) -> User | None:
        return obj.ban.zone.officer if obj.ban and obj.ban.zone else None


class ResidentSearchOut(Schema):
    kind: str = Field(..., description="실제로 쓴 검색 종류")
    truncated: bool = Field(..., description="limit보다 많아 잘렸으면 true: 검색어를 좁혀 주세요")
    items: list[ResidentOut]


class ChangeItemOut(Schema):
    label: str
    old: str
    new: str


class ResidentChangeOut(Schema):
    id: int
    at: dt.datetime
    kind: str
    kind_label: str
    items: list[ChangeItemOut] = Field(..., description="바뀐 항목(주민등록번호는 나오지 않습니다)")

    @staticmethod
    def resolve_id(obj: ChangeRow) -> int:
        return obj.change.pk

    @staticmethod
    def resolve_at(obj: ChangeRow) -> dt.datetime:
        return obj.change.at

    @staticmethod
    def resolve_kind(obj: ChangeRow) -> str:
        return obj.change.kind

    @staticmethod
    def resolve_kind_label(obj: ChangeRow) -> str:
        return obj.change.get_kind_display()


class HouseholdOut(Schema):
    id: int
    household_no: str
    dong: DongRef
    tong: int | None
    ban: int | None
    road_address: str
    member_count: int

    @staticmethod
    def resolve_tong(obj: Household) -> int | None:
        return _tong(obj)

    @staticmethod
    def resolve_ban(obj: Household) -> int | None:
        return _ban(obj)


class HouseholdListOut(HouseholdOut):
    head_name: str | None = Field(..., description="세대주(현재 거주) 성명")


class HouseholdMemberOut(Schema):
    id: int
    name: str
    relation: str
    rrn_masked: str
    birth_date: dt.date
    sex: str
    status: str
    status_label: str

    @staticmethod
    def resolve_status_label(obj: Resident) -> str:
        return obj.get_status_display()


class HouseholdDetailOut(Schema):
    household: HouseholdOut
    members: list[HouseholdMemberOut] = Field(..., description="세대원(전출·사망 포함), 거주자 먼저")


class DongOverviewOut(Schema):
    dong: DongRef
    residents: int = Field(..., description="현재 거주 주민 수")
    households: int
    age_bands: dict[str, int] = Field(..., description="나이대별 주민 수(만 나이, 예: '65-69')")
    basic_livelihood: int
    near_poor: int
    disability: int
    single_elder: int
    single_parent: int
