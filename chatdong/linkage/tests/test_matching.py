"""The engine on its own: jamo decomposition, 두음 folding, every evidence level, Latin names."""

from __future__ import annotations

import datetime as dt

import pytest

from chatdong.linkage import matching
from chatdong.linkage.matching import Model, compare, prepare, score_pair


def test_decompose_gives_conjoining_jamo() -> None:
    assert matching.decompose("김민준") == "\u1100\u1175\u11b7\u1106\u1175\u11ab\u110c\u116e\u11ab"
    assert matching.decompose("가a") == "\u1100\u1161a"
    assert matching.choseong("김민준") == "ㄱㅁㅈ"


def test_one_jamo_typo_is_one_edit() -> None:
    assert compare(prepare(1, name="김민준"), prepare(2, name="김민순"))["name"] == "close"
    assert compare(prepare(1, name="김민준"), prepare(2, name="김밍순"))["name"] == "partial"
    assert compare(prepare(1, name="김민준"), prepare(2, name="박서연"))["name"] == "different"


@pytest.mark.parametrize(
    ("variant", "folded"),
    [
        ("리", "이"),
        ("림", "임"),
        ("류", "유"),
        ("로", "노"),
        ("라", "나"),
        ("량", "양"),
        ("녀", "여"),
        ("김", "김"),
    ],
)
def test_dueum_folds_surname_initials(variant: str, folded: str) -> None:
    assert matching.dueum(variant) == folded


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("이영희", "리영희"),
        ("임성민", "림성민"),
        ("류현진", "유현진"),
        ("노지훈", "로지훈"),
        ("나은지", "라은지"),
    ],
)
def test_dueum_variants_of_a_name_agree(a: str, b: str) -> None:
    assert compare(prepare(1, name=a), prepare(2, name=b))["name"] == "dueum"


def test_dueum_applies_to_the_surname_only() -> None:
    assert compare(prepare(1, name="김리나"), prepare(2, name="김이나"))["name"] == "close"


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("1950-03-01", "19500301", "exact"),
        ("1950-03-04", "1950-04-03", "swapped"),
        ("1950-03-01", "1950-03-07", "digit"),
        ("1950-03-01", "1962-11-20", "different"),
        ("1950-03-01", "", "missing"),
    ],
)
def test_birth_levels(a: str, b: str, level: str) -> None:
    assert compare(prepare(1, name="김", birth=a), prepare(2, name="김", birth=b))["birth"] == level


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("010-1234-5678", "01012345678", "exact"),
        ("010-1234-5678", "010-9999-5678", "last4"),
        ("010-1234-5678", "010-1234-0000", "different"),
        ("010-1234-5678", "", "missing"),
    ],
)
def test_phone_levels(a: str, b: str, level: str) -> None:
    assert compare(prepare(1, name="김", phone=a), prepare(2, name="김", phone=b))["phone"] == level


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("서울 성북구 보문로 12-3 101호", "보문로 12-3", "exact"),
        ("보문로 12 101동 403호", "서울 보문로 12 101동403호", "unit"),
        ("보문로 12 101동 403호", "보문로 12 101동 404호", "exact"),
        ("보문로 12-3", "보문로 40", "road"),
        ("보문로 12", "정릉로 12", "different"),
        ("보문로 12", "", "missing"),
    ],
)
def test_address_levels(a: str, b: str, level: str) -> None:
    assert compare(prepare(1, name="김", address=a), prepare(2, name="김", address=b))["address"] == level


def test_structured_and_free_text_addresses_agree() -> None:
    road, building = matching.address_of("보문로", 12, 3)
    assert prepare(1, road=road, building=building).building == prepare(2, address="보문로 12-3 2층").building


def test_missing_fields_weigh_nothing() -> None:
    model = Model()
    full = score_pair(
        model, prepare(1, name="김민준", birth="1980-01-02"), prepare(2, name="김민준", birth="1980-01-02")
    )
    sparse = score_pair(
        model,
        prepare(1, name="김민준", birth="1980-01-02", phone="01012345678"),
        prepare(2, name="김민준", birth="1980-01-02"),
    )
    assert full.bits == sparse.bits
    assert full.levels["phone"] == "missing"


def test_evidence_and_decisions() -> None:
    model = Model()
    same = score_pair(
        model,
        prepare(1, name="리영희", birth="1950-04-03", phone="010-1111-2222", address="보문로 12"),
        prepare(2, name="이영희", birth=dt.date(1950, 3, 4), phone="01033332222", address="보문로 12"),
    )
    assert same.evidence == [
        "이름 일치(두음법칙 표기 차이)",
        "생년월일의 월·일이 바뀜",
        "전화번호 끝 4자리 일치",
        "주소(도로명·건물번호) 일치",
    ]
    assert same.decision == "match"
    other = score_pair(
        model,
        prepare(1, name="이영희", birth="1950-03-04", phone="010-1111-2222"),
        prepare(2, name="박철수", birth="1971-09-30", phone="010-5555-6666"),
    )
    assert other.decision == "non-match"


def test_latin_names_fall_back_to_characters() -> None:
    a = prepare(1, surname="smith", given="john", birth="19800102")
    b = prepare(2, surname="smyth", given="john", birth="19800102")
    assert a.hangul is False
    assert compare(a, b)["name"] == "close"
    assert matching.split_name("John Smith") == ("smith", "john")


def test_two_syllable_surname() -> None:
    assert matching.split_name("남궁민수") == ("남궁", "민수")
    assert matching.split_name("남궁") == ("남", "궁")


def test_index_blocks_and_one_match_per_client() -> None:
    residents = [
        prepare(10, name="김민준", birth="1980-01-02", phone="01012345678", address="보문로 1"),
        prepare(11, name="김민준", birth="1980-01-02", phone="01099998888", address="정릉로 9"),
        prepare(12, name="박서연", birth="1990-05-06"),
    ]
    index = matching.Index(residents)
    probe = prepare("c", name="김민준", birth="1980-01-02")
    assert index.candidates(probe) == {10, 11}
    pairs = matching.match_record(Model(), index, probe)
    # Two residents equally likely: they share the probability, neither is a match, both go to review.
    assert [(p.right, p.decision) for p in pairs] == [(10, "review"), (11, "review")]
    assert pairs[0].probability == pairs[1].probability < 0.5
    pairs = matching.match_record(
        Model(), index, prepare("c", name="김민준", birth="1980-01-02", phone="01012345678")
    )
    # The phone explains the client: the namesake's share of the probability falls below review.
    assert [(p.right, p.decision) for p in pairs] == [(10, "match"), (11, "non-match")]
    assert pairs[0].probability + pairs[1].probability < 1
    assert pairs[1].probability < 0.001


def test_without_keep_below_only_pairs_worth_a_review_are_returned() -> None:
    residents = [
        prepare(10, name="김민준", birth="1980-01-02", phone="01012345678", address="보문로 1"),
        prepare(11, name="김민수", birth="1955-07-30", phone="01099998888", address="보문로 1"),
    ]
    index = matching.Index(residents)
    probe = prepare("c", name="김민준", birth="1980-01-02", address="성북구 보문로 1")
    assert index.candidates(probe) == {10, 11}
    kept = matching.match_record(Model(), index, probe)
    assert [(p.right, p.decision) for p in kept] == [(10, "match"), (11, "non-match")]
    dropped = matching.match_record(Model(), index, probe, keep_below=False)
    assert [(p.right, p.decision) for p in dropped] == [(10, "match")]
