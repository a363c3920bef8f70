"""A small synthetic district for access tests: every role, in-scope and out-of-scope records.

성북구 (동 A with zones Z1 and Z2 and a 반 outside any zone; 동 B with zone ZB) and 종로구 (동 X), an
agency in 성북구, one user per role (동 roles in 동 A; the 일반 주무관 is the officer of Z1 with zone
scope), and residents in each place."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Model
from factory.django import DjangoModelFactory

from chatdong.accounts.access import DEFAULT_SCOPE
from chatdong.accounts.models import Agency, Ban, District, Dong, Role, Scope, Tong, User, Zone
from chatdong.registry.models import Household, Resident, ResidentChange
from chatdong.testing.factories import (
    AgencyFactory,
    BanFactory,
    DistrictFactory,
    DongFactory,
    HouseholdFactory,
    ResidentFactory,
    TongFactory,
    UserFactory,
    ZoneFactory,
)

PASSWORD = "test-password-1234"  # UserFactory's password
M = TypeVar("M", bound=Model)


def make(model: type[M], factory: type[DjangoModelFactory], **kwargs: Any) -> M:
    """factory(**kwargs), typed as the model it makes."""
    made = factory(**kwargs)
    assert isinstance(made, model)
    return made


def staff_member(**kwargs: Any) -> User:
    return make(User, UserFactory, **kwargs)


# Every role, in a fixed order (the columns of the access matrix).
ROLES: tuple[Role, ...] = tuple(Role)


@dataclass
class World:
    district: District
    other_district: District
    dong_a: Dong
    dong_b: Dong
    dong_x: Dong  # in the other district
    ban_z1: Ban
    ban_z2: Ban
    ban_a_free: Ban  # in 동 A, in no zone
    ban_b: Ban
    ban_x: Ban
    zone_z1: Zone  # officer: users[Role.OFFICER]
    zone_z2: Zone  # officer: officer_z2
    zone_b: Zone
    zone_x: Zone
    agency: Agency
    users: dict[Role, User]
    officer_z2: User  # 일반 주무관 of zone Z2 (동 A)
    planner_b: User  # 복지플래너 in 동 B
    agency_colleague: User  # another case worker of the agency
    staff_x: User  # 복지플래너 in the other district
    hh_z1: Household
    hh_z2: Household
    hh_a_free: Household
    hh_b: Household
    hh_x: Household
    r_z1: Resident  # head of hh_z1
    r_z1_child: Resident
    r_z1_moved_out: Resident  # former member of hh_z1
    r_z2: Resident
    r_a_free: Resident
    r_b: Resident
    r_x: Resident
    changes: dict[str, ResidentChange] = field(default_factory=dict)

    @property
    def current_residents_a(self) -> set[int]:
        return {self.r_z1.pk, self.r_z1_child.pk, self.r_z2.pk, self.r_a_free.pk}

    @property
    def current_residents_z1(self) -> set[int]:
        return {self.r_z1.pk, self.r_z1_child.pk}


def _ban(dong: Dong, tong_number: int, ban_number: int, zone: Zone | None) -> Ban:
    tong = Tong.objects.filter(dong=dong, number=tong_number).first() or make(
        Tong, TongFactory, dong=dong, number=tong_number
    )
    return make(Ban, BanFactory, tong=tong, number=ban_number, zone=zone)


def _household(ban: Ban, no: str, road: str, main: int) -> Household:
    return make(
        Household,
        HouseholdFactory,
        household_no=no,
        ban=ban,
        road_name=road,
        building_main=main,
        member_count=1,
    )


def _resident(household: Household, name: str, *, relation: str = "본인", **kwargs: object) -> Resident:
    return make(Resident, ResidentFactory, household=household, name=name, relation=relation, **kwargs)


def build_world() -> World:
    district = make(District, DistrictFactory, name="성북구", code="1129000000")
    other_district = make(District, DistrictFactory, name="종로구", code="1111000000")
    dong_a = make(Dong, DongFactory, district=district, name="가동", code="1129052500")
    dong_b = make(Dong, DongFactory, district=district, name="나동", code="1129055500")
    dong_x = make(Dong, DongFactory, district=other_district, name="다동", code="1111051500")
    agency = make(Agency, AgencyFactory, district=district, name="가나종합사회복지관")

    users: dict[Role, User] = {}
    for role in ROLES:
        scope = DEFAULT_SCOPE[role]
        users[role] = staff_member(
            username=f"u-{role.value}",
            full_name=f"{role.label} 직원",
            role=role,
            scope=scope,
            dong=dong_a if scope in (Scope.DONG, Scope.ZONE) else None,
            district=district if scope == Scope.DISTRICT else None,
            agency=agency if scope == Scope.AGENCY else None,
        )
    officer_z2 = staff_member(
        username="u-officer-z2", full_name="둘째 주무관", role=Role.OFFICER, dong=dong_a
    )
    planner_b = staff_member(
        username="u-planner-b", full_name="나동 플래너", role=Role.PLANNER_ELDER, dong=dong_b
    )
    agency_colleague = staff_member(
        username="u-agency-2", full_name="기관 동료", role=Role.AGENCY_WORKER, agency=agency
    )
    staff_x = staff_member(
        username="u-staff-x", full_name="다동 플래너", role=Role.PLANNER_ELDER, dong=dong_x
    )

    zone_z1 = make(Zone, ZoneFactory, dong=dong_a, name="1구역", officer=users[Role.OFFICER])
    zone_z2 = make(Zone, ZoneFactory, dong=dong_a, name="2구역", officer=officer_z2)
    zone_b = make(Zone, ZoneFactory, dong=dong_b, name="1구역", officer=planner_b)
    zone_x = make(Zone, ZoneFactory, dong=dong_x, name="1구역", officer=staff_x)
    ban_z1 = _ban(dong_a, 1, 1, zone_z1)
    ban_z2 = _ban(dong_a, 1, 2, zone_z2)
    ban_a_free = _ban(dong_a, 2, 1, None)
    ban_b = _ban(dong_b, 1, 1, zone_b)
    ban_x = _ban(dong_x, 1, 1, zone_x)

    hh_z1 = _household(ban_z1, "A-0001", "가로", 1)
    hh_z2 = _household(ban_z2, "A-0002", "가로", 2)
    hh_a_free = _household(ban_a_free, "A-0003", "나로", 3)
    hh_b = _household(ban_b, "B-0001", "다로", 4)
    hh_x = _household(ban_x, "X-0001", "라로", 5)
    r_z1 = _resident(hh_z1, "김가일", phone="01011110001", birth_date=dt.date(1950, 3, 1), sex="M")
    r_z1_child = _resident(
        hh_z1, "김가이", relation="자녀", phone="01011110002", birth_date=dt.date(1985, 7, 9)
    )
    r_z1_moved_out = _resident(
        hh_z1,
        "김가삼",
        relation="자녀",
        phone="01011110003",
        status=Resident.Status.MOVED_OUT,
        status_changed_on=dt.date(2024, 1, 15),
    )
    r_z2 = _resident(hh_z2, "김나일", phone="01022220001")
    r_a_free = _resident(hh_a_free, "김다일", phone="01033330001")
    r_b = _resident(hh_b, "김라일", phone="01044440001")
    r_x = _resident(hh_x, "김마일", phone="01055550001")
    Household.objects.filter(pk=hh_z1.pk).update(member_count=2)

    world = World(
        district=district,
        other_district=other_district,
        dong_a=dong_a,
        dong_b=dong_b,
        dong_x=dong_x,
        ban_z1=ban_z1,
        ban_z2=ban_z2,
        ban_a_free=ban_a_free,
        ban_b=ban_b,
        ban_x=ban_x,
        zone_z1=zone_z1,
        zone_z2=zone_z2,
        zone_b=zone_b,
        zone_x=zone_x,
        agency=agency,
        users=users,
        officer_z2=officer_z2,
        planner_b=planner_b,
        agency_colleague=agency_colleague,
        staff_x=staff_x,
        hh_z1=hh_z1,
        hh_z2=hh_z2,
        hh_a_free=hh_a_free,
        hh_b=hh_b,
        hh_x=hh_x,
        r_z1=r_z1,
        r_z1_child=r_z1_child,
        r_z1_moved_out=r_z1_moved_out,
        r_z2=r_z2,
        r_a_free=r_a_free,
        r_b=r_b,
        r_x=r_x,
    )
    for key, resident in (("z1", r_z1), ("z2", r_z2), ("b", r_b), ("x", r_x)):
        world.changes[key] = ResidentChange.objects.create(
            resident=resident,
            kind=ResidentChange.Kind.MOVED,
            fields={"road_name": ["옛길", resident.road_name], "rrn_index": ["a", "b"]},
        )
    return world
