"""Importing extracts: every invalid row is reported (row, column, value, reason in Korean) and an
import with any invalid row writes nothing at all."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from chatdong.audit.models import AccessLog
from chatdong.registry import services
from chatdong.registry.models import ImportBatch, Resident
from chatdong.registry.services import residents_import
from chatdong.registry.tests.test_import_files import (
    SAMSEON_DONG,
    dongs,  # noqa: F401 - a fixture, used by pytestmark
    errors_of,
    family,
    person,
    registry_counts,
    write_extract,
)
from chatdong.testing.factories import ResidentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dongs")]


def import_rows(tmp_path: Path, rows: list[dict[str, str]]) -> ImportBatch:
    return residents_import(path=write_extract(tmp_path / "extract.csv", rows), actor=None)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # dates
        ({"전입일": "2021-02-30"}, ("전입일", "2021-02-30", "없는 날짜입니다")),
        (
            {"전입일": "21-03-01"},
            ("전입일", "21-03-01", "날짜는 YYYY-MM-DD 형식이어야 합니다(예: 2021-03-15)"),
        ),
        ({"전입일": "2999-01-01"}, ("전입일", "2999-01-01", "미래의 날짜입니다")),
        ({"전입일": "1950-01-01"}, ("전입일", "1950-01-01", "생년월일(1961-05-17)보다 이른 날짜입니다")),
        (
            {"상태": "사망", "상태변경일": "2024.13.01"},
            ("상태변경일", "2024.13.01", "없는 날짜입니다"),
        ),
        # identity numbers (masked in the report: never the last six digits)
        (
            {"주민등록번호": "610230-2123456"},
            ("주민등록번호", "610230-2******", "주민등록번호 앞자리 '610230'는 없는 생년월일입니다"),
        ),
        (
            {"주민등록번호": "61051-2123456"},
            ("주민등록번호", "610512-1*****", "주민등록번호는 숫자 13자리(예: 900101-1234567)여야 합니다"),
        ),
        (
            {"주민등록번호": "991231-4123456"},
            ("주민등록번호", "991231-4******", "주민등록번호의 생년월일(2099-12-31)이 미래입니다"),
        ),
        ({"주민등록번호": ""}, ("주민등록번호", "", "값이 비어 있습니다")),
        # 동, 통, 반, address
        (
            {"행정동코드": "1129099999"},
            (
                "행정동코드",
                "1129099999",
                "등록되지 않은 행정동코드입니다(이 설치본에 먼저 동을 등록해야 합니다)",
            ),
        ),
        (
            {"행정동코드": "11290"},
            ("행정동코드", "11290", "행정동코드는 숫자 10자리여야 합니다(예: 1129052500)"),
        ),
        ({"통": "0"}, ("통", "0", "1 이상 999 이하의 숫자여야 합니다")),
        ({"반": "이"}, ("반", "이", "숫자만 적어야 합니다")),
        ({"건물본번": "12-1"}, ("건물본번", "12-1", "숫자만 적어야 합니다")),
        ({"도로명": ""}, ("도로명", "", "값이 비어 있습니다")),
        ({"성명": "가" * 41}, ("성명", "가" * 41, "40자를 넘습니다(41자)")),
        ({"성명": "김\n하나"}, ("성명", "김\n하나", "줄바꿈이나 제어 문자가 들어 있습니다")),
        ({"세대번호": "1129#0001"}, ("세대번호", "1129#0001", "영문·숫자·하이픈(-)만 쓸 수 있습니다")),
        # values from a fixed list
        ({"상태": "이민"}, ("상태", "이민", "상태는 거주, 전출, 사망 중 하나이거나 빈칸(거주)이어야 합니다")),
        ({"상태": "전출"}, ("상태변경일", "", "상태가 전출이면 상태변경일(전출일·사망일)을 적어야 합니다")),
        ({"차상위": "있음"}, ("차상위", "있음", "Y 또는 빈칸이어야 합니다")),
        ({"장애": "경증"}, ("장애", "경증", "장애는 '심한', '심하지않은' 또는 빈칸이어야 합니다")),
        (
            {"기초생활수급": "생계,연금"},
            (
                "기초생활수급",
                "생계,연금",
                "알 수 없는 급여 종류입니다: 연금 (생계, 의료, 주거, 교육 중에서 쉼표로)",
            ),
        ),
        # phone
        (
            {"전화번호": "010-12"},
            ("전화번호", "010-12", "전화번호는 0으로 시작하는 숫자 9~11자리여야 합니다(예: 010-1234-5678)"),
        ),
        (
            {"전화번호": "010 1234 567a"},
            ("전화번호", "010 1234 567a", "전화번호에는 숫자와 하이픈(-)만 쓸 수 있습니다"),
        ),
    ],
)
def test_each_kind_of_bad_value_is_reported_and_nothing_is_written(
    tmp_path: Path, changes: dict[str, str], expected: tuple[str, str, str]
) -> None:
    ResidentFactory()
    before = registry_counts()
    rows = [*family(), person(**{"세대번호": "11290525-000009", "주민등록번호": "610517-2999999", **changes})]

    batch = import_rows(tmp_path, rows)

    assert batch.status == ImportBatch.Status.FAILED
    assert errors_of(batch) == [(5, *expected)]
    assert registry_counts() == before


def test_duplicate_identity_number_names_the_earlier_row(tmp_path: Path) -> None:
    before = registry_counts()
    rows = [*family(), person(세대번호="11290525-000003", 성명="김하나둘")]  # row 5 repeats row 2's number

    batch = import_rows(tmp_path, rows)

    assert errors_of(batch) == [
        (5, "주민등록번호", "610517-2******", "같은 주민등록번호가 2행에 이미 있습니다(중복 행)")
    ]
    assert registry_counts() == before


def test_one_household_with_two_addresses_is_an_error(tmp_path: Path) -> None:
    before = registry_counts()
    rows = [*family(), person(주민등록번호="900101-1234567", 성명="최넷", 행정동코드=SAMSEON_DONG)]

    batch = import_rows(tmp_path, rows)

    assert errors_of(batch) == [
        (
            5,
            "세대번호",
            "11290525-000001",
            "같은 세대번호의 2행과 주소(행정동코드·통·반·도로명주소)가 다릅니다",
        )
    ]
    assert registry_counts() == before


def test_every_error_of_every_row_is_collected(tmp_path: Path) -> None:
    rows = [
        person(전입일="2021-02-30", 통="x"),
        person(세대번호="11290525-000002", 주민등록번호="590301-1234567", 행정동코드="1129000000"),
        person(세대번호="11290525-000003", 주민등록번호="590302-1234567"),  # valid
        person(세대번호="11290525-000004", 주민등록번호="590301-1234567", 성명=""),
    ]

    batch = import_rows(tmp_path, rows)

    assert errors_of(batch) == [
        (2, "통", "x", "숫자만 적어야 합니다"),
        (2, "전입일", "2021-02-30", "없는 날짜입니다"),
        (
            3,
            "행정동코드",
            "1129000000",
            "등록되지 않은 행정동코드입니다(이 설치본에 먼저 동을 등록해야 합니다)",
        ),
        (5, "성명", "", "값이 비어 있습니다"),
        (5, "주민등록번호", "590301-1******", "같은 주민등록번호가 3행에 이미 있습니다(중복 행)"),
    ]
    assert (batch.error_count, batch.total_rows) == (5, 4)
    assert batch.message == "오류 5건이 있어 아무것도 반영하지 않았습니다. 파일을 고쳐 다시 올려 주세요."
    assert Resident.objects.count() == 0


def test_rows_written_before_the_first_error_are_rolled_back(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Small write batches, so that valid rows reach the database before the bad last row is read.
    monkeypatch.setattr(services, "_RESIDENT_CHUNK", 2)
    rows = [
        person(세대번호=f"11290525-{n:06d}", 주민등록번호=f"6105{n + 10:02d}-2123456", 성명=f"주민{n}")
        for n in range(1, 8)
    ]
    rows.append(person(세대번호="11290525-000099", 주민등록번호="610599-2123456"))
    with connection.cursor() as cursor:
        indexes = set(connection.introspection.get_constraints(cursor, Resident._meta.db_table))

    batch = import_rows(tmp_path, rows)

    assert errors_of(batch) == [
        (9, "주민등록번호", "610599-2******", "주민등록번호 앞자리 '610599'는 없는 생년월일입니다")
    ]
    assert registry_counts() == (0, 0, 0, 0, 0)
    # The first import builds indexes at the end; a failed one leaves them as they were.
    with connection.cursor() as cursor:
        assert set(connection.introspection.get_constraints(cursor, Resident._meta.db_table)) == indexes


def test_a_failed_import_is_logged_with_its_error_count(tmp_path: Path) -> None:
    batch = import_rows(tmp_path, [person(통="0")])

    (log,) = AccessLog.objects.all()
    assert (log.action, log.object_id) == (AccessLog.Action.IMPORT, str(batch.pk))
    assert log.detail == {"file": "extract.csv", "status": "failed", "errors": 1, "rows": 1}
