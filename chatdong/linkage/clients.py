"""Reading a client list (기관 대상자 명단): CSV (UTF-8 with or without BOM, or CP949) or XLSX, first row the
Korean headers. Streams rows through the registry's reader (chatdong.registry.importer.open_extract) and
checks each into a `ClientRow` or `RowError`s in Korean. No database access here.

Columns (order free, unknown columns ignored; a few common other spellings are accepted):
성명 (required), 생년월일, 전화번호, 주소, 기관 사례번호, 주민등록번호. Besides the name, a row needs at least
one of 생년월일, 전화번호, 주소, 주민등록번호 to be compared at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from chatdong.core.rrn import InvalidRRN, blind_index, parse_rrn
from chatdong.linkage import matching
from chatdong.registry.importer import (
    HEADER_COLUMN,
    ExtractFileError,
    RowError,
    file_error,
    mask_rrn,
    open_extract,
    parse_date,
)


@dataclass(frozen=True)
class ClientColumn:
    key: str
    header: str
    required: bool
    help: str
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[ClientColumn, ...] = (
    ClientColumn("name", "성명", True, "대상자 이름(한글 또는 영문)", ("이름", "대상자명", "성명(한글)")),
    ClientColumn("birth_date", "생년월일", False, "YYYY-MM-DD, YYYY.MM.DD 또는 YYYYMMDD", ("생일", "출생일")),
    ClientColumn(
        "phone", "전화번호", False, "숫자와 하이픈(-), 9~11자리", ("연락처", "휴대전화", "휴대폰", "전화")
    ),
    ClientColumn("address", "주소", False, "도로명주소(예: 서울 성북구 보문로 12-3 101호)", ("도로명주소",)),
    ClientColumn(
        "case_no", "기관 사례번호", False, "기관에서 쓰는 사례(대상자) 번호", ("사례번호", "기관사례번호")
    ),
    ClientColumn("rrn", "주민등록번호", False, "있으면 정확히 찾습니다(화면·파일에 남기지 않음)", ()),
)
_NON_DIGITS = re.compile(r"\D")
_PHONE_SHAPE = re.compile(r"^[\d\s()+.-]+$")
_SIX_DIGITS = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class ClientRow:
    row: int
    name: str
    birth_date: dt.date | None
    phone: str
    address: str
    case_no: str
    rrn_index: str

    def prepared(self, key: object) -> matching.Prepared:
        return matching.prepare(
            key, name=self.name, birth=self.birth_date, phone=self.phone, address=self.address
        )


def fingerprint(owner_key: str, *, name: str, birth_date: dt.date | None, case_no: str) -> str:
    """The same client uploaded again by the same owner gets the same fingerprint: the owner, the name
    (두음 variants folded), the birth date and the agency's case number. Phone and address are left out
    on purpose: they change between uploads."""
    folded = matching.prepare(0, name=name).folded
    text = "\x1f".join((owner_key, folded, birth_date.isoformat() if birth_date else "", case_no.strip()))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _norm(text: str) -> str:
    return "".join(text.replace("\ufeff", "").split())


def _positions(header: list[str]) -> dict[str, int]:
    lookup: dict[str, ClientColumn] = {}
    for column in COLUMNS:
        for text in (column.header, *column.aliases):
            lookup[_norm(text)] = column
    positions: dict[str, int] = {}
    repeated: list[str] = []
    for index, text in enumerate(header):
        found = lookup.get(_norm(text))
        if found is None:
            continue
        if found.key in positions:
            repeated.append(found.header)
        positions[found.key] = index
    if "name" not in positions:
        raise file_error(
            "첫 행에서 '성명' 열을 찾지 못했습니다. 첫 행이 열 이름(성명, 생년월일, 전화번호, 주소 …)인지, "
            "파일이 UTF-8 또는 CP949로 저장되었는지 확인해 주세요.",
            row=1,
            column=HEADER_COLUMN,
        )
    if repeated:
        raise file_error(
            f"같은 열이 두 번 이상 있습니다: {', '.join(dict.fromkeys(repeated))}",
            row=1,
            column=HEADER_COLUMN,
            value=", ".join(dict.fromkeys(repeated)),
        )
    if len(positions) == 1:
        raise file_error(
            "성명 말고 비교할 열(생년월일, 전화번호, 주소, 주민등록번호)이 하나도 없습니다.",
            row=1,
            column=HEADER_COLUMN,
        )
    return positions


_HEADERS = {c.key: c.header for c in COLUMNS}


def check_row(
    number: int, cells: list[str], positions: dict[str, int], *, today: dt.date
) -> tuple[ClientRow | None, list[RowError]]:
    def cell(key: str) -> str:
        index = positions.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    errors: list[RowError] = []

    def fail(key: str, value: str, reason: str) -> None:
        errors.append(RowError(row=number, column=_HEADERS[key], value=value[:200], reason=reason))

    name = " ".join(cell("name").split())
    if not name:
        fail("name", "", "성명이 비어 있습니다")
    elif len(name) > 40:
        fail("name", name, f"40자를 넘습니다({len(name)}자)")
    birth_text = cell("birth_date")
    birth: dt.date | None = None
    if birth_text:
        if _SIX_DIGITS.match(birth_text):
            fail("birth_date", birth_text, "연도를 네 자리로 적어 주세요(예: 1950-03-01)")
        else:
            try:
                birth = parse_date(birth_text.split(" ")[0])
            except ValueError as exc:
                fail("birth_date", birth_text, str(exc))
            else:
                if birth > today:
                    fail("birth_date", birth_text, "미래의 날짜입니다")
                elif birth.year < 1880:
                    fail("birth_date", birth_text, "1880년 이전 날짜입니다")
    phone_text = cell("phone")
    phone = ""
    if phone_text:
        digits = _NON_DIGITS.sub("", phone_text)
        if not _PHONE_SHAPE.match(phone_text):
            fail("phone", phone_text, "전화번호에는 숫자와 하이픈(-)만 쓸 수 있습니다")
        elif not 9 <= len(digits) <= 11:
            fail("phone", phone_text, f"전화번호는 9~11자리 숫자여야 합니다({len(digits)}자리)")
        else:
            phone = digits if digits.startswith("0") else "0" + digits
            if len(phone) > 11:
                fail("phone", phone_text, "전화번호가 너무 깁니다")
    address = " ".join(cell("address").split())
    if len(address) > 200:
        fail("address", address, "200자를 넘습니다")
    case_no = cell("case_no")
    if len(case_no) > 40:
        fail("case_no", case_no, "40자를 넘습니다")
    rrn_text = cell("rrn")
    rrn_index = ""
    if rrn_text:
        try:
            rrn = parse_rrn(rrn_text, today=today)
        except InvalidRRN as exc:
            fail("rrn", mask_rrn(rrn_text), str(exc))
        else:
            rrn_index = blind_index(rrn.digits)
            if birth is None:
                birth = rrn.birth_date
            elif birth != rrn.birth_date:
                fail("birth_date", birth_text, "주민등록번호의 생년월일과 다릅니다")
    if name and not (birth_text or phone_text or address or rrn_text):
        fail(
            "name", name, "성명 말고 생년월일·전화번호·주소·주민등록번호 중 하나는 있어야 비교할 수 있습니다"
        )
    if errors:
        return None, errors
    return ClientRow(number, name, birth, phone, address, case_no, rrn_index), []


@dataclass
class ReadResult:
    rows: list[ClientRow]
    errors: list[RowError]
    total: int


def read_client_file(path: Path, *, today: dt.date) -> ReadResult:
    """Every row checked; rows are returned only when no row has an error (all-or-nothing)."""
    rows: list[ClientRow] = []
    errors: list[RowError] = []
    total = 0
    try:
        with open_extract(path) as extract:
            positions = _positions(extract.header)
            seen_case_no: dict[str, int] = {}
            for number, cells in _data_rows(extract.rows):
                total += 1
                row, row_errors = check_row(number, cells, positions, today=today)
                if row is not None and row.case_no:
                    first = seen_case_no.setdefault(row.case_no, number)
                    if first != number:
                        row_errors = [
                            RowError(
                                number,
                                _HEADERS["case_no"],
                                row.case_no,
                                f"{first}행과 기관 사례번호가 같습니다",
                            )
                        ]
                        row = None
                errors.extend(row_errors)
                if row is not None and not errors:
                    rows.append(row)
    except ExtractFileError as exc:
        return ReadResult([], [exc.error], total)
    if total == 0 and not errors:
        errors.append(RowError(0, "파일", "", "머리글 아래에 대상자 행이 없습니다."))
    return ReadResult([] if errors else rows, errors, total)


def _data_rows(rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    """Skip fully blank rows (Excel leaves them at the end)."""
    for number, cells in rows:
        if any(c.strip() for c in cells):
            yield number, cells
