"""Importing a newer full extract is a diff: moved, renamed, born, deceased and absent residents are
updated (matched by the identity number's blind index) with their history; the same file twice changes
nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, cast

import pytest
from django.utils import timezone

from chatdong.core.rrn import blind_index
from chatdong.core.time import today
from chatdong.registry.models import Household, ImportBatch, Resident, ResidentChange
from chatdong.registry.services import residents_import
from chatdong.registry.tests.test_import_files import (
    SAMSEON_DONG,
    dongs,  # noqa: F401 - a fixture, used by pytestmark
    family,
    person,
    write_extract,
)
from chatdong.testing.factories import DongFactory, ResidentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dongs")]


def import_rows(tmp_path: Path, name: str, rows: list[dict[str, str]]) -> ImportBatch:
    batch = residents_import(path=write_extract(tmp_path / name, rows), actor=None)
    assert batch.status == ImportBatch.Status.SUCCEEDED, list(batch.errors.values_list("row", "reason"))
    return batch


def resident(rrn: str) -> Resident:
    return Resident.objects.select_related("household", "ban__tong").get(
        rrn_index=blind_index(rrn.replace("-", ""))
    )


def snapshot() -> tuple[list[Any], list[Any], int]:
    return (
        list(Resident.objects.order_by("id").values()),
        list(Household.objects.order_by("id").values()),
        ResidentChange.objects.count(),
    )


def test_same_file_twice_changes_nothing(tmp_path: Path) -> None:
    path = write_extract(tmp_path / "x.csv", family())
    residents_import(path=path, actor=None)
    before = snapshot()

    second = residents_import(path=path, actor=None)

    assert second.status == ImportBatch.Status.SUCCEEDED
    assert snapshot() == before
    assert second.summary == {
        "created": 0,
        "updated": 0,
        "unchanged": 3,
        "absent_moved_out": 0,
        "households_created": 0,
        "households_moved": 0,
        "tongs_created": 0,
        "bans_created": 0,
        "changes": {},
        "rows": 3,
    }


def test_newer_extract_updates_moves_births_deaths_and_departures(tmp_path: Path) -> None:
    first = [
        person(),  # 김하나: moves to 삼선동 with her household
        person(세대주관계="배우자", 성명="박둘", 주민등록번호="590301-1234567"),  # 박둘: dies
        person(세대번호="11290525-000002", 성명="이셋", 주민등록번호="400101-2345678"),  # renamed
        person(세대번호="11290525-000003", 성명="최넷", 주민등록번호="700101-1234567"),  # absent: moved out
        person(세대번호="11290525-000003", 성명="정다섯", 주민등록번호="720101-2234567", 세대주관계="배우자"),
    ]
    import_rows(tmp_path, "2024-01.csv", first)
    hana_before = resident("610517-2123456")
    second = [
        person(
            성명="김하나",
            행정동코드=SAMSEON_DONG,
            통="4",
            반="1",
            도로명="삼선교로",
            건물본번="7",
            상세주소="",
            전입일="2025-02-01",
        ),
        person(
            세대주관계="배우자",
            성명="박둘",
            주민등록번호="590301-1234567",
            행정동코드=SAMSEON_DONG,
            통="4",
            반="1",
            도로명="삼선교로",
            건물본번="7",
            상세주소="",
            전입일="2025-02-01",
            상태="사망",
            상태변경일="2025-03-02",
        ),
        person(세대번호="11290525-000002", 성명="이세희", 주민등록번호="400101-2345678"),
        person(세대번호="11290525-000003", 성명="정다섯", 주민등록번호="720101-2234567", 세대주관계="본인"),
        # A newborn (registered on the day of birth) and an adult moving in.
        person(
            세대번호="11290525-000003",
            성명="정여섯",
            주민등록번호="250301-4234567",
            세대주관계="자녀",
            전입일="2025-03-01",
            전화번호="",
        ),
        person(세대번호="11290525-000004", 성명="한일곱", 주민등록번호="880808-1234567", 전입일="2025-01-05"),
    ]

    batch = import_rows(tmp_path, "2025-04.csv", second)

    assert batch.summary == {
        "created": 2,
        "updated": 4,
        "unchanged": 0,
        "absent_moved_out": 1,
        "households_created": 1,
        "households_moved": 1,
        "tongs_created": 1,
        "bans_created": 1,
        "changes": {
            "born": 1,
            "deceased": 1,
            "moved": 1,
            "moved_in": 1,
            "moved_out": 1,
            "renamed": 1,
            "updated": 1,
        },
        "rows": 6,
    }
    changes = {
        (c.resident.name, c.kind): c.fields
        for c in ResidentChange.objects.select_related("resident").filter(batch=batch)
    }
    moved_address = {
        "dong_code": ["1129052500", SAMSEON_DONG],
        "tong": [1, 4],
        "ban": [2, 1],
        "road_name": ["성북로", "삼선교로"],
        "building_main": [12, 7],
        "address_detail": ["101호", ""],
        "moved_in_on": ["2015-06-17", "2025-02-01"],
    }
    assert changes == {
        ("김하나", ResidentChange.Kind.MOVED): moved_address,
        ("박둘", ResidentChange.Kind.DECEASED): moved_address
        | {"status": ["resident", "deceased"], "status_changed_on": [None, "2025-03-02"]},
        ("이세희", ResidentChange.Kind.RENAMED): {"name": ["이셋", "이세희"]},
        ("정다섯", ResidentChange.Kind.UPDATED): {"relation": ["배우자", "본인"]},
        ("정여섯", ResidentChange.Kind.BORN): {},
        ("한일곱", ResidentChange.Kind.MOVED_IN): {},
        ("최넷", ResidentChange.Kind.MOVED_OUT): {"status": ["resident", "moved_out"]},
    }

    hana = resident("610517-2123456")
    assert hana.ban is not None
    assert hana.pk == hana_before.pk
    assert (hana.dong.code, hana.ban.tong.number, hana.road_address) == (SAMSEON_DONG, 4, "삼선교로 7")
    assert hana.household_id == hana_before.household_id  # the same 세대, moved
    assert (hana.household.dong.code, hana.household.road_address) == (SAMSEON_DONG, "삼선교로 7")
    dul = resident("590301-1234567")
    assert (dul.status, dul.status_changed_on) == ("deceased", dt.date(2025, 3, 2))
    choi = resident("700101-1234567")
    assert (choi.status, choi.status_changed_on, choi.name) == ("moved_out", today(), "최넷")
    assert resident("250301-4234567").birth_date == dt.date(2025, 3, 1)
    assert dict(Household.objects.values_list("household_no", "member_count")) == {
        "11290525-000001": 1,  # 박둘 died
        "11290525-000002": 1,
        "11290525-000003": 2,  # 최넷 left, 정여섯 born
        "11290525-000004": 1,
    }


def test_birth_is_told_from_the_previous_extract_date(tmp_path: Path) -> None:
    first = import_rows(tmp_path, "a.csv", [person()])
    ImportBatch.objects.filter(pk=first.pk).update(created_at=timezone.make_aware(dt.datetime(2024, 12, 31)))
    baby = person(세대주관계="자녀", 성명="김아기", 주민등록번호="250110-3234567", 전입일="2025-02-01")
    adult = person(세대주관계="동거인", 성명="김어른", 주민등록번호="800110-1234567", 전입일="2025-02-01")

    batch = import_rows(tmp_path, "b.csv", [person(), baby, adult])

    kinds = dict(ResidentChange.objects.filter(batch=batch).values_list("resident__name", "kind"))
    assert kinds == {"김아기": ResidentChange.Kind.BORN, "김어른": ResidentChange.Kind.MOVED_IN}


def test_a_resident_listed_again_after_moving_out_returns(tmp_path: Path) -> None:
    everyone = family()
    import_rows(tmp_path, "a.csv", everyone)
    import_rows(tmp_path, "b.csv", everyone[:2])  # 이셋 absent: moved out

    batch = import_rows(tmp_path, "c.csv", everyone)

    (change,) = ResidentChange.objects.filter(batch=batch)
    assert (change.resident.name, change.kind) == ("이셋", ResidentChange.Kind.RETURNED)
    assert change.fields == {
        "status": ["moved_out", "resident"],
        "status_changed_on": [today().isoformat(), None],
    }
    assert resident("400101-2345678").status == "resident"
    assert Household.objects.get(household_no="11290525-000002").member_count == 1


def test_residents_of_another_district_are_not_marked_absent(tmp_path: Path) -> None:
    other_dong = DongFactory(code="1111051500", district__code="1111000000")
    elsewhere = cast(Resident, ResidentFactory(household__ban__tong__dong=other_dong))

    import_rows(tmp_path, "a.csv", family())

    elsewhere.refresh_from_db()
    assert elsewhere.status == "resident"
    assert ResidentChange.objects.count() == 0


def test_phone_format_change_alone_updates_without_history(tmp_path: Path) -> None:
    import_rows(tmp_path, "a.csv", [person()])

    batch = import_rows(tmp_path, "b.csv", [person(전화번호="01012345678")])

    assert (batch.summary["updated"], ResidentChange.objects.count()) == (1, 0)
    assert Resident.objects.get().phone == "01012345678"
