"""A synthetic but realistic resident-registration extract of 성북구, in the import format.

Every person is fictional. The shape follows public figures: the 20 행정동 with their relative sizes,
통/반, real road names of each 동, the Korean age pyramid (about 19% aged 65+), household sizes
(about 2.2 persons), surname frequencies, identity numbers of both kinds (before October 2020: region
code, serial and the legacy check digit; since then: random last six digits) and welfare flags at
realistic rates. The output is deterministic: the same residents, seed and reference date give the
same bytes.

Speed matters (425,000 rows in a few seconds): one `random.Random` per 동 (so 동 are generated in
parallel processes with the same result), cumulative-weight tables searched with `bisect`, plain lists,
and `csv.writer`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import time
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from random import Random
from typing import Generic, TypeVar

from chatdong.accounts.districts import PRESETS, DistrictPreset, DongPreset
from chatdong.demo import names
from chatdong.registry.extract_format import COLUMNS, HEADERS

# The extract's reference date ("as of"). Fixed, so that the same seed gives the same file on any day.
DEFAULT_AS_OF = dt.date(2026, 11, 1)
DEFAULT_PRESET = "seongbuk"
DEFAULT_RESIDENTS = PRESETS[DEFAULT_PRESET].population  # 425,000
RANDOM_RRN_SINCE = dt.date(2020, 10, 1)  # identity numbers issued since then have random last digits

MAX_AGE = 104
# Korean population by 5-year age group (thousands; 통계청 추계인구 2025, rounded): 0–4 … 70–74,
_PYRAMID_5Y = (1250, 1700, 2300, 2300, 2500, 3300, 3500, 3300, 3800, 3900, 4300, 4100, 4200, 3500, 2500)
_PYRAMID_5Y_OLD = (1800, 1300, 700, 250, 60, 10)  # 75–79 … 100–104
# Share of people of each age who still live with their parents (children in a parent's household).
_AT_HOME = ((19, 1.0), (24, 0.8), (29, 0.55), (34, 0.3), (39, 0.12), (MAX_AGE, 0.0))

# Household types: (weight, builder name). Sizes follow 인구주택총조사 for Seoul: 1 person ≈ 37%,
# 2 ≈ 27%, 3 ≈ 19%, 4 ≈ 13.5%, 5+ ≈ 3.5%, mean ≈ 2.2.
_HOUSEHOLD_TYPES: tuple[tuple[float, str], ...] = (
    (37.0, "single"),
    (11.0, "elder_couple"),
    (7.2, "couple"),
    (3.3, "single_parent_1"),
    (3.9, "elder_parent_adult_child"),
    (1.6, "siblings"),
    (1.6, "cohabitants"),
    (13.6, "couple_kids_1"),
    (1.3, "single_parent_2"),
    (1.5, "couple_parent"),
    (2.6, "elder_couple_adult_child"),
    (11.4, "couple_kids_2"),
    (1.2, "couple_kid_parent"),
    (0.6, "three_generations"),
    (0.3, "single_parent_3"),
    (1.4, "couple_kids_3"),
    (1.4, "couple_kids_2_parent"),
    (0.4, "couple_kids_2_parents"),
    (0.3, "couple_kids_4"),
)
# Age bands of people living alone (weights): young adults and the old.
_SINGLE_AGE_BANDS = (
    (19, 29, 23.0),
    (30, 39, 18.0),
    (40, 49, 12.0),
    (50, 64, 24.0),
    (65, 79, 13.5),
    (80, 99, 9.5),
)

# Birth region of the legacy identity number (first two digits of the 4-digit code) and weights.
_REGION_CODES: tuple[tuple[int, int, float], ...] = (
    (0, 8, 45.0),  # 서울
    (9, 12, 4.0),  # 부산
    (13, 15, 4.0),  # 인천
    (16, 25, 12.0),  # 경기
    (26, 34, 5.0),  # 강원
    (35, 39, 4.0),  # 충북
    (40, 40, 2.0),  # 대전
    (41, 43, 3.0),  # 충남
    (45, 47, 2.0),  # 충남
    (48, 54, 6.0),  # 전북
    (55, 56, 2.0),  # 광주
    (57, 64, 6.0),  # 전남
    (67, 69, 3.0),  # 대구
    (70, 75, 3.0),  # 경북
    (77, 81, 1.0),  # 경북
    (82, 84, 2.0),  # 경남
    (85, 85, 1.0),  # 울산
    (86, 92, 2.0),  # 경남
    (93, 95, 1.0),  # 제주
)

# Side streets (…로N길) and apartment building numbers per 동 along a road that several 동 share.
_STREETS_PER_DONG = 30
_NUMBERS_PER_DONG = 150

# Column order of the rows this module builds; checked against extract_format at import time.
_ROW_KEYS = (
    "household_no",
    "relation",
    "name",
    "rrn",
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
if set(_ROW_KEYS) != {c.key for c in COLUMNS}:  # pragma: no cover - guards a change of the format
    raise RuntimeError("chatdong.demo.generator is out of date with registry.extract_format.COLUMNS")
_ORDER = tuple(_ROW_KEYS.index(c.key) for c in COLUMNS)
_IDENTITY_ORDER = tuple(range(len(_ROW_KEYS))) == _ORDER

T = TypeVar("T")

# A member while a household is being built: relation, age (years), sex ("M"/"F"), surname.
Member = tuple[str, int, str, str]
# road name, building main number, sub number (0 = none), detail (동·호)
Address = tuple[str, int, int, str]


class _Place:
    """Where addresses are being handed out: the current apartment complex or side street of a 동."""

    __slots__ = ("bans_left", "block", "number", "road")

    def __init__(self) -> None:
        self.road, self.number, self.block, self.bans_left = "", 0, 0, 0

    def start(self, *, road: str, number: int, block: int, bans: int) -> None:
        self.road, self.number, self.block, self.bans_left = road, number, block, bans


@dataclass
class Summary:
    """What was generated, for the command's report and for tests."""

    residents: int = 0
    households: int = 0
    aged_65_plus: int = 0
    livelihood: int = 0
    near_poor: int = 0
    disability: int = 0
    single_elder: int = 0
    single_parent_households: int = 0
    random_rrn: int = 0
    no_phone: int = 0
    seconds: float = 0.0
    by_dong: dict[str, int] = field(default_factory=dict)

    @property
    def persons_per_household(self) -> float:
        return self.residents / self.households if self.households else 0.0

    def share(self, count: int) -> float:
        return count / self.residents if self.residents else 0.0

    def add(self, other: Summary) -> None:
        for name in (
            "residents",
            "households",
            "aged_65_plus",
            "livelihood",
            "near_poor",
            "disability",
            "single_elder",
            "single_parent_households",
            "random_rrn",
            "no_phone",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.by_dong.update(other.by_dong)

    def lines(self) -> list[str]:
        pct = self.share
        return [
            f"주민 {self.residents:,}명, 세대 {self.households:,}개 (세대당 {self.persons_per_household:.2f}명)",
            f"65세 이상 {pct(self.aged_65_plus):.1%}, 기초생활수급 {pct(self.livelihood):.1%}, "
            f"차상위 {pct(self.near_poor):.1%}, 장애 {pct(self.disability):.1%}",
            f"독거노인 {self.single_elder:,}명 (65세 이상의 {self.single_elder / max(self.aged_65_plus, 1):.1%}), "
            f"한부모 세대 {self.single_parent_households:,}개",
            f"2020년 10월 이후 출생(임의번호) {self.random_rrn:,}명, 전화번호 없음 {self.no_phone:,}명",
        ]


class _Table(Generic[T]):
    """Weighted choice by cumulative weights: one random() and one bisect per draw."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.items = [item for item, _ in pairs]
        self.cum = list(accumulate(weight for _, weight in pairs))
        self.total = self.cum[-1]

    def pick(self, random: Callable[[], float]) -> T:
        return self.items[bisect_right(self.cum, random() * self.total)]


class _Ages:
    """Draw an age in [lo, hi] following a weight per year of age."""

    __slots__ = ("cum",)

    def __init__(self, weights: Sequence[float]) -> None:
        self.cum = list(accumulate(weights))

    def draw(self, random: Callable[[], float], lo: int, hi: int) -> int:
        cum = self.cum
        base = cum[lo - 1] if lo > 0 else 0.0
        return min(bisect_right(cum, base + random() * (cum[hi] - base)), hi)


def _pyramid() -> list[float]:
    groups = _PYRAMID_5Y + _PYRAMID_5Y_OLD
    return [groups[age // 5] / 5 for age in range(MAX_AGE + 1)]


def _at_home(age: int) -> float:
    return next(share for limit, share in _AT_HOME if age <= limit)


def _surname_table() -> _Table[str]:
    # Surnames below 5‰ stand for the long tail too: spread the rest of the population over them.
    total = sum(share for _, share in names.SURNAMES)
    tail = [name for name, share in names.SURNAMES if share < 5]
    extra = (1000 - total) / len(tail)
    return _Table([(name, share + (extra if share < 5 else 0)) for name, share in names.SURNAMES])


def _region_table() -> _Table[int]:
    pairs: list[tuple[int, float]] = []
    for lo, hi, weight in _REGION_CODES:
        pairs.extend((code, weight / (hi - lo + 1)) for code in range(lo, hi + 1))
    return _Table(pairs)


def _allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder): exact and deterministic."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


_PYRAMID = _pyramid()
_AGES = _Ages(_PYRAMID)
_CHILD_AGES = _Ages([w * _at_home(age) for age, w in enumerate(_PYRAMID)])
_TYPES = _Table([(name, weight) for weight, name in _HOUSEHOLD_TYPES])
_SINGLE_BANDS = _Table([((lo, hi), w) for lo, hi, w in _SINGLE_AGE_BANDS])
_SURNAMES = _surname_table()
_REGIONS = _region_table()
_PERIODS = names.GIVEN_NAME_PERIODS
_TWO = tuple(f"{i:02d}" for i in range(100))
_REGION_WEIGHT = tuple(9 * (i // 10) + 2 * (i % 10) for i in range(100))
_OFFICE_WEIGHT = tuple(3 * (i // 10) + 4 * (i % 10) for i in range(100))
_POOLS = {(period, sex): names.GIVEN_NAMES[period][sex] for period in _PERIODS for sex in "MF"}


def _road_ranks(preset: DistrictPreset) -> dict[tuple[str, str], int]:
    """For a road shared by several 동: this 동's place along it (0, 1, …), so that side streets and
    building numbers of different 동 never coincide."""
    seen: dict[str, int] = {}
    ranks: dict[tuple[str, str], int] = {}
    for dong in preset.dongs:
        for road in dong.roads:
            ranks[(dong.code, road)] = seen.get(road, 0)
            seen[road] = ranks[(dong.code, road)] + 1
    return ranks


class _DongGenerator:
    """Generates one 동. Each 동 has its own random stream (seeded by the seed and the 동 code), so 동
    can be generated in parallel and in any order with the same result. Identity and phone numbers
    are unique across the district by construction: part of their random digits encodes the 동's
    place in the preset (`slot`), and a set keeps them unique within the 동."""

    def __init__(
        self,
        *,
        seed: int,
        as_of: dt.date,
        dong: DongPreset,
        slot: int,
        road_ranks: dict[tuple[str, str], int],
    ) -> None:
        self.rng = Random(f"chatdong:{seed}:{dong.code}")
        self.random = self.rng.random
        self.randint = self.rng.randint
        self.dong = dong
        self.slot = slot
        self.as_of_ord = as_of.toordinal()
        self.random_since_ord = RANDOM_RRN_SINCE.toordinal()
        self.used_rrn: set[str] = set()
        self.rrn_fronts: dict[int, tuple[str, int, bool]] = {}
        self.used_phone: set[str] = set()
        # Shared roads are split between their 동: each gets its own range of side streets and numbers.
        self.road_base = {road: road_ranks[(dong.code, road)] for road in dong.roads}
        self.road_next_gil = {road: rank * _STREETS_PER_DONG for road, rank in self.road_base.items()}
        self.road_next_number = {road: rank * _NUMBERS_PER_DONG for road, rank in self.road_base.items()}
        self.street_numbers: dict[str, int] = {}
        self.complex_blocks: dict[tuple[str, int], int] = {}
        self.summary = Summary()

    # --- people -----------------------------------------------------------------------------------

    def surname(self) -> str:
        return _SURNAMES.pick(self.random)

    def given_name(self, birth_year: int, sex: str) -> str:
        random = self.random
        r = random()
        if r < 0.68:
            pool = _POOLS[(_PERIODS[bisect_right(_PERIODS, birth_year) - 1], sex)]
            return pool[int(random() * len(pool))]
        if r < 0.99:
            first, second = names.SYLLABLES[sex]
            a = first[int(random() * len(first))]
            i = int(random() * len(second))
            b = second[i] if second[i] != a else second[(i + 1) % len(second)]
            return a + b
        pool = names.SINGLE_SYLLABLE[sex]
        return pool[int(random() * len(pool))]

    def rrn(self, birth_ord: int, sex: str) -> str:
        front_parts = self.rrn_fronts.get(birth_ord)
        if front_parts is None:
            birth = dt.date.fromordinal(birth_ord)
            yy, month, day = birth.year % 100, birth.month, birth.day
            # The legacy check digit: weights 2,3,4,5,6,7 | 8 | 9,2,3,4 | 5 over the first 12 digits.
            weighted = 2 * (yy // 10) + 3 * (yy % 10) + 4 * (month // 10) + 5 * (month % 10)
            weighted += 6 * (day // 10) + 7 * (day % 10)
            front_parts = (f"{yy:02d}{month:02d}{day:02d}-", weighted, birth.year >= 2000)
            self.rrn_fronts[birth_ord] = front_parts
        front, weighted, born_2000s = front_parts
        gender = (3 if sex == "M" else 4) if born_2000s else (1 if sex == "M" else 2)
        random, used, slot = self.random, self.used_rrn, self.slot
        legacy = birth_ord < self.random_since_ord
        fixed = weighted + 8 * gender
        while True:
            if legacy:
                # region (2 digits, the birth area) + office (2 digits) + serial (1) + check digit
                region = _REGIONS.pick(random)
                office = slot * 5 + int(random() * 5)
                serial = int(random() * 10)
                total = fixed + _REGION_WEIGHT[region] + _OFFICE_WEIGHT[office] + 5 * serial
                number = f"{front}{gender}{_TWO[region]}{_TWO[office]}{serial}{(11 - total % 11) % 10}"
            else:
                number = f"{front}{gender}{int(random() * 50_000) * 20 + slot:06d}"
            if number not in used:
                used.add(number)
                return number

    def phone(self, age: int) -> str:
        random = self.random
        r = random()
        if age < 10 or (age < 14 and r < 0.5) or (age >= 80 and r < 0.25) or r < 0.04:
            return ""
        while True:
            middle = 2000 + int(random() * 400) * 20 + self.slot
            number = f"010-{middle}-{int(random() * 10000):04d}"
            if number not in self.used_phone:
                self.used_phone.add(number)
                return number

    # --- households -------------------------------------------------------------------------------

    def couple_ages(self, husband_lo: int, husband_hi: int) -> tuple[int, int]:
        husband = _AGES.draw(self.random, husband_lo, husband_hi)
        gap = min(max(round(self.rng.gauss(2.5, 2.5)), -4), 10)
        return husband, max(husband - gap, 20)

    def couple_members(self, husband: int, wife: int, surname: str) -> list[Member]:
        """A married couple; the husband heads most such households, the wife about one in five."""
        wife_surname = self.surname()
        if self.random() < 0.8:
            return [("본인", husband, "M", surname), ("배우자", wife, "F", wife_surname)]
        return [("본인", wife, "F", wife_surname), ("배우자", husband, "M", surname)]

    def kids(self, count: int, eldest_hi: int = 38) -> list[int]:
        ages = [_CHILD_AGES.draw(self.random, 0, eldest_hi)]
        for _ in range(count - 1):
            ages.append(ages[-1] - self.randint(1, 5))
        if ages[-1] < 0:
            shift = -ages[-1]
            ages = [a + shift for a in ages]
        return ages

    def parents_of(self, eldest_kid: int) -> tuple[int, int]:
        mother = eldest_kid + self.randint(24, 38)
        gap = min(max(round(self.rng.gauss(2.5, 2.0)), -3), 10)
        return min(mother + gap, MAX_AGE - 20), min(mother, MAX_AGE - 20)

    def family(self, kid_count: int, grandparents: int = 0) -> list[Member]:
        kid_ages = self.kids(kid_count)
        father, mother = self.parents_of(kid_ages[0])
        surname = self.surname()
        members = self.couple_members(father, mother, surname)
        members += [("자녀", age, self.sex(), surname) for age in kid_ages]
        if grandparents:
            head_age = members[0][1]
            elder = min(head_age + self.randint(24, 36), MAX_AGE)
            head_surname = members[0][3]
            if grandparents == 2:
                members += [("부", elder, "M", head_surname), ("모", max(elder - 3, 60), "F", self.surname())]
            elif self.random() < 0.75:
                members.append(("모", elder, "F", self.surname()))
            else:
                members.append(("부", elder, "M", head_surname))
        return members

    def sex(self) -> str:
        return "M" if self.random() < 0.512 else "F"  # sex ratio at birth ≈ 105:100

    def single_parent(self, kid_count: int) -> list[Member]:
        kid_ages = self.kids(kid_count, eldest_hi=24)
        parent_age = kid_ages[0] + self.randint(24, 40)
        parent_sex = "F" if self.random() < 0.78 else "M"
        parent_surname = self.surname()
        kid_surname = parent_surname if parent_sex == "M" or self.random() < 0.3 else self.surname()
        return [("본인", parent_age, parent_sex, parent_surname)] + [
            ("자녀", age, self.sex(), kid_surname) for age in kid_ages
        ]

    def household(self) -> tuple[list[Member], bool]:
        """One household's members (head first) and whether it is a single-parent family."""
        kind = _TYPES.pick(self.random)
        random = self.random
        if kind == "single":
            lo, hi = _SINGLE_BANDS.pick(random)
            age = _AGES.draw(random, lo, hi)
            sex = ("F" if random() < 0.72 else "M") if age >= 65 else ("M" if random() < 0.54 else "F")
            return [("본인", age, sex, self.surname())], False
        if kind == "elder_couple":
            husband, wife = self.couple_ages(63, 97)
            return self.couple_members(husband, wife, self.surname()), False
        if kind == "couple":
            husband, wife = self.couple_ages(26, 62)
            return self.couple_members(husband, wife, self.surname()), False
        if kind.startswith("single_parent_"):
            return self.single_parent(int(kind[-1])), True
        if kind == "elder_parent_adult_child":
            parent = _AGES.draw(random, 66, 99)
            sex = "F" if random() < 0.72 else "M"
            surname = self.surname()
            child = max(parent - self.randint(24, 38), 26)
            child_surname = surname if sex == "M" else self.surname()
            return [("본인", parent, sex, surname), ("자녀", child, self.sex(), child_surname)], False
        if kind in ("siblings", "cohabitants"):
            age = _AGES.draw(random, 20, 45)
            surname = self.surname()
            if kind == "siblings":
                other: Member = ("형제자매", max(age + self.randint(-6, 6), 19), self.sex(), surname)
            else:
                other = ("동거인", max(age + self.randint(-5, 5), 19), self.sex(), self.surname())
            return [("본인", age, self.sex(), surname), other], False
        if kind == "couple_kids_1":
            return self.family(1), False
        if kind == "couple_kids_2":
            return self.family(2), False
        if kind == "couple_kids_3":
            return self.family(3), False
        if kind == "couple_kids_4":
            return self.family(4), False
        if kind == "couple_kid_parent":
            return self.family(1, grandparents=1), False
        if kind == "couple_kids_2_parent":
            return self.family(2, grandparents=1), False
        if kind == "couple_kids_2_parents":
            return self.family(2, grandparents=2), False
        if kind == "couple_parent":
            husband, wife = self.couple_ages(42, 64)
            members = self.couple_members(husband, wife, self.surname())
            elder = min(members[0][1] + self.randint(24, 36), MAX_AGE)
            members.append(("모", elder, "F", self.surname()))
            return members, False
        if kind == "elder_couple_adult_child":
            husband, wife = self.couple_ages(58, 90)
            surname = self.surname()
            members = self.couple_members(husband, wife, surname)
            members.append(("자녀", max(wife - self.randint(24, 36), 20), self.sex(), surname))
            return members, False
        # three_generations: grandparents raising a grandchild with their adult child.
        husband, wife = self.couple_ages(60, 82)
        surname = self.surname()
        members = self.couple_members(husband, wife, surname)
        child = max(wife - self.randint(25, 34), 25)
        grandchild = min(max(child - self.randint(26, 36), 0), 12)
        members += [("자녀", child, "M", surname), ("손자녀", grandchild, self.sex(), surname)]
        return members, False

    # --- addresses --------------------------------------------------------------------------------

    def road(self) -> str:
        # The 동's first road carries more of its addresses.
        roads = self.dong.roads
        return roads[0] if self.random() < 0.4 else roads[int(self.random() * len(roads))]

    def apartment_addresses(self, count: int, complex_: _Place) -> list[Address]:
        """Addresses in an apartment complex: a building number on a main road, then 동 and 호."""
        randint = self.randint
        if not complex_.bans_left:
            road = self.road()
            base = self.road_base[road] * _NUMBERS_PER_DONG  # this 동's numbers: base+1 … base+150
            offset = self.road_next_number[road] - base
            number = base + (offset + randint(4, 20) - 1) % _NUMBERS_PER_DONG + 1
            self.road_next_number[road] = number
            block = self.complex_blocks.get((road, number), 101)
            complex_.start(road=road, number=number, block=block, bans=randint(4, 10))
        complex_.bans_left -= 1
        addresses: list[Address] = []
        while len(addresses) < count:
            block = complex_.block
            complex_.block += 1
            self.complex_blocks[(complex_.road, complex_.number)] = complex_.block
            floors, per_floor = randint(12, 25), randint(2, 4)
            slots = floors * per_floor
            for slot in sorted(self.rng.sample(range(slots), min(count - len(addresses), slots))):
                floor, unit = divmod(slot, per_floor)
                addresses.append(
                    (complex_.road, complex_.number, 0, f"{block}동 {floor + 1}{unit + 1:02d}호")
                )
        return addresses

    def low_rise_addresses(self, count: int, street: _Place) -> list[Address]:
        """Addresses on a side street (…로N길): detached houses and multi-unit villas (다세대·다가구)."""
        random, randint = self.random, self.randint
        if not street.bans_left or street.number > 120:
            road = self.road()
            if not road.endswith("길"):
                base = self.road_base[road] * _STREETS_PER_DONG
                gil = base + (self.road_next_gil[road] - base) % _STREETS_PER_DONG + 1
                self.road_next_gil[road] = gil
                road = f"{road}{gil}길"
            street.start(
                road=road, number=self.street_numbers.get(road, randint(0, 10)), block=0, bans=randint(3, 7)
            )
        street.bans_left -= 1
        name = street.road
        addresses: list[Address] = []
        while len(addresses) < count:
            street.number += 2 if random() < 0.8 else randint(3, 8)
            number = street.number
            if random() < 0.3:  # 단독주택: one household, or one per floor
                sub = randint(1, 15) if random() < 0.2 else 0
                if random() < 0.7:
                    addresses.append((name, number, sub, ""))
                else:
                    addresses.extend((name, number, sub, f"{floor}층") for floor in (1, 2))
            else:  # 다세대·다가구: a few floors of one or two units, sometimes a basement unit
                floors, per_floor = randint(2, 5), randint(1, 2)
                if random() < 0.15:
                    addresses.append((name, number, 0, "B01호"))
                addresses.extend(
                    (name, number, 0, f"{floor}{unit:02d}호")
                    for floor in range(1, floors + 1)
                    for unit in range(1, per_floor + 1)
                )
        self.street_numbers[name] = street.number
        # The last building may have more units than households left: its other units stand empty.
        return addresses[:count]

    # --- the 동 -----------------------------------------------------------------------------------

    def households(self, target: int) -> list[tuple[list[Member], bool]]:
        households: list[tuple[list[Member], bool]] = []
        placed = 0
        while placed < target:
            members, single_parent = self.household()
            members = members[: target - placed]
            households.append((members, single_parent))
            placed += len(members)
        return households

    def rows(self, target: int) -> Iterator[list[object]]:
        """The 동's rows, 통 by 통 and 반 by 반; households fill the 반 in order, 반 differ in size."""
        dong = self.dong
        self.summary.by_dong[dong.code] = target
        households = self.households(target)
        bans = [(t + 1, b + 1) for t, n in enumerate(dong.bans_per_tong()) for b in range(n)]
        weights = list(accumulate(0.5 + self.random() for _ in bans))
        scale = weights[-1] / max(len(households), 1)
        by_ban: list[list[tuple[list[Member], bool]]] = [[] for _ in bans]
        for i, household in enumerate(households):
            by_ban[min(bisect_right(weights, (i + 0.5) * scale), len(bans) - 1)].append(household)
        complex_, street = _Place(), _Place()
        serial = 0
        for (tong, ban), ban_households in zip(bans, by_ban, strict=True):
            if not ban_households:
                continue
            if self.random() < dong.apartment_share:
                addresses = self.apartment_addresses(len(ban_households), complex_)
            else:
                addresses = self.low_rise_addresses(len(ban_households), street)
            for (members, single_parent), address in zip(ban_households, addresses, strict=True):
                serial += 1
                yield from self.household_rows(
                    f"{dong.code[:8]}-{serial:06d}", members, single_parent, tong, ban, address
                )

    def household_rows(
        self,
        household_no: str,
        members: list[Member],
        single_parent: bool,
        tong: int,
        ban: int,
        address: Address,
    ) -> list[list[object]]:
        random, summary = self.random, self.summary
        as_of_ord, random_since_ord = self.as_of_ord, self.random_since_ord
        size = len(members)
        head_age = members[0][1]
        lives_alone_old = size == 1 and head_age >= 65
        single_parent = single_parent and min(m[1] for m in members[1:]) < 18 if size > 1 else False
        # 기초생활수급 and 차상위 go by household; the odds follow who lives there.
        if lives_alone_old:
            p_livelihood, p_near = 0.24, 0.06
        elif single_parent:
            p_livelihood, p_near = 0.24, 0.1
        elif size == 1:
            p_livelihood, p_near = 0.1 if head_age >= 50 else 0.04, 0.02
        elif head_age >= 65:
            p_livelihood, p_near = 0.05, 0.02
        else:
            p_livelihood, p_near = 0.016, 0.006
        r = random()
        benefits = ""
        near_poor = ""
        if r < p_livelihood:
            subsistence = random() < 0.68
            medical = random() < (0.9 if subsistence else 0.2)
            housing = random() < 0.9 or not (subsistence or medical)
            benefits = ",".join(
                name for name, given in (("생계", subsistence), ("의료", medical), ("주거", housing)) if given
            )
            summary.livelihood += size
        elif r < p_livelihood + p_near:
            near_poor = "Y"
            summary.near_poor += size
        single_elder_flag = "Y" if lives_alone_old else ""
        single_parent_flag = "Y" if single_parent else ""
        road, number, sub_number, detail = address
        sub: object = sub_number or ""
        dong_code = self.dong.code
        # 전입일: the household moved in some years ago (members born since then: their birth date).
        tenure_days = min(int(self.rng.expovariate(1 / 3300)), max(head_age - 18, 0) * 365)
        moved_in_ord = as_of_ord - tenure_days
        moved_in = dt.date.fromordinal(moved_in_ord).isoformat()
        rows: list[list[object]] = []
        aged = disabled = no_phone = random_rrn = 0
        for relation, age, sex, surname in members:
            birth_ord = as_of_ord - int((age + random()) * 365.2425)
            birth = dt.date.fromordinal(birth_ord)
            person_benefits = benefits
            if benefits and 6 <= age <= 18 and random() < 0.85:
                person_benefits = benefits + ",교육"
            # 장애: about 5% overall, rising steeply with age; about 37% of it severe.
            p_disability = (
                0.012 if age < 20 else 0.02 if age < 40 else 0.045 if age < 65 else 0.1 if age < 75 else 0.17
            )
            disability = ""
            if random() < p_disability:
                disability = "심한" if random() < 0.37 else "심하지않은"
                disabled += 1
            if age >= 65:
                aged += 1
            if birth_ord >= random_since_ord:
                random_rrn += 1
            phone = self.phone(age)
            if not phone:
                no_phone += 1
            row: list[object] = [
                household_no,
                relation,
                surname + self.given_name(birth.year, sex),
                self.rrn(birth_ord, sex),
                phone,
                dong_code,
                tong,
                ban,
                road,
                number,
                sub,
                detail,
                moved_in if birth_ord <= moved_in_ord else birth.isoformat(),
                "거주",
                "",
                person_benefits,
                near_poor,
                disability,
                single_elder_flag,
                single_parent_flag,
            ]
            rows.append(row if _IDENTITY_ORDER else [row[i] for i in _ORDER])
        summary.households += 1
        summary.residents += size
        summary.aged_65_plus += aged
        summary.disability += disabled
        summary.no_phone += no_phone
        summary.random_rrn += random_rrn
        summary.single_elder += size if lives_alone_old else 0
        summary.single_parent_households += 1 if single_parent else 0
        return rows


def random_name(rng: Random, *, birth_year: int, sex: str) -> str:
    """A Korean name for someone born in `birth_year` (used for the demo's staff as well)."""
    surname = _SURNAMES.pick(rng.random)
    pool = _POOLS[(_PERIODS[bisect_right(_PERIODS, birth_year) - 1], sex)]
    return f"{surname}{pool[int(rng.random() * len(pool))]}"


@dataclass(frozen=True)
class _Task:
    seed: int
    as_of: dt.date
    dong: DongPreset
    slot: int
    residents: int
    road_ranks: dict[tuple[str, str], int]

    def generator(self) -> _DongGenerator:
        return _DongGenerator(
            seed=self.seed, as_of=self.as_of, dong=self.dong, slot=self.slot, road_ranks=self.road_ranks
        )


def _tasks(*, residents: int, seed: int, as_of: dt.date, preset: str) -> list[_Task]:
    if residents < 1:
        raise ValueError("residents must be at least 1")
    district = PRESETS[preset]
    counts = _allocate(residents, [d.population for d in district.dongs])
    ranks = _road_ranks(district)
    return [
        _Task(seed=seed, as_of=as_of, dong=dong, slot=slot, residents=count, road_ranks=ranks)
        for slot, (dong, count) in enumerate(zip(district.dongs, counts, strict=True))
    ]


def iter_rows(
    *, residents: int, seed: int, as_of: dt.date = DEFAULT_AS_OF, preset: str = DEFAULT_PRESET
) -> tuple[Iterator[list[object]], Summary]:
    """The extract's rows (in extract_format.COLUMNS order) and a summary that fills as they are read."""
    tasks = _tasks(residents=residents, seed=seed, as_of=as_of, preset=preset)
    summary = Summary()

    def rows() -> Iterator[list[object]]:
        for task in tasks:
            generator = task.generator()
            yield from generator.rows(task.residents)
            summary.add(generator.summary)

    return rows(), summary


def _dong_csv(task: _Task) -> tuple[bytes, Summary]:
    generator = task.generator()
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(generator.rows(task.residents))
    return buffer.getvalue().encode(), generator.summary


def generate_district(
    *,
    residents: int,
    seed: int,
    out: Path,
    as_of: dt.date = DEFAULT_AS_OF,
    preset: str = DEFAULT_PRESET,
    workers: int | None = None,
) -> Summary:
    """Write the extract to `out`: CSV (UTF-8 with BOM), or XLSX when the name ends in .xlsx.

    Large CSV extracts are generated 동 by 동 in worker processes (`workers`, default: one per CPU for
    50,000 residents or more); the output does not depend on the number of workers."""
    started = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".xlsx":
        rows, summary = iter_rows(residents=residents, seed=seed, as_of=as_of, preset=preset)
        _write_xlsx(out, rows)
        summary.seconds = time.perf_counter() - started
        return summary
    tasks = _tasks(residents=residents, seed=seed, as_of=as_of, preset=preset)
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if residents >= 50_000 else 1
    summary = Summary()
    with out.open("wb") as handle:
        header = io.StringIO()
        csv.writer(header, lineterminator="\r\n").writerow(HEADERS)
        handle.write(("\ufeff" + header.getvalue()).encode())
        if workers > 1:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                chunks = pool.map(_dong_csv, tasks)
                for data, part in chunks:
                    handle.write(data)
                    summary.add(part)
        else:
            for data, part in map(_dong_csv, tasks):
                handle.write(data)
                summary.add(part)
    summary.seconds = time.perf_counter() - started
    return summary


def _write_xlsx(out: Path, rows: Iterator[list[object]]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("주민")
    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append(row)
    workbook.save(out)
