"""Importing extracts: the file formats (CSV UTF-8 with/without BOM, CP949, XLSX) and file-level errors.

Also home of the small extract maker the other import tests use (tests build their own files)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import pytest
from django.db import connection
from openpyxl import Workbook

from chatdong.accounts.models import Ban, Dong, Tong
from chatdong.audit.models import AccessLog
from chatdong.core.rrn import blind_index, decrypt_rrn
from chatdong.registry import services
from chatdong.registry.extract_format import HEADERS
from chatdong.registry.models import Household, ImportBatch, Resident, ResidentChange
from chatdong.registry.services import residents_import
from chatdong.testing.factories import DongFactory, ResidentFactory

pytestmark = pytest.mark.django_db

SEONGBUK_DONG = "1129052500"
SAMSEON_DONG = "1129055500"


def person(**changes: str) -> dict[str, str]:
    """One valid extract row, keyed by Korean header; pass header=value to change cells."""
    row = {
        "세대번호": "11290525-000001",
        "세대주관계": "본인",
        "성명": "김하나",
        "주민등록번호": "610517-2123456",
        "전화번호": "010-1234-5678",
        "행정동코드": SEONGBUK_DONG,
        "통": "1",
        "반": "2",
        "도로명": "성북로",
        "건물본번": "12",
        "건물부번": "",
        "상세주소": "101호",
        "전입일": "2015-06-17",
        "상태": "거주",
        "상태변경일": "",
        "기초생활수급": "",
        "차상위": "",
        "장애": "",
        "독거노인": "",
        "한부모": "",
    }
    unknown = set(changes) - set(row)
    assert not unknown, f"not a header: {unknown}"
    row.update(changes)
    return row


def family() -> list[dict[str, str]]:
    """Three people in two households of 성북동."""
    return [
        person(),
        person(
            세대주관계="배우자",
            성명="박둘",
            주민등록번호="590301-1234567",
            전화번호="01098765432",
            장애="심한",
        ),
        person(
            세대번호="11290525-000002",
            성명="이셋",
            주민등록번호="400101-2345678",
            전화번호="",
            통="3",
            반="1",
            도로명="선잠로",
            건물본번="5",
            건물부번="2",
            상세주소="",
            전입일="19990101",
            기초생활수급="생계, 의료",
            독거노인="Y",
        ),
    ]


def write_extract(
    path: Path,
    rows: Sequence[dict[str, str]],
    *,
    headers: Sequence[str] = HEADERS,
    encoding: str = "utf-8-sig",
) -> Path:
    """A CSV extract (or XLSX when the name ends in .xlsx) with these headers, in this order."""
    if path.suffix == ".xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("주민")
        sheet.append(list(headers))
        for row in rows:
            sheet.append([row.get(h, "") for h in headers])
        workbook.save(path)
        return path
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([row.get(h, "") for h in headers])
    return path


@pytest.fixture
def dongs() -> dict[str, Dong]:
    """성북구 with two 동; an installation sets up its 동 before importing residents."""
    return {
        SEONGBUK_DONG: cast(Dong, DongFactory(code=SEONGBUK_DONG, name="성북동")),
        SAMSEON_DONG: cast(Dong, DongFactory(code=SAMSEON_DONG, name="삼선동")),
    }


def errors_of(batch: ImportBatch) -> list[tuple[int, str, str, str]]:
    return list(batch.errors.values_list("row", "column", "value", "reason"))


def registry_counts() -> tuple[int, int, int, int, int]:
    return (
        Resident.objects.count(),
        Household.objects.count(),
        ResidentChange.objects.count(),
        Tong.objects.count(),
        Ban.objects.count(),
    )


# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "encoding"),
    [
        ("utf8-bom.csv", "utf-8-sig"),
        ("utf8.csv", "utf-8"),
        ("cp949.csv", "cp949"),
        ("excel.xlsx", ""),
    ],
)
def test_each_format_imports_the_same_registry(
    tmp_path: Path, dongs: dict[str, Dong], filename: str, encoding: str
) -> None:
    path = write_extract(tmp_path / filename, family(), encoding=encoding)

    batch = residents_import(path=path, actor=None)

    assert (batch.status, batch.total_rows, batch.error_count) == (ImportBatch.Status.SUCCEEDED, 3, 0)
    hana = Resident.objects.select_related("household", "ban__tong").get(name="김하나")
    assert hana.ban is not None
    assert decrypt_rrn(hana.rrn_encrypted) == "6105172123456"
    assert hana.rrn_index == blind_index("6105172123456")
    assert (hana.birth_date, hana.sex, hana.foreigner) == (dt.date(1961, 5, 17), "F", False)
    assert (hana.phone, hana.phone_last4) == ("01012345678", "5678")
    assert (hana.dong, hana.ban.tong.number, hana.ban.number) == (dongs[SEONGBUK_DONG], 1, 2)
    assert (hana.road_name, hana.building_main, hana.building_sub, hana.address_detail) == (
        "성북로",
        12,
        0,
        "101호",
    )
    assert (hana.moved_in_on, hana.status, hana.relation) == (dt.date(2015, 6, 17), "resident", "본인")
    assert (hana.last_import, len(hana.source_digest)) == (batch, 32)
    dul = Resident.objects.get(name="박둘")
    assert (dul.sex, dul.disability, dul.phone, dul.household_id) == (
        "M",
        "severe",
        "01098765432",
        hana.household_id,
    )
    set_ = Resident.objects.select_related("household").get(name="이셋")
    assert (set_.basic_livelihood, set_.livelihood_benefits, set_.single_elder) == (True, "생계,의료", True)
    assert (set_.moved_in_on, set_.phone, set_.phone_last4) == (dt.date(1999, 1, 1), "", "")
    assert set_.household.road_address == "선잠로 5-2"
    households = dict(Household.objects.values_list("household_no", "member_count"))
    assert households == {"11290525-000001": 2, "11290525-000002": 1}
    assert set(Ban.objects.values_list("tong__number", "number")) == {(1, 2), (3, 1)}
    # The first extract is the registry's starting point: no history rows.
    assert ResidentChange.objects.count() == 0
    assert batch.summary == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "absent_moved_out": 0,
        "households_created": 2,
        "households_moved": 0,
        "tongs_created": 2,
        "bans_created": 2,
        "changes": {},
        "rows": 3,
    }


def test_import_is_logged_once_with_its_counts(tmp_path: Path, dongs: dict[str, Dong]) -> None:
    batch = residents_import(path=write_extract(tmp_path / "x.csv", family()), actor=None)

    (log,) = AccessLog.objects.all()
    assert (log.action, log.object_type, log.object_id, log.username) == (
        AccessLog.Action.IMPORT,
        "import_batch",
        str(batch.pk),
        "(system)",
    )
    assert (log.detail["status"], log.detail["created"], log.detail["rows"]) == ("succeeded", 3, 3)


def test_columns_in_any_order_and_unknown_columns_are_ignored(tmp_path: Path, dongs: dict[str, Dong]) -> None:
    headers = ["비고", *reversed(HEADERS)]
    rows = [dict(person(), 비고="메모")]
    batch = residents_import(path=write_extract(tmp_path / "x.csv", rows, headers=headers), actor=None)

    assert batch.status == ImportBatch.Status.SUCCEEDED
    assert Resident.objects.get().name == "김하나"


def test_optional_columns_may_be_left_out(tmp_path: Path, dongs: dict[str, Dong]) -> None:
    headers = [h for h in HEADERS if h not in ("전화번호", "건물부번", "상태", "상태변경일", "차상위")]
    batch = residents_import(path=write_extract(tmp_path / "x.csv", [person()], headers=headers), actor=None)

    assert batch.status == ImportBatch.Status.SUCCEEDED
    resident = Resident.objects.get()
    assert (resident.phone, resident.building_sub, resident.status, resident.near_poor) == (
        "",
        0,
        "resident",
        False,
    )


def test_excel_number_cells_keep_their_leading_zero(tmp_path: Path, dongs: dict[str, Dong]) -> None:
    path = tmp_path / "numbers.xlsx"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(HEADERS))
    values = person(주민등록번호="", 전화번호="")
    cells: list[object] = [values[h] for h in HEADERS]
    # Typed into number cells, Excel drops the leading 0 of a 2000s identity number and of a phone.
    cells[HEADERS.index("주민등록번호")] = 502283123456
    cells[HEADERS.index("전화번호")] = 1012345678
    cells[HEADERS.index("통")] = 1
    cells[HEADERS.index("전입일")] = dt.datetime(2015, 6, 17)
    sheet.append(cells)
    workbook.save(path)

    batch = residents_import(path=path, actor=None)

    assert batch.status == ImportBatch.Status.SUCCEEDED
    resident = Resident.objects.get()
    assert decrypt_rrn(resident.rrn_encrypted) == "0502283123456"
    assert (resident.birth_date, resident.sex, resident.phone) == (dt.date(2005, 2, 28), "M", "01012345678")
    assert resident.moved_in_on == dt.date(2015, 6, 17)


# -- file-level errors: one clear error, nothing written ------------------------------------------


def assert_failed_without_writes(batch: ImportBatch, before: tuple[int, ...]) -> None:
    assert batch.status == ImportBatch.Status.FAILED
    assert registry_counts() == before


def test_missing_required_columns_are_named_in_one_error(tmp_path: Path, dongs: dict[str, Dong]) -> None:
    ResidentFactory()
    before = registry_counts()
    headers = [h for h in HEADERS if h not in ("성명", "주민등록번호")]

    batch = residents_import(path=write_extract(tmp_path / "x.csv", [person()], headers=headers), actor=None)

    assert_failed_without_writes(batch, before)
    assert errors_of(batch) == [(1, "머리글", "성명, 주민등록번호", "필수 열이 없습니다: 성명, 주민등록번호")]
    assert batch.error_count == 1


def test_a_file_without_any_known_header_says_so(tmp_path: Path, dongs: dict[str, Dong]) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")

    batch = residents_import(path=path, actor=None)

    ((row, column, _value, reason),) = errors_of(batch)
    assert (row, column) == (1, "머리글")
    assert reason.startswith("첫 행에서 필요한 열 머리글을 하나도 찾지 못했습니다.")


def test_utf16_file_gets_an_encoding_error(tmp_path: Path, dongs: dict[str, Dong]) -> None:
    ResidentFactory()
    before = registry_counts()
    path = write_extract(tmp_path / "unicode.csv", family(), encoding="utf-16")

    batch = residents_import(path=path, actor=None)

    assert_failed_without_writes(batch, before)
    assert errors_of(batch) == [
        (
            0,
            "파일",
            "",
            "UTF-16(유니코드 텍스트)으로 저장된 파일은 읽을 수 없습니다. "
            "엑셀에서 'CSV UTF-8(쉼표로 분리)' 형식으로 다시 저장하거나 XLSX 파일을 올려 주세요.",
        )
    ]


def test_undecodable_bytes_give_an_encoding_error_with_the_line(
    tmp_path: Path, dongs: dict[str, Dong]
) -> None:
    ResidentFactory()
    before = registry_counts()
    path = write_extract(tmp_path / "x.csv", family())
    path.write_bytes(path.read_bytes() + b"\xff\xfe\xff,\x80\x80\r\n")  # neither UTF-8 nor CP949

    batch = residents_import(path=path, actor=None)

    assert_failed_without_writes(batch, before)
    assert errors_of(batch) == [
        (
            0,
            "파일",
            "",
            "파일의 문자 인코딩을 알 수 없습니다(UTF-8도 CP949도 아닙니다; 5번째 줄에서 읽을 수 없는 문자가 "
            "처음 나옵니다). 엑셀에서 'CSV UTF-8(쉼표로 분리)' 형식으로 다시 저장하거나 XLSX 파일을 올려 주세요.",
        )
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "빈 파일입니다."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "예전 엑셀 형식(.xls) 파일은 읽을 수 없습니다."),
    ],
)
def test_empty_and_old_excel_files_are_refused(
    tmp_path: Path, dongs: dict[str, Dong], content: bytes, reason: str
) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)

    batch = residents_import(path=path, actor=None)

    ((row, column, _value, message),) = errors_of(batch)
    assert (batch.status, row, column) == (ImportBatch.Status.FAILED, 0, "파일")
    assert message.startswith(reason)


def test_header_only_file_is_refused(tmp_path: Path, dongs: dict[str, Dong]) -> None:
    batch = residents_import(path=write_extract(tmp_path / "x.csv", []), actor=None)

    assert errors_of(batch) == [(2, "파일", "", "자료 행이 없습니다(머리글만 있는 파일).")]


def test_blank_rows_are_skipped_but_counted_in_row_numbers(tmp_path: Path, dongs: dict[str, Dong]) -> None:
    rows = [person(), {}, person(주민등록번호="590301-1234567", 성명="", 세대주관계="배우자")]

    batch = residents_import(path=write_extract(tmp_path / "x.csv", rows), actor=None)

    assert errors_of(batch) == [(4, "성명", "", "값이 비어 있습니다")]


def test_a_large_file_is_checked_in_a_helper_process_with_the_same_outcome(
    tmp_path: Path, dongs: dict[str, Dong], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "_CHILD_MIN_BYTES", 1)
    good = residents_import(path=write_extract(tmp_path / "good.csv", family()), actor=None)
    bad = residents_import(path=write_extract(tmp_path / "bad.csv", [person(통="0")]), actor=None)

    assert (good.status, good.total_rows, Resident.objects.count()) == (ImportBatch.Status.SUCCEEDED, 3, 3)
    assert errors_of(bad) == [(2, "통", "0", "1 이상 999 이하의 숫자여야 합니다")]


def test_a_first_import_leaves_every_index_and_constraint_in_place(
    tmp_path: Path, dongs: dict[str, Dong]
) -> None:
    def schema() -> dict[str, set[str]]:
        with connection.cursor() as cursor:
            return {
                model._meta.db_table: set(
                    connection.introspection.get_constraints(cursor, model._meta.db_table)
                )
                for model in (Resident, Household)
            }

    before = schema()

    batch = residents_import(path=write_extract(tmp_path / "x.csv", family()), actor=None)

    assert batch.status == ImportBatch.Status.SUCCEEDED
    assert schema() == before
    assert len(before[Resident._meta.db_table]) > 10
