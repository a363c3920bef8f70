"""API schemas for tokens, the signed-in account, org units (구/동/통/반, zones) and staff."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from chatdong.accounts import access
from chatdong.accounts.models import Ban, District, Dong, Tong, User, Zone


class TokenIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=200)
    otp: str | None = Field(
        None,
        max_length=12,
        description="OTP 6자리. 개인정보를 다루는 직원이 사무실 망 밖에서 요청할 때 필요합니다.",
    )


class TokenOut(Schema):
    token: str = Field(..., description="'Authorization: Bearer <token>' 으로 보냅니다.")
    expires_at: dt.datetime


class RevokeOut(Schema):
    revoked: bool


class UnitRef(Schema):
    id: int
    name: str


class DongRef(Schema):
    id: int
    name: str
    code: str


class StaffRef(Schema):
    id: int
    full_name: str
    role: str
    role_label: str

    @staticmethod
    def resolve_role_label(obj: User) -> str:
        return obj.get_role_display()


class ZoneRef(Schema):
    id: int
    name: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    role_label: str
    scope: str
    scope_label: str
    district: UnitRef | None
    dong: DongRef | None
    agency: UnitRef | None
    can_view_personal_data: bool = Field(..., description="주민 개인정보(검색·상세)를 볼 수 있는 역할인지")

    @staticmethod
    def resolve_role_label(obj: User) -> str:
        return obj.get_role_display()

    @staticmethod
    def resolve_scope_label(obj: User) -> str:
        return obj.get_scope_display()

    @staticmethod
    def resolve_district(obj: User) -> District | None:
        return (
            obj.district
            or (obj.dong.district if obj.dong else None)
            or (obj.agency.district if obj.agency else None)
        )

    @staticmethod
    def resolve_can_view_personal_data(obj: User) -> bool:
        return access.can_view_personal_data(obj)


class StaffOut(Schema):
    id: int
    full_name: str
    role: str
    role_label: str
    scope: str
    scope_label: str
    dong: DongRef | None
    agency: UnitRef | None
    phone: str
    is_active: bool

    @staticmethod
    def resolve_role_label(obj: User) -> str:
        return obj.get_role_display()

    @staticmethod
    def resolve_scope_label(obj: User) -> str:
        return obj.get_scope_display()


class StaffDetailOut(StaffOut):
    zones: list[ZoneRef] = Field(..., description="담당구역(우리동네주무관으로 배정된 구역)")

    @staticmethod
    def resolve_zones(obj: User) -> list[Zone]:
        return list(obj.zones.order_by("name"))


class DongOut(Schema):
    id: int
    name: str
    code: str


class DongDetailOut(DongOut):
    district: UnitRef
    tong_count: int
    ban_count: int
    zone_count: int
    uncovered_ban_count: int = Field(..., description="담당구역에 들지 않은 반 수")

    @staticmethod
    def resolve_tong_count(obj: Dong) -> int:
        return obj.tongs.count()

    @staticmethod
    def resolve_ban_count(obj: Dong) -> int:
        return Ban.objects.filter(tong__dong=obj).count()

    @staticmethod
    def resolve_zone_count(obj: Dong) -> int:
        return obj.zones.count()

    @staticmethod
    def resolve_uncovered_ban_count(obj: Dong) -> int:
        return Ban.objects.filter(tong__dong=obj, zone__isnull=True).count()


class BanOut(Schema):
    id: int
    number: int
    zone: ZoneRef | None
    officer: StaffRef | None = Field(..., description="담당 우리동네주무관(구역이 없거나 비어 있으면 null)")

    @staticmethod
    def resolve_officer(obj: Ban) -> User | None:
        return obj.zone.officer if obj.zone is not None else None


class TongOut(Schema):
    id: int
    number: int
    bans: list[BanOut]

    @staticmethod
    def resolve_bans(obj: Tong) -> list[Ban]:
        return list(obj.bans.all())  # prefetched, ordered by number


class ZoneOut(Schema):
    id: int
    name: str
    dong: DongRef
    officer: StaffRef | None
    ban_count: int

    @staticmethod
    def resolve_ban_count(obj: Zone) -> int:
        return len(obj.bans.all())  # prefetched


class ZoneBanOut(Schema):
    id: int
    tong: int
    ban: int

    @staticmethod
    def resolve_tong(obj: Ban) -> int:
        return obj.tong.number

    @staticmethod
    def resolve_ban(obj: Ban) -> int:
        return obj.number


class ZoneDetailOut(ZoneOut):
    bans: list[ZoneBanOut]

    @staticmethod
    def resolve_bans(obj: Zone) -> list[Ban]:
        return list(obj.bans.all())
