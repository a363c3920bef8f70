"""Reading and checking a resident-registration extract, one row at a time.

An extract is a CSV file (UTF-8 with or without BOM, or CP949) or an XLSX workbook whose first row holds
the Korean headers of `extract_format.COLUMNS`. Nothing here touches the database: `open_extract` streams
rows out of the file and `RowChecker` turns each into an `ExtractRow` or a list of `RowError`s in words a
civil servant can act on. Writing is chatdong.registry.services' job.

Memory stays flat: rows are read one by one; the checker keeps only what cross-row checks need (each
identity number's blind index and each household's first row and address).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import hashlib
import operator
import os
import pickle
import queue
import re
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Generator, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from sys import intern
from typing import IO, Any, NamedTuple

from chatdong.core.rrn import InvalidRRN, blind_index, encrypt_rrn, parse_rrn
from chatdong.registry.extract_format import (
    COLUMNS,
    DISABILITY_VALUES,
    LIVELIHOOD_BENEFITS,
    NO_VALUES,
    STATUS_VALUES,
    YES_VALUES,
)

FILE_COLUMN = "파일"  # the "column" of an error about the whole file (encoding, headers …)
HEADER_COLUMN = "머리글"
_READ_CHUNK = 1 << 20
# Digest of the imported fields: bump the prefix when normalisation changes so that every row updates.
_DIGEST_VERSION = "1"

_HOUSEHOLD_RE = re.compile(r"^[0-9A-Za-z-]{1,20}$")
_DONG_CODE_RE = re.compile(r"^\d{10}$")
_DATE_SEP_RE = re.compile(r"^(\d{4})([-./])(\d{1,2})\2(\d{1,2})\.?$")
_DATE_PLAIN_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NON_DIGITS_RE = re.compile(r"\D")
_PHONE_SHAPE_RE = re.compile(r"^[\d\s()+.-]+$")
_BENEFIT_SPLIT_RE = re.compile(r"[,·/\s]+")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_JOINED_RE = re.compile(r"[\x00-\x1e\x7f]")  # the same, less \x1f that joins the cells

ENCODING_HELP = "엑셀에서 'CSV UTF-8(쉼표로 분리)' 형식으로 다시 저장하거나 XLSX 파일을 올려 주세요."


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem: the row as Excel numbers it (the header is row 1; 0 means the whole file), the
    column's Korean header, the offending value (identity numbers masked) and the reason in Korean."""

    row: int
    column: str
    value: str
    reason: str


class ExtractFileError(Exception):
    """The file as a whole cannot be read (encoding, format, headers); carries the error to show."""

    def __init__(self, error: RowError) -> None:
        super().__init__(error.reason)
        self.error = error


def file_error(reason: str, *, row: int = 0, column: str = FILE_COLUMN, value: str = "") -> ExtractFileError:
    return ExtractFileError(RowError(row=row, column=column, value=value, reason=reason))


class ExtractRow(NamedTuple):
    """One valid row, normalised and ready for the database: `identity` holds IDENTITY_COLUMNS (written
    once; the number is encrypted here, in the reading process, so that the clear number goes no
    further) and `columns` VALUE_COLUMNS (written and updated), the last being `source_digest`: a
    fingerprint of the row's cells (all but the identity number), so that an unchanged resident is
    recognised on re-import without reading it back. A plain tuple, cheap to pass between processes."""

    row: int
    household_no: str
    dong_code: str
    tong: int
    ban: int
    identity: tuple[Any, ...]
    columns: tuple[Any, ...]

    @property
    def rrn_index(self) -> str:
        return str(self.identity[1])

    @property
    def birth_date(self) -> str:  # ISO text
        return str(self.identity[2])

    @property
    def moved_in_on(self) -> str | None:  # ISO text
        return self.columns[8]

    @property
    def address(self) -> tuple[Any, ...]:  # road name, building main and sub number, detail
        return self.columns[4:8]

    @property
    def status(self) -> str:
        return str(self.columns[9])

    @property
    def digest(self) -> str:
        return str(self.columns[17])

    def values(self) -> dict[str, Any]:
        """The imported fields as the extract names them (keys of extract_format.COLUMNS, without the
        identity number), dates as ISO text: what re-import compares and a resident's history records."""
        c = self.columns
        return {
            "household_no": self.household_no,
            "relation": c[0],
            "name": c[1],
            "phone": c[2],
            "dong_code": self.dong_code,
            "tong": self.tong,
            "ban": self.ban,
            "road_name": c[4],
            "building_main": c[5],
            "building_sub": c[6],
            "address_detail": c[7],
            "moved_in_on": c[8],
            "status": c[9],
            "status_changed_on": c[10],
            "livelihood_benefits": c[12],
            "near_poor": c[13],
            "disability": c[14],
            "single_elder": c[15],
            "single_parent": c[16],
        }


# Resident fields in ExtractRow.identity and ExtractRow.columns, in order.
IDENTITY_COLUMNS = ("rrn_encrypted", "rrn_index", "birth_date", "sex", "foreigner")
VALUE_COLUMNS = (
    "relation",
    "name",
    "phone",
    "phone_last4",
    "road_name",
    "building_main",
    "building_sub",
    "address_detail",
    "moved_in_on",
    "status",
    "status_changed_on",
    "basic_livelihood",
    "livelihood_benefits",
    "near_poor",
    "disability",
    "single_elder",
    "single_parent",
    "source_digest",
)


def progress_cache_key(batch_id: int) -> str:
    """Where a running import publishes (rows done, rows in total) for the web page and the API: its
    transaction is invisible to other connections, the shared cache is not."""
    return f"chatdong:import-progress:{batch_id}"


def mask_rrn(text: str) -> str:
    """An identity number as it may appear in an error report: birth date and the 7th digit only."""
    digits = _NON_DIGITS_RE.sub("", text)
    if len(digits) <= 7:
        return text[:7] + ("*" * max(0, len(text) - 7))
    return f"{digits[:6]}-{digits[6]}{'*' * (len(digits) - 7)}"


# ---------------------------------------------------------------------------------------------------
# Reading the file


@dataclass
class Extract:
    """An opened extract: its header row and an iterator of (row number, cells)."""

    kind: str  # "csv" or "xlsx"
    encoding: str  # "utf-8", "cp949" or "" for XLSX
    estimated_rows: int  # data rows, for progress (exact unless cells hold line breaks)
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]


def _scan_text(path: Path) -> tuple[str, int]:
    """One pass over the bytes: which encoding decodes the whole file, and how many lines it has.
    Reads 1 MiB at a time, so even a large extract costs little memory."""

    def attempt(encoding: str) -> tuple[int, int | None]:
        decoder = codecs.getincrementaldecoder(encoding)()
        lines = 0
        with path.open("rb") as handle:
            while chunk := handle.read(_READ_CHUNK):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    return lines, lines + chunk[: exc.start].count(b"\n") + 1
                lines += chunk.count(b"\n")
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                return lines, lines + 1
        return lines, None

    lines, bad_line = attempt("utf-8")
    if bad_line is None:
        return "utf-8", lines
    lines, bad_cp949 = attempt("cp949")
    if bad_cp949 is None:
        return "cp949", lines
    raise file_error(
        f"파일의 문자 인코딩을 알 수 없습니다(UTF-8도 CP949도 아닙니다; {bad_line}번째 줄에서 읽을 수 없는 "
        f"문자가 처음 나옵니다). {ENCODING_HELP}"
    )


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "Y" if value else ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(handle: IO[str], encoding: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(handle)
    number = 0  # the header is row 1, as Excel counts
    try:
        for cells in reader:
            number += 1
            yield number, cells
    except UnicodeDecodeError:
        raise file_error(
            f"{number + 1}행 근처에서 {encoding.upper()}로 읽을 수 없는 문자가 나옵니다(인코딩이 섞인 파일). "
            + ENCODING_HELP,
            row=number + 1,
        ) from None
    except csv.Error as exc:
        raise file_error(f"CSV 형식이 잘못되었습니다: {exc}", row=number + 1) from None


def _xlsx_rows(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[int, list[str]]]:
    number = 1
    for values in rows:
        number += 1
        yield number, [_cell_text(v) for v in values]


@contextmanager
def open_extract(path: Path) -> Iterator[Extract]:
    """`with open_extract(path) as extract:` — detects the format and encoding, reads the header row and
    streams the data rows. Raises ExtractFileError when the file cannot be read at all."""
    with ExitStack() as stack:
        yield _Opener(Path(path), stack).open()


class _Opener:
    def __init__(self, path: Path, stack: ExitStack) -> None:
        self.path = path
        self.stack = stack

    def open(self) -> Extract:
        try:
            with self.path.open("rb") as handle:
                head = handle.read(8)
        except OSError as exc:
            raise file_error(f"파일을 열 수 없습니다: {exc.strerror or exc}") from None
        if not head:
            raise file_error("빈 파일입니다.")
        if head.startswith(b"PK\x03\x04"):
            return self._open_xlsx()
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise file_error(
                "예전 엑셀 형식(.xls) 파일은 읽을 수 없습니다. 엑셀에서 XLSX 또는 CSV UTF-8로 저장해 주세요."
            )
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
            raise file_error(f"UTF-16(유니코드 텍스트)으로 저장된 파일은 읽을 수 없습니다. {ENCODING_HELP}")
        if self.path.suffix.lower() == ".xlsx":
            raise file_error("XLSX 파일이 아니거나 손상된 파일입니다.")
        return self._open_csv()

    def _open_csv(self) -> Extract:
        encoding, lines = _scan_text(self.path)
        # utf-8-sig drops a BOM when there is one and reads plain UTF-8 otherwise.
        codec = "utf-8-sig" if encoding == "utf-8" else encoding
        handle = self.stack.enter_context(self.path.open(encoding=codec, newline=""))
        rows = _csv_rows(handle, encoding)
        header = next(rows, None)
        if header is None:
            raise file_error("빈 파일입니다.")
        return Extract(
            kind="csv",
            encoding=encoding,
            estimated_rows=max(0, lines - 1),
            header=header[1],
            rows=rows,
        )

    def _open_xlsx(self) -> Extract:
        import zipfile

        from openpyxl import load_workbook

        try:
            workbook = load_workbook(self.path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise file_error(
                f"XLSX 파일을 읽을 수 없습니다(손상되었거나 엑셀 파일이 아닙니다): {exc}"
            ) from None
        self.stack.callback(workbook.close)
        sheet = workbook.worksheets[0]
        raw = sheet.iter_rows(values_only=True)
        first = next(raw, None)
        if first is None:
            raise file_error("빈 파일입니다(첫 시트에 내용이 없습니다).")
        max_row = sheet.max_row if isinstance(sheet.max_row, int) else 0
        return Extract(
            kind="xlsx",
            encoding="",
            estimated_rows=max(0, max_row - 1),
            header=[_cell_text(v) for v in first],
            rows=_xlsx_rows(raw),
        )


# ---------------------------------------------------------------------------------------------------
# Checking rows


def _normal_header(text: str) -> str:
    return "".join(text.replace("\ufeff", "").split())


def _column_positions(header: list[str]) -> dict[str, int]:
    """Column key → position in the file. Order is free and unknown columns are ignored; a missing
    required column or a header given twice is one error for the whole file."""
    by_normal = {_normal_header(c.header): c for c in COLUMNS}
    positions: dict[str, int] = {}
    repeated: list[str] = []
    for index, text in enumerate(header):
        column = by_normal.get(_normal_header(text))
        if column is None:
            continue
        if column.key in positions:
            repeated.append(column.header)
        positions[column.key] = index
    missing = [c.header for c in COLUMNS if c.required and c.key not in positions]
    if len(missing) == sum(1 for c in COLUMNS if c.required):
        raise file_error(
            "첫 행에서 필요한 열 머리글을 하나도 찾지 못했습니다. 첫 행이 머리글(세대번호, 성명, 주민등록번호 …)"
            f"인지, 파일이 UTF-8 또는 CP949로 저장되었는지 확인해 주세요. 없는 열: {', '.join(missing)}",
            row=1,
            column=HEADER_COLUMN,
        )
    if missing:
        raise file_error(
            f"필수 열이 없습니다: {', '.join(missing)}",
            row=1,
            column=HEADER_COLUMN,
            value=", ".join(missing),
        )
    if repeated:
        raise file_error(
            f"같은 열 머리글이 두 번 이상 있습니다: {', '.join(dict.fromkeys(repeated))}",
            row=1,
            column=HEADER_COLUMN,
            value=", ".join(dict.fromkeys(repeated)),
        )
    return positions


def parse_date(text: str) -> dt.date:
    """YYYY-MM-DD, YYYY.MM.DD, YYYY/MM/DD or YYYYMMDD; ValueError with a Korean reason otherwise."""
    match = _DATE_SEP_RE.match(text)
    if match:
        parts: tuple[str, ...] = (match.group(1), match.group(3), match.group(4))
    else:
        plain = _DATE_PLAIN_RE.match(text)
        if plain is None:
            raise ValueError("날짜는 YYYY-MM-DD 형식이어야 합니다(예: 2021-03-15)")
        parts = plain.groups()
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise ValueError("없는 날짜입니다") from None


_HEADER = {c.key: c.header for c in COLUMNS}
# The cells RowChecker reads (one itemgetter call), in this order; with "rrn" these are every column.
_KEYS = (
    "household_no",
    "relation",
    "name",
    "phone",
    "dong_code",
    "tong",
    "ban",
    "road_name",
    "building_main",
    "building_sub",
    "address_detail",
    "moved_in_on",
    "status",
    "status_changed_on",
    "livelihood_benefits",
    "near_poor",
    "disability",
    "single_elder",
    "single_parent",
)
if {*_KEYS, "rrn"} != set(_HEADER):  # pragma: no cover
    raise RuntimeError("registry.importer is out of date with registry.extract_format.COLUMNS")
_EMPTY = "값이 비어 있습니다"
_DONG_UNKNOWN = "등록되지 않은 행정동코드입니다(이 설치본에 먼저 동을 등록해야 합니다)"
_YES = frozenset(YES_VALUES)
_NO = frozenset(NO_VALUES)
_ADDRESS_HEADERS = frozenset(
    _HEADER[k]
    for k in (
        "household_no",
        "dong_code",
        "tong",
        "ban",
        "road_name",
        "building_main",
        "building_sub",
        "address_detail",
    )
)


class RowChecker:
    """Checks each row and the rows against each other (the same 주민등록번호 twice; one 세대번호 with
    two addresses). Every problem of every row becomes a RowError; nothing stops at the first one.

    Written for speed (a district is ~425,000 rows): one C call picks the cells, the common shapes are
    accepted inline, and only unusual values go through the slower general parsers."""

    def __init__(
        self, *, header: list[str], dong_codes: set[str], today: dt.date, from_excel: bool = False
    ) -> None:
        positions = _column_positions(header)
        self.width = max(positions.values()) + 1
        # A column the file lacks (optional ones only) reads the blank cell appended at the end (-1).
        self._cells = operator.itemgetter(*(positions.get(key, -1) for key in _KEYS))
        self._rrn = positions["rrn"]
        self.dong_codes = {code: code for code in dong_codes}  # code → one shared string
        self.today = today
        # Excel turns 0501013123456 or 01012345678 typed into a number cell into a number without the 0.
        self.from_excel = from_excel
        self.seen_rrn: dict[int, int] = {}  # identity number → first row (ints: a third of the memory)
        self.households: dict[str, tuple[int, tuple[Any, ...]]] = {}  # 세대번호 → (first row, address)

    def check(self, number: int, cells: list[str]) -> tuple[ExtractRow | None, list[RowError]]:
        """(row, []) for a valid row, (None, errors) otherwise; (None, []) for an empty row."""
        missing = self.width - len(cells)
        if missing > 0:
            cells.extend([""] * missing)
        cells.append("")
        raw = tuple(map(str.strip, self._cells(cells)))
        rrn_text = cells[self._rrn].strip()
        (
            household_no,
            relation,
            name,
            phone_text,
            dong_code,
            tong_text,
            ban_text,
            road_text,
            main_text,
            sub_text,
            address_text,
            moved_text,
            status_text,
            changed_text,
            benefits_text,
            near_text,
            disability_text,
            elder_text,
            parent_text,
        ) = raw
        joined = "\x1f".join(raw)
        if not rrn_text and len(joined) == len(raw) - 1:
            return None, []  # an empty row
        errors: list[RowError] = []

        def fail(key: str, reason: str, value: str | None = None) -> None:
            if value is None:
                value = rrn_text if key == "rrn" else raw[_KEYS.index(key)]
            errors.append(RowError(number, _HEADER[key], value, reason))

        # Text: present, not too long, no line breaks or control characters.
        if not household_no or len(household_no) > 20 or not _HOUSEHOLD_RE.match(household_no):
            self._text(household_no, "household_no", 20, fail)
            if household_no and len(household_no) <= 20:
                fail("household_no", "영문·숫자·하이픈(-)만 쓸 수 있습니다")
        if not relation or len(relation) > 20:
            self._text(relation, "relation", 20, fail)
        if not name or len(name) > 40:
            self._text(name, "name", 40, fail)
        if not road_text or len(road_text) > 40:
            self._text(road_text, "road_name", 40, fail)
        if len(address_text) > 80:
            self._text(address_text, "address_detail", 80, fail)
        if _CONTROL_IN_JOINED_RE.search(joined):
            for key, text in zip(_KEYS, raw, strict=True):
                if _CONTROL_RE.search(text):
                    fail(key, "줄바꿈이나 제어 문자가 들어 있습니다")

        # 주민등록번호: format and birth date (never the old check digit); birth date and sex come from it.
        if self.from_excel and len(rrn_text) == 12 and rrn_text.isdigit():
            rrn_text = "0" + rrn_text
        rrn = None
        rrn_index = ""
        if not rrn_text:
            fail("rrn", _EMPTY)
        else:
            try:
                rrn = parse_rrn(rrn_text, today=self.today)
            except InvalidRRN as exc:
                fail("rrn", str(exc), mask_rrn(rrn_text))
            else:
                rrn_index = blind_index(rrn.digits)
                first = self.seen_rrn.setdefault(int(rrn.digits), number)
                if first != number:
                    fail("rrn", f"같은 주민등록번호가 {first}행에 이미 있습니다(중복 행)", mask_rrn(rrn_text))

        phone = ""
        if phone_text:
            if len(phone_text) == 13 and phone_text[3] == "-" and phone_text[8] == "-":
                phone = phone_text[:3] + phone_text[4:8] + phone_text[9:]  # 010-1234-5678
            else:
                phone = self._phone(phone_text, fail)
            if phone and not (
                phone[0] == "0" and phone.isdigit() and phone.isascii() and 9 <= len(phone) <= 11
            ):
                fail("phone", "전화번호는 0으로 시작하는 숫자 9~11자리여야 합니다(예: 010-1234-5678)")

        if dong_code not in self.dong_codes:
            if not dong_code:
                fail("dong_code", _EMPTY)
            elif not _DONG_CODE_RE.match(dong_code):
                fail("dong_code", "행정동코드는 숫자 10자리여야 합니다(예: 1129052500)")
            else:
                fail("dong_code", _DONG_UNKNOWN)
        if tong_text.isdigit() and tong_text.isascii() and 0 < (tong := int(tong_text)) < 1000:
            pass
        else:
            tong = self._integer(tong_text, "tong", 1, 999, fail)
        if ban_text.isdigit() and ban_text.isascii() and 0 < (ban := int(ban_text)) < 1000:
            pass
        else:
            ban = self._integer(ban_text, "ban", 1, 999, fail)
        if main_text.isdigit() and main_text.isascii() and 0 < (building_main := int(main_text)) < 100000:
            pass
        else:
            building_main = self._integer(main_text, "building_main", 1, 99999, fail)
        building_sub = self._integer(sub_text, "building_sub", 0, 99999, fail) if sub_text else 0
        road_name = road_text if " " not in road_text else "".join(road_text.split())
        address_detail = " ".join(address_text.split()) if "  " in address_text else address_text

        moved_in_on = self._date(moved_text, "moved_in_on", fail) if moved_text else None
        status = STATUS_VALUES.get(status_text)
        if status is None:
            fail("status", "상태는 거주, 전출, 사망 중 하나이거나 빈칸(거주)이어야 합니다")
            status = "resident"
        status_changed_on = self._date(changed_text, "status_changed_on", fail) if changed_text else None
        if status != "resident" and not changed_text:
            fail("status_changed_on", f"상태가 {status_text}이면 상태변경일(전출일·사망일)을 적어야 합니다")
        if rrn is not None:
            birth = rrn.birth_date
            if moved_in_on is not None and moved_in_on < birth:
                fail("moved_in_on", f"생년월일({birth:%Y-%m-%d})보다 이른 날짜입니다")
            if status_changed_on is not None and status_changed_on < birth:
                fail("status_changed_on", f"생년월일({birth:%Y-%m-%d})보다 이른 날짜입니다")

        benefits = self._benefits(benefits_text, fail) if benefits_text else ""
        near_poor = False if not near_text else (near_text == "Y" or self._flag(near_text, "near_poor", fail))
        disability = DISABILITY_VALUES.get(disability_text)
        if disability is None:
            fail("disability", "장애는 '심한', '심하지않은' 또는 빈칸이어야 합니다")
            disability = ""
        single_elder = (
            False if not elder_text else (elder_text == "Y" or self._flag(elder_text, "single_elder", fail))
        )
        single_parent = (
            False
            if not parent_text
            else (parent_text == "Y" or self._flag(parent_text, "single_parent", fail))
        )

        # One household, one address: every row of a 세대번호 must agree on 동, 통, 반 and address.
        if household_no and not (errors and any(e.column in _ADDRESS_HEADERS for e in errors)):
            address = (
                self.dong_codes.get(dong_code, dong_code),
                tong,
                ban,
                intern(road_name),  # shared by many households: kept once
                building_main,
                building_sub,
                intern(address_detail),
            )
            first_row, first_address = self.households.setdefault(household_no, (number, address))
            if first_address != address:
                fail(
                    "household_no",
                    f"같은 세대번호의 {first_row}행과 주소(행정동코드·통·반·도로명주소)가 다릅니다",
                )

        if errors or rrn is None:
            return None, errors
        digest = hashlib.blake2b(f"{_DIGEST_VERSION}\x1f{joined}".encode(), digest_size=16).hexdigest()
        return (
            ExtractRow(
                number,
                household_no,
                dong_code,
                tong,
                ban,
                (encrypt_rrn(rrn.digits), rrn_index, rrn.birth_date.isoformat(), rrn.sex, rrn.foreigner),
                (
                    relation,
                    name,
                    phone,
                    phone[-4:],
                    road_name,
                    building_main,
                    building_sub,
                    address_detail,
                    moved_in_on and moved_in_on.isoformat(),
                    status,
                    status_changed_on and status_changed_on.isoformat(),
                    bool(benefits),
                    benefits,
                    near_poor,
                    disability,
                    single_elder,
                    single_parent,
                    digest,
                ),
            ),
            errors,
        )

    # The slower paths: unusual values, and the reasons for rejecting them.

    @staticmethod
    def _text(text: str, key: str, limit: int, fail: Callable[..., None]) -> None:
        if not text:
            if key != "address_detail":
                fail(key, _EMPTY)
        elif len(text) > limit:
            fail(key, f"{limit}자를 넘습니다({len(text)}자)")

    def _phone(self, text: str, fail: Callable[..., None]) -> str:
        if not _PHONE_SHAPE_RE.match(text):
            fail("phone", "전화번호에는 숫자와 하이픈(-)만 쓸 수 있습니다")
            return ""
        digits = _NON_DIGITS_RE.sub("", text)
        if self.from_excel and text.isdigit() and 8 <= len(digits) <= 10 and digits[0] != "0":
            digits = "0" + digits
        return digits

    @staticmethod
    def _integer(text: str, key: str, low: int, high: int, fail: Callable[..., None]) -> int:
        if not text:
            fail(key, _EMPTY)
            return 0
        if not (text.isascii() and text.isdigit()):
            fail(key, "숫자만 적어야 합니다")
            return 0
        value = int(text)
        if not low <= value <= high:
            fail(key, f"{low} 이상 {high} 이하의 숫자여야 합니다")
        return value

    def _date(self, text: str, key: str, fail: Callable[..., None]) -> dt.date | None:
        try:
            value = dt.date.fromisoformat(text) if len(text) == 10 and text[4] == "-" else parse_date(text)
        except ValueError:
            try:
                value = parse_date(text)  # for its reason in Korean
            except ValueError as exc:
                fail(key, str(exc))
                return None
        if value > self.today:
            fail(key, "미래의 날짜입니다")
        return value

    @staticmethod
    def _benefits(text: str, fail: Callable[..., None]) -> str:
        given = [b for b in _BENEFIT_SPLIT_RE.split(text) if b]
        unknown = [b for b in given if b not in LIVELIHOOD_BENEFITS]
        if unknown:
            fail(
                "livelihood_benefits",
                f"알 수 없는 급여 종류입니다: {', '.join(unknown)} (생계, 의료, 주거, 교육 중에서 쉼표로)",
            )
            return ""
        return ",".join(b for b in LIVELIHOOD_BENEFITS if b in given)

    @staticmethod
    def _flag(text: str, key: str, fail: Callable[..., None]) -> bool:
        lowered = text.lower()
        if lowered in _YES:
            return True
        if lowered not in _NO:
            fail(key, "Y 또는 빈칸이어야 합니다")
        return False


# ---------------------------------------------------------------------------------------------------
# The whole file: events for the importer, in this process or in a helper process


# ("start", estimated data rows) once the header is understood (not sent for an unreadable file);
# ("batch", valid rows, errors, rows read so far) as reading goes on — once any error has been found,
# valid rows are no longer sent: nothing will be written; ("end", data rows) last.
Event = tuple[Any, ...]
_BATCH_ROWS = 1000
_QUEUED = 32  # batches read ahead from the helper process (~10 MB)
_KEY_PROBE = "0001010000000"


def checked_rows(path: Path, *, dong_codes: set[str], today: dt.date) -> Generator[Event, None, None]:
    """Read and check the whole extract. A file that cannot be read gives one batch with its error."""
    rows = 0
    try:
        with open_extract(path) as extract:
            checker = RowChecker(
                header=extract.header, dong_codes=dong_codes, today=today, from_excel=extract.kind == "xlsx"
            )
            yield ("start", extract.estimated_rows)
            check = checker.check
            valid: list[ExtractRow] = []
            errors: list[RowError] = []
            failed = False
            number = 1
            for number, cells in extract.rows:
                row, row_errors = check(number, cells)
                if row_errors:
                    errors.extend(row_errors)
                    failed = True
                    rows += 1
                elif row is not None:
                    rows += 1
                    if not failed:
                        valid.append(row)
                if number % _BATCH_ROWS == 0:
                    yield ("batch", valid, errors, number - 1)
                    valid, errors = [], []
            yield ("batch", valid, errors, number - 1)
    except ExtractFileError as exc:
        yield ("batch", [], [exc.error], 0)
    yield ("end", rows)


def checked_rows_in_child(
    path: Path, *, dong_codes: set[str], today: dt.date
) -> Generator[Event, None, None]:
    """checked_rows, run in a helper process: reading and checking (about half of an import's work)
    then use a second CPU while this process writes. Same events, same order. Events come pickled over
    a pipe (from our own child process, so unpickling is safe); a thread here keeps up to _QUEUED
    batches ready, so that the helper works ahead of the writer but memory stays bounded."""
    package_root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    process = subprocess.Popen(
        [sys.executable, "-c", "from chatdong.registry.importer import _child_main; _child_main()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    )
    assert process.stdin is not None and process.stdout is not None
    stdout = process.stdout
    frames: queue.Queue[bytes | None] = queue.Queue(maxsize=_QUEUED)

    def pump() -> None:
        try:
            while head := stdout.read(8):
                frames.put(stdout.read(int.from_bytes(head, "big")))
        finally:
            frames.put(None)

    pumper = threading.Thread(target=pump, name="chatdong-import-pipe", daemon=True)
    finished = False
    try:
        # The probe makes sure that the helper uses the same keys (its settings are read anew).
        pickle.dump((str(path), sorted(dong_codes), today, blind_index(_KEY_PROBE)), process.stdin)
        process.stdin.close()
        pumper.start()
        while True:
            frame = frames.get()
            if frame is None:
                raise RuntimeError("주민 자료 검사 프로세스가 예기치 않게 끝났습니다.")
            event = pickle.loads(frame)
            if event[0] == "batch":
                event = ("batch", [tuple.__new__(ExtractRow, row) for row in event[1]], *event[2:])
            elif event[0] == "crash":
                raise RuntimeError(f"주민 자료 검사 중 오류가 났습니다:\n{event[1]}")
            yield event
            if event[0] == "end":
                finished = True
                return
    finally:
        try:
            process.wait(timeout=10 if finished else 0)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        while pumper.is_alive():  # let the pump see the end of the pipe and stop
            with contextlib.suppress(queue.Empty):
                frames.get(timeout=0.1)
        stdout.close()


def _child_main() -> None:
    """The helper process: arguments come pickled on stdin, events go to stdout as length-prefixed
    pickles."""
    out = sys.stdout.buffer
    try:
        path, dong_codes, today, probe = pickle.load(sys.stdin.buffer)
        if blind_index(_KEY_PROBE) != probe:
            raise RuntimeError("the helper process reads other keys than the importer (CHATDONG_KEY_FILE)")
        for event in checked_rows(Path(path), dong_codes=set(dong_codes), today=today):
            if event[0] == "batch":  # rows as plain tuples: a named tuple pickles twice as slowly
                event = ("batch", [tuple(row) for row in event[1]], *event[2:])
            data = pickle.dumps(event, protocol=pickle.HIGHEST_PROTOCOL)
            out.write(len(data).to_bytes(8, "big"))
            out.write(data)
    except BrokenPipeError:
        return  # the importer stopped listening (it failed or was interrupted)
    except BaseException:
        data = pickle.dumps(("crash", traceback.format_exc()))
        out.write(len(data).to_bytes(8, "big"))
        out.write(data)
    out.flush()
