"""The engine on its own: jamo decomposition, 두음 folding, every evidence level, Latin names."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from chatdong.linkage import matching
from chatdong.linkage.matching import MISSING, Model, compare, prepare, score_pair


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


def _registry(people: list[tuple[str, str, str]]) -> list[matching.Prepared]:
    """Residents from (name, birth date, road address) triples."""
    return [
        prepare(f"r{i}", name=name, birth=birth, address=address)
        for i, (name, birth, address) in enumerate(people)
    ]


def test_name_frequency_counts_the_birth_cohort() -> None:
    # 서연 is common among residents born around 2005 and rare among those born around 1955.
    residents = _registry(
        [("김서연", "2005-03-01", "")] * 30
        + [("김영자", "2005-06-01", "")] * 970
        + [("김서연", "1955-03-01", "")] * 1
        + [("김영자", "1955-06-01", "")] * 999
    )
    frequencies = matching.Frequencies.count(residents)
    folded = prepare(0, name="김서연").folded
    assert frequencies.name_share(folded) == pytest.approx(31 / 2000)
    assert frequencies.name_share(folded, "2005") > 4 * frequencies.name_share(folded, "1955")
    model = Model(frequencies=frequencies)
    young = prepare("c1", name="김서연", birth="2005-03-01")
    old = prepare("c2", name="김서연", birth="1955-03-01")
    # The same exact-name agreement is weaker evidence in the cohort where the name is common.
    assert model.name_adjustment(young) < model.name_adjustment(old)
    levels = {"name": "exact", "birth": "exact", "phone": MISSING, "address": MISSING}
    assert model.bits(levels, young) < model.bits(levels, old)


def test_a_name_nobody_has_is_not_infinitely_rare() -> None:
    residents = _registry([("김민준", "1990-01-01", "")] * 10 + [("이서준", "1990-02-01", "")] * 10)
    frequencies = matching.Frequencies.count(residents)
    unseen = prepare(0, name="김민쥰").folded
    assert frequencies.name_share(unseen, "1990") == pytest.approx(1 / 20)
    assert frequencies.name_share(unseen) == pytest.approx(1 / 20)


def test_building_agreement_weighs_by_how_many_live_there() -> None:
    residents = _registry(
        [(f"김{chr(0xAC00 + i)}", "1980-01-01", "서울 성북구 보문로 1") for i in range(300)]
        + [
            ("이민수", "1980-01-01", "서울 성북구 정릉로 7 2층"),
            ("이민정", "1980-01-01", "서울 성북구 정릉로 7"),
        ]
    )
    model = Model(frequencies=matching.Frequencies.count(residents))
    tower = prepare("c1", name="박민수", address="보문로 1")
    house = prepare("c2", name="박민수", address="정릉로 7")
    assert model.address_weight("exact", house) > model.address_weight("exact", tower) + 5
    # Without frequencies (the live check) the level's average weight is used.
    assert Model().address_weight("exact", house) == Model().weight("address", "exact")


def test_value_agreements_are_counted_exactly() -> None:
    left = [prepare(i, name="김민준", birth="1990-01-02") for i in range(4)]
    right = [prepare("a", name="김민준", birth="1990-01-02"), prepare("b", name="이서연", birth="1990-02-01")]
    u = matching.estimate_u(left, right, samples=10)
    assert u["birth"]["exact"] == pytest.approx(0.5)
    assert u["birth"]["swapped"] == pytest.approx(0.5)
    assert u["name"]["exact"] == pytest.approx(0.5)
    assert sum(u["birth"].values()) == pytest.approx(1.0)


def test_one_jamo_from_a_common_name_is_weaker_than_from_a_name_nobody_has() -> None:
    residents = _registry([("김종훈", "1976-09-26", "")] * 5 + [("김정훈", "1976-01-01", "")] * 200)
    residents += _registry([("박" + chr(0xAC00 + i) + "수", "1976-05-05", "") for i in range(800)])
    model = Model(frequencies=matching.Frequencies.count(residents))
    common = prepare("c1", name="김정훈", birth="1976-09-26")  # a real name, 200 residents have it
    typo = prepare("c2", name="김종휸", birth="1976-09-26")  # nobody is called that: a typo of 김종훈
    assert compare(common, residents[0])["name"] == compare(typo, residents[0])["name"] == "close"
    levels = {"name": "close", "birth": "exact", "phone": MISSING, "address": MISSING}
    assert model.bits(levels, typo) > model.bits(levels, common) + 5


def test_prior_is_the_odds_against_nobody() -> None:
    # Three quarters of the clients are one of 300 residents: 1/400 each, against 1/4 for nobody.
    assert matching.prior_odds_bits(0.75, 300) == pytest.approx(math.log2(0.75 / 300 / 0.25))
    # Two residents and nothing else known: in the competition o_i / (1 + Σ o) each gets its 3/8.
    odds = 2.0 ** matching.prior_odds_bits(0.75, 2)
    assert odds / (1 + 2 * odds) == pytest.approx(0.375)


def test_a_resident_is_at_most_one_row_of_a_list() -> None:
    matches = [
        ("row1", "r1", 0.97),
        ("row2", "r1", 0.62),
        ("row3", "r2", 0.9),
        ("row4", "r3", 0.7),
        ("row5", "r3", 0.7),
    ]
    # row2 loses r1 to the likelier row1; row4 and row5 claim r3 equally: both go to review.
    assert matching.shared_residents(matches) == {("row2", "r1"), ("row4", "r3"), ("row5", "r3")}
    pairs = [
        matching.Pair(left, right, 5.0, p, "match", {"name": "exact"}) for left, right, p in matches[:3]
    ] + [matching.Pair("row6", "r1", -3.0, 0.2, "review", {"name": "close"})]
    settled = matching.one_client_per_resident(pairs)
    assert [p.decision for p in settled] == ["match", "review", "match", "review"]
    assert [p.probability for p in settled] == [p.probability for p in pairs]
