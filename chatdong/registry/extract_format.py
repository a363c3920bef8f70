"""The columns of a resident-registration extract (주민등록 자료), as documented in docs/import-format.md.

The generator (chatdong.demo.generator) writes them and the importer (chatdong.registry.importer) reads
them; this module is the single definition both use.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str  # field name in code
    header: str  # Korean header in the file
    required: bool
    help: str


COLUMNS: tuple[Column, ...] = (
    Column("household_no", "세대번호", True, "세대를 식별하는 번호(영문·숫자·하이픈, 20자 이내)"),
    Column("relation", "세대주관계", True, "본인, 배우자, 자녀, 부, 모, 손자녀, 형제자매, 동거인, 기타 …"),
    Column("name", "성명", True, "한글 또는 영문 성명(40자 이내)"),
    Column("rrn", "주민등록번호", True, "13자리, 하이픈 있거나 없거나(예: 600101-1234567)"),
    Column("phone", "전화번호", False, "숫자만 또는 하이픈 포함(예: 010-1234-5678)"),
    Column("dong_code", "행정동코드", True, "10자리 행정동코드(예: 1129052500)"),
    Column("tong", "통", True, "통 번호(1 이상)"),
    Column("ban", "반", True, "반 번호(1 이상)"),
    Column("road_name", "도로명", True, "도로명(예: 성북로)"),
    Column("building_main", "건물본번", True, "건물 본번(숫자)"),
    Column("building_sub", "건물부번", False, "건물 부번(숫자, 없으면 비움 또는 0)"),
    Column("address_detail", "상세주소", False, "동·호수 등(예: 101동 203호)"),
    Column("moved_in_on", "전입일", False, "YYYY-MM-DD(또는 YYYYMMDD, YYYY.MM.DD, YYYY/MM/DD)"),
    Column("status", "상태", False, "거주(기본), 전출, 사망"),
    Column(
        "status_changed_on", "상태변경일", False, "전출일 또는 사망일, YYYY-MM-DD(상태가 전출·사망이면 필수)"
    ),
    Column(
        "livelihood_benefits",
        "기초생활수급",
        False,
        "수급 급여 종류: 생계, 의료, 주거, 교육을 쉼표로(비우면 비수급)",
    ),
    Column("near_poor", "차상위", False, "Y 또는 비움"),
    Column("disability", "장애", False, "심한, 심하지않은, 또는 비움"),
    Column("single_elder", "독거노인", False, "Y 또는 비움"),
    Column("single_parent", "한부모", False, "Y 또는 비움"),
)
HEADERS = tuple(c.header for c in COLUMNS)
BY_HEADER = {c.header: c for c in COLUMNS}
LIVELIHOOD_BENEFITS = ("생계", "의료", "주거", "교육")
STATUS_VALUES = {"": "resident", "거주": "resident", "전출": "moved_out", "사망": "deceased"}
DISABILITY_VALUES = {"": "", "심한": "severe", "심하지않은": "mild", "심하지 않은": "mild"}
YES_VALUES = {"y", "yes", "o", "1", "예", "true"}
NO_VALUES = {"", "n", "no", "x", "0", "아니오", "false"}
