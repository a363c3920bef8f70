"""The synthetic district generator: deterministic, realistic, and valid for the importer."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from openpyxl import load_workbook

from chatdong.accounts.districts import SEONGBUK
from chatdong.core.rrn import parse_rrn
from chatdong.demo.generator import DEFAULT_AS_OF, RANDOM_RRN_SINCE, generate_district, iter_rows
from chatdong.registry.extract_format import COLUMNS, HEADERS
from chatdong.registry.importer import RowChecker

KEYS = [c.key for c in COLUMNS]


def _rows(residents: int, seed: int) -> list[dict[str, object]]:
    rows, _summary = iter_rows(residents=residents, seed=seed)
    return [dict(zip(KEYS, row, strict=True)) for row in rows]


@pytest.fixture(scope="module")
def district() -> list[dict[str, object]]:
    return _rows(20_000, 11)


def _age(birth: dt.date) -> int:
    return (
        DEFAULT_AS_OF.year
        - birth.year
        - ((DEFAULT_AS_OF.month, DEFAULT_AS_OF.day) < (birth.month, birth.day))
    )


def _legacy_check_digit(digits: str) -> int:
    total = sum(int(d) * w for d, w in zip(digits[:12], (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5), strict=True))
    return (11 - total % 11) % 10


def test_same_seed_gives_the_same_bytes_and_another_seed_other_bytes(tmp_path: Path) -> None:
    generate_district(residents=3000, seed=5, out=tmp_path / "a.csv")
    generate_district(residents=3000, seed=5, out=tmp_path / "b.csv")
    generate_district(residents=3000, seed=6, out=tmp_path / "c.csv")

    a = (tmp_path / "a.csv").read_bytes()
    assert a == (tmp_path / "b.csv").read_bytes()
    assert a != (tmp_path / "c.csv").read_bytes()


def test_output_does_not_depend_on_the_number_of_worker_processes(tmp_path: Path) -> None:
    generate_district(residents=4000, seed=8, out=tmp_path / "one.csv", workers=1)
    generate_district(residents=4000, seed=8, out=tmp_path / "two.csv", workers=2)

    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()


def test_csv_is_utf8_with_bom_and_the_import_headers(tmp_path: Path) -> None:
    summary = generate_district(residents=500, seed=1, out=tmp_path / "x.csv")

    data = (tmp_path / "x.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    with (tmp_path / "x.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == HEADERS
    assert len(rows) == 501
    assert summary.residents == 500


def test_xlsx_output_has_the_same_rows_as_csv(tmp_path: Path) -> None:
    generate_district(residents=300, seed=2, out=tmp_path / "x.xlsx")
    generate_district(residents=300, seed=2, out=tmp_path / "x.csv")

    sheet = load_workbook(tmp_path / "x.xlsx", read_only=True).active
    assert sheet is not None
    from_xlsx = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    with (tmp_path / "x.csv").open(encoding="utf-8-sig", newline="") as handle:
        from_csv = list(csv.reader(handle))
    assert from_xlsx == from_csv


def test_sixty_five_plus_share_is_about_nineteen_percent(district: list[dict[str, object]]) -> None:
    old = sum(1 for r in district if _age(parse_rrn(str(r["rrn"])).birth_date) >= 65)

    assert 0.17 <= old / len(district) <= 0.21


def test_about_two_point_two_persons_per_household(district: list[dict[str, object]]) -> None:
    households = Counter(r["household_no"] for r in district)
    sizes = Counter(households.values())

    assert 2.0 <= len(district) / len(households) <= 2.4
    assert 0.3 <= sizes[1] / len(households) <= 0.42  # one-person households


def test_all_twenty_dong_present_with_sizes_in_the_order_of_their_population(
    district: list[dict[str, object]],
) -> None:
    counts = Counter(r["dong_code"] for r in district)

    assert set(counts) == {d.code for d in SEONGBUK.dongs}
    assert sum(counts.values()) == 20_000
    for a in SEONGBUK.dongs:
        for b in SEONGBUK.dongs:
            if a.population > b.population:
                assert counts[a.code] > counts[b.code], (a.name, b.name)
    assert counts["1129070500"] == max(counts.values())  # 종암동
    assert counts["1129077000"] == min(counts.values())  # 장위2동


def test_every_identity_number_parses_and_agrees_with_the_rest_of_the_row(
    district: list[dict[str, object]],
) -> None:
    assert len({r["rrn"] for r in district}) == len(district)
    random_kind = 0
    for r in district:
        rrn = parse_rrn(str(r["rrn"]), today=DEFAULT_AS_OF)
        digits = rrn.digits
        assert rrn.foreigner is False
        assert digits[6] in ("12" if rrn.birth_date.year < 2000 else "34")
        assert rrn.birth_date <= DEFAULT_AS_OF
        assert dt.date.fromisoformat(str(r["moved_in_on"])) >= rrn.birth_date
        if rrn.birth_date < RANDOM_RRN_SINCE:
            assert int(digits[12]) == _legacy_check_digit(digits)  # legacy numbers carry a valid check digit
        else:
            random_kind += 1
    assert random_kind > 0  # born since October 2020: random last six digits


def test_household_relations_have_consistent_ages(district: list[dict[str, object]]) -> None:
    households: dict[object, list[tuple[str, int]]] = defaultdict(list)
    for r in district:
        households[r["household_no"]].append((str(r["relation"]), _age(parse_rrn(str(r["rrn"])).birth_date)))
    relations = Counter(rel for members in households.values() for rel, _ in members)
    for members in households.values():
        (head_relation, head_age), *others = members
        assert head_relation == "본인"
        assert head_age >= 18
        for relation, age in others:
            assert relation != "본인"
            if relation == "자녀":
                assert head_age - age >= 15
            elif relation in ("부", "모"):
                assert age - head_age >= 15
            elif relation == "손자녀":
                assert head_age - age >= 30
    assert {"본인", "배우자", "자녀", "부", "모", "손자녀", "형제자매", "동거인"} <= set(relations)


def test_names_phones_and_addresses_look_korean(district: list[dict[str, object]]) -> None:
    surnames = Counter(str(r["name"])[0] for r in district)
    phones = [str(r["phone"]) for r in district if r["phone"]]
    addresses = {
        (r["road_name"], r["building_main"], r["building_sub"], r["address_detail"]) for r in district
    }

    assert 0.19 <= surnames["김"] / len(district) <= 0.24
    assert 0.12 <= surnames["이"] / len(district) <= 0.17
    assert all(2 <= len(str(r["name"])) <= 4 for r in district)
    assert 0.8 <= len(phones) / len(district) <= 0.95
    assert all(len(p) == 13 and p.startswith("010-") for p in phones)
    assert len(set(phones)) == len(phones)
    # one household per address
    assert len(addresses) == len({r["household_no"] for r in district})
    roads = {str(r["road_name"]) for r in district}
    assert {"성북로", "종암로", "화랑로"} <= {road.split("로")[0] + "로" for road in roads}
    assert all(int(str(r["building_main"])) >= 1 for r in district)


def test_welfare_flags_at_realistic_rates(district: list[dict[str, object]]) -> None:
    n = len(district)
    livelihood = [r for r in district if r["livelihood_benefits"]]
    ages = {r["rrn"]: _age(parse_rrn(str(r["rrn"])).birth_date) for r in district}
    household_sizes = Counter(r["household_no"] for r in district)
    elders = [r for r in district if ages[r["rrn"]] >= 65]
    single_elders = [r for r in district if r["single_elder"] == "Y"]

    assert 0.035 <= len(livelihood) / n <= 0.06
    assert all(
        set(str(r["livelihood_benefits"]).split(",")) <= {"생계", "의료", "주거", "교육"} for r in livelihood
    )
    assert 0.008 <= sum(1 for r in district if r["near_poor"] == "Y") / n <= 0.025
    assert not any(r["near_poor"] == "Y" and r["livelihood_benefits"] for r in district)
    assert 0.04 <= sum(1 for r in district if r["disability"]) / n <= 0.06
    assert {r["disability"] for r in district} == {"", "심한", "심하지않은"}
    # 독거노인: exactly the people aged 65+ who live alone; about a fifth of the old
    assert all(ages[r["rrn"]] >= 65 and household_sizes[r["household_no"]] == 1 for r in single_elders)
    assert 0.16 <= len(single_elders) / len(elders) <= 0.24
    # 한부모: every flagged household has a child under 18
    kids: dict[object, list[int]] = defaultdict(list)
    for r in district:
        if r["relation"] == "자녀":
            kids[r["household_no"]].append(ages[r["rrn"]])
    single_parent_households = {r["household_no"] for r in district if r["single_parent"] == "Y"}
    assert single_parent_households
    assert all(kids[number] and min(kids[number]) < 18 for number in single_parent_households)
    assert {r["status"] for r in district} == {"거주"}


def test_every_row_passes_the_importer_checks(district: list[dict[str, object]]) -> None:
    checker = RowChecker(
        header=list(HEADERS), dong_codes={d.code for d in SEONGBUK.dongs}, today=dt.date.today()
    )
    errors = []
    for number, row in enumerate(district, start=2):
        _record, row_errors = checker.check(number, ["" if v is None else str(v) for v in row.values()])
        errors.extend(row_errors)

    assert errors == []


def test_residents_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        generate_district(residents=0, seed=1, out=tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()
