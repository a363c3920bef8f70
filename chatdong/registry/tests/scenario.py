"""A small 동 for the registry page tests: two zones, a household of two, neighbours and a 동 next door.

시험A동 1통 1반 (zone 1, officer `officer`): 김영희 (본인, 기초생활수급 생계·의료, 독거노인 아님) and
  박철수 (배우자), both at 성북로 12; 김전출 (moved out) at 성북로 40.
시험A동 1통 2반 (zone 2, another officer): 이민수 at 보문로 7.
시험B동: 최다은 at 성북로 12-1.
Three of them share the phone ending 5678 (김영희, 이민수, 최다은).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chatdong.accounts.models import Ban, Dong, Role, Scope, User
from chatdong.registry.models import Household, Resident, ResidentChange
from chatdong.testing.factories import (
    BanFactory,
    DistrictFactory,
    DongFactory,
    HouseholdFactory,
    ResidentFactory,
    TongFactory,
    UserFactory,
    ZoneFactory,
)

KIM_RRN = "5003022123456"


@dataclass
class Scenario:
    dong_a: Dong
    dong_b: Dong
    ban_1: Ban
    ban_2: Ban
    household: Household
    kim: Resident
    park: Resident
    moved: Resident
    lee: Resident
    choi: Resident
    planner: User  # 어르신 복지플래너, 시험A동 (동 scope)
    officer: User  # 일반 주무관, zone 1 of 시험A동
    officer_2: User  # 일반 주무관, zone 2 of 시험A동
    district_staff: User  # 구 사업담당 (구 scope: import, audit review, personal data)
    admin: User  # 시스템 관리자 (import, audit review; no personal data)
    support: User  # 추진지원단 (no personal data)
    agency_worker: User  # 민간기관 사례관리자 (no personal data)
    planner_b: User  # 어르신 복지플래너, 시험B동


def build():  # untyped on purpose: factory_boy types its calls as the factory, not the model
    district = DistrictFactory()
    dong_a = DongFactory(name="시험A동", code="1129099001", district=district)
    dong_b = DongFactory(name="시험B동", code="1129099002", district=district)
    officer = UserFactory(
        username="officer1", full_name="정주무", role=Role.OFFICER, dong=dong_a, phone="0229001234"
    )
    officer_2 = UserFactory(username="officer2", full_name="한주무", role=Role.OFFICER, dong=dong_a)
    zone_1 = ZoneFactory(dong=dong_a, name="1구역", officer=officer)
    zone_2 = ZoneFactory(dong=dong_a, name="2구역", officer=officer_2)
    tong_a = TongFactory(dong=dong_a, number=1)
    ban_1 = BanFactory(tong=tong_a, number=1, zone=zone_1)
    ban_2 = BanFactory(tong=tong_a, number=2, zone=zone_2)
    ban_b = BanFactory(tong=TongFactory(dong=dong_b, number=3), number=4)

    household = HouseholdFactory(
        household_no="H-0001", ban=ban_1, road_name="성북로", building_main=12, member_count=2
    )
    kim = ResidentFactory(
        household=household,
        name="김영희",
        rrn=KIM_RRN,
        birth_date=dt.date(1950, 3, 2),
        sex="F",
        phone="01012345678",
        basic_livelihood=True,
        livelihood_benefits="생계,의료",
        moved_in_on=dt.date(2001, 4, 5),
    )
    park = ResidentFactory(
        household=household,
        name="박철수",
        relation="배우자",
        birth_date=dt.date(1948, 11, 20),
        sex="M",
        phone="01022223333",
        disability=Resident.Disability.SEVERE,
    )
    moved = ResidentFactory(
        household=HouseholdFactory(household_no="H-0002", ban=ban_1, road_name="성북로", building_main=40),
        name="김전출",
        phone="01044445555",
        status=Resident.Status.MOVED_OUT,
        status_changed_on=dt.date(2024, 1, 31),
    )
    lee = ResidentFactory(
        household=HouseholdFactory(household_no="H-0003", ban=ban_2, road_name="보문로", building_main=7),
        name="이민수",
        birth_date=dt.date(1985, 7, 1),
        sex="M",
        phone="01099995678",
        single_parent=True,
    )
    choi = ResidentFactory(
        household=HouseholdFactory(
            household_no="H-0004", ban=ban_b, road_name="성북로", building_main=12, building_sub=1
        ),
        name="최다은",
        building_sub=1,
        phone="01077775678",
        single_elder=True,
    )
    ResidentChange.objects.create(
        resident=kim,
        kind=ResidentChange.Kind.MOVED,
        fields={"address_detail": ["", "101호"], "status": ["moved_out", "resident"]},
    )
    return Scenario(
        dong_a=dong_a,
        dong_b=dong_b,
        ban_1=ban_1,
        ban_2=ban_2,
        household=household,
        kim=kim,
        park=park,
        moved=moved,
        lee=lee,
        choi=choi,
        planner=UserFactory(username="planner", full_name="오플래너", role=Role.PLANNER_ELDER, dong=dong_a),
        officer=officer,
        officer_2=officer_2,
        district_staff=UserFactory(
            username="gu_staff", full_name="구담당", role=Role.DISTRICT_STAFF, district=district
        ),
        admin=UserFactory(username="admin1", full_name="관리자", role=Role.ADMIN, district=district),
        support=UserFactory(
            username="support1", full_name="지원단", role=Role.SUPPORT_TEAM, district=district
        ),
        agency_worker=UserFactory(
            username="agency1", full_name="기관직원", role=Role.AGENCY_WORKER, scope=Scope.AGENCY
        ),
        planner_b=UserFactory(
            username="planner_b", full_name="B플래너", role=Role.PLANNER_ELDER, dong=dong_b
        ),
    )
