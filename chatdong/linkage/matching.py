"""The record-linkage engine: pure Python, no database, no Django.

A person is compared on four things, each at a few *levels*; every level carries a Fellegi–Sunter
weight log2(m/u), m being how often a true match shows that level and u how often two different
people do. The sum of the weights plus the prior odds gives the match probability; two thresholds
split it into match / review / non-match. In a batch (match_record) the candidates of one record
compete: each gets its share o_i / (1 + Σ o_j) of the odds, as at most one of them is the person.

- Name: Hangul names are compared at the JAMO level (each syllable decomposed into its initial, vowel
  and final by Unicode arithmetic), so that 김민준/김민순 is one edit, not one whole character; the
  surname's 두음법칙 variants (리/이, 림/임, 류/유, 로/노, 라/나 …) are folded to one spelling first.
  Names that are not Hangul (FEBRL, foreigners) are compared by character.
- Birth date: exact, day and month swapped, one digit off, or different.
- Phone: the whole number, or the last four digits only.
- Address: road name + building number (본번-부번), or the same road only.
A missing value on either side weighs 0: it neither supports nor contradicts.
In a batch, term frequencies counted in the registry (Frequencies) adjust the name levels (the name's
share among residents born around the client's birth year) and the building levels (the share of
residents living there), and a resident is at most one row of a list (shared_residents).

Blocking keeps the number of compared pairs small: two records are compared only when they share
one of the keys of `blocking_keys` (same birth date and surname, same birth date and given-name initial,
same folded name and birth year, same phone, same building and surname, or — for a record without a
birth date — the same folded name).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import gc
import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, NamedTuple

from rapidfuzz.distance import Levenshtein

# ---------------------------------------------------------------------------------------------------
# Hangul

_SYLLABLE_FIRST = 0xAC00
_SYLLABLE_LAST = 0xD7A3
_CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
# Initial-consonant and vowel indexes (of the 19 initials and 21 vowels) used by the 두음법칙.
_L_RIEUL, _L_NIEUN, _L_IEUNG = 5, 2, 11
# ㅑ ㅕ ㅖ ㅛ ㅠ ㅣ: before these an initial ㄹ/ㄴ becomes ㅇ (리→이, 녀→여); before the others ㄹ → ㄴ.
_Y_VOWELS = frozenset({2, 6, 7, 12, 17, 20})
# Two-syllable surnames: the rest of the name is the given name.
TWO_SYLLABLE_SURNAMES = frozenset(
    {"남궁", "선우", "제갈", "황보", "독고", "사공", "서문", "동방", "어금", "망절", "장곡", "황목"}
)


_HANGUL_TEXT = re.compile(r"\s*[\uac00-\ud7a3](?:[\uac00-\ud7a3]|\s)*")


def is_hangul_syllable(char: str) -> bool:
    return _SYLLABLE_FIRST <= ord(char) <= _SYLLABLE_LAST


def is_hangul(text: str) -> bool:
    """True when every letter of the text is a Hangul syllable (spaces ignored)."""
    return _HANGUL_TEXT.fullmatch(text) is not None


def decompose(text: str) -> str:
    """Hangul syllables → conjoining jamo (U+1100 initials, U+1161 vowels, U+11A8 finals); other
    characters stay as they are. '김' → 'ᄀ' 'ᅵ' 'ᆷ'."""
    out: list[str] = []
    for char in text:
        code = ord(char)
        if _SYLLABLE_FIRST <= code <= _SYLLABLE_LAST:
            index = code - _SYLLABLE_FIRST
            out.append(chr(0x1100 + index // 588))
            out.append(chr(0x1161 + (index % 588) // 28))
            final = index % 28
            if final:
                out.append(chr(0x11A7 + final))
        else:
            out.append(char)
    return "".join(out)


def choseong(text: str) -> str:
    """The initial consonants (초성) of the Hangul syllables: '김민준' → 'ㄱㅁㅈ'."""
    return "".join(
        _CHOSEONG[(ord(c) - _SYLLABLE_FIRST) // 588] if is_hangul_syllable(c) else c.lower() for c in text
    )


def dueum(syllable: str) -> str:
    """The 두음법칙 form of a word-initial syllable: 리→이, 림→임, 류→유, 로→노, 라→나, 녀→여. Other
    syllables come back unchanged. Used to fold a surname's variant spellings onto one."""
    if len(syllable) != 1 or not is_hangul_syllable(syllable):
        return syllable
    index = ord(syllable) - _SYLLABLE_FIRST
    initial, rest = divmod(index, 588)
    vowel = rest // 28
    if initial == _L_RIEUL:
        initial = _L_IEUNG if vowel in _Y_VOWELS else _L_NIEUN
    elif initial == _L_NIEUN and vowel in _Y_VOWELS:
        initial = _L_IEUNG
    return chr(_SYLLABLE_FIRST + initial * 588 + rest)


def split_name(name: str) -> tuple[str, str]:
    """(surname, given name). Hangul: the first syllable, or two for 남궁, 선우 … when the name has at
    least four syllables or the pair is a known two-syllable surname and the name is long enough. Latin
    names: the last word is the surname."""
    name = "".join(name.split()) if is_hangul(name) else " ".join(name.split())
    if not name:
        return "", ""
    if is_hangul(name):
        if len(name) >= 3 and name[:2] in TWO_SYLLABLE_SURNAMES:
            return name[:2], name[2:]
        return name[:1], name[1:]
    words = name.lower().split()
    if len(words) == 1:
        return "", words[0]
    return words[-1], " ".join(words[:-1])


# ---------------------------------------------------------------------------------------------------
# Records


_NON_DIGITS = re.compile(r"\D")
_SPACES = re.compile(r"\s+")
_BUILDING = re.compile(r"^(\d+)(?:-(\d+))?")
_ROAD = re.compile(r"(\S+?(?:로|길)(?:\s*\d+(?:번)?(?:가|길))?)\s*(\d+(?:-\d+)?)")


def normal_phone(text: str) -> str:
    digits = _NON_DIGITS.sub("", text or "")
    return digits if len(digits) >= 4 else ""


def normal_address(text: str) -> tuple[str, str]:
    """(road, road + building number) from a free-text Korean road address: '서울 성북구 보문로 12-3
    101호' → ('보문로', '보문로 12-3'). Text that does not look like a road address is compared whole,
    without spaces and in lower case."""
    text = (text or "").strip()
    if not text:
        return "", ""
    match = _ROAD.search(text)
    if match:
        road = match.group(1).replace(" ", "")
        return road, f"{road} {match.group(2)}"
    compact = _SPACES.sub(" ", text.lower())
    return compact, compact


def normal_unit(text: str) -> str:
    """The unit part of an address (동·호, 층), without spaces: '101동 403호' → '101동403호'."""
    return "".join((text or "").split()).lower()


def address_unit(text: str) -> str:
    """The unit written after the building number of a free-text road address ('' when none)."""
    match = _ROAD.search(text or "")
    return normal_unit(text[match.end() :]) if match else ""


def address_of(road_name: str, building_main: int | None, building_sub: int | None = 0) -> tuple[str, str]:
    """(road, road + building) for a structured address (the registry's fields)."""
    road = (road_name or "").replace(" ", "")
    if not road or not building_main:
        return road, ""
    number = f"{building_main}-{building_sub}" if building_sub else f"{building_main}"
    return road, f"{road} {number}"


def birth_text(value: dt.date | str | None) -> str:
    """YYYYMMDD, or '' when unknown."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%Y%m%d")
    digits = _NON_DIGITS.sub("", value)
    return digits if len(digits) == 8 else ""


class Prepared(NamedTuple):
    """A record ready for comparison (everything derived once, not once per pair)."""

    key: Any
    name: str  # as given, spaces removed for Hangul
    hangul: bool
    folded: str  # name with the surname's 두음 variant folded, as jamo (Hangul) or lower case
    surname: str  # folded surname (the blocking key)
    given_initial: str  # 초성 (or first letter) of the given name
    initials: str  # 초성 of the whole (folded) name
    given_jamo: str  # the given name as jamo (Hangul) or lower case
    birth: str  # YYYYMMDD or ''
    phone: str
    last4: str
    road: str
    building: str
    unit: str = ""  # 동·호 after the building number, normalised


@functools.lru_cache(maxsize=200_000)
def _name_parts(
    name: str, surname: str | None, given: str | None
) -> tuple[str, bool, str, str, str, str, str]:
    """Everything `prepare` derives from a name, once per distinct name (names repeat a lot: the
    cache saves most of the time of preparing a list, and its strings are shared between records)."""
    if surname is None or given is None:
        surname, given = split_name(name)
    hangul = is_hangul(name) or is_hangul(surname + given)
    if hangul:
        surname = "".join(surname.split())
        given = "".join(given.split())
        folded_surname = "".join(dueum(c) if i == 0 else c for i, c in enumerate(surname))
        folded = decompose(folded_surname + given)
        initial = choseong(given[:1])
        initials = choseong(folded_surname + given)
        given_jamo = decompose(given)
        shown = surname + given
    else:
        folded_surname = surname.lower().strip()
        given = given.lower().strip()
        folded = f"{given} {folded_surname}".strip()
        initial = given[:1]
        initials = "".join(w[:1] for w in (given + " " + folded_surname).split())
        given_jamo = given
        shown = " ".join(name.lower().split()) or folded
    return shown, hangul, folded, folded_surname, initial, initials, given_jamo


def prepare(
    key: Any,
    *,
    name: str = "",
    birth: dt.date | str | None = None,
    phone: str = "",
    address: str = "",
    road: str | None = None,
    building: str | None = None,
    unit: str | None = None,
    surname: str | None = None,
    given: str | None = None,
) -> Prepared:
    """A comparable record. Pass `address` as free text, or `road` and `building` already structured.
    `surname`/`given` may be given separately (FEBRL); otherwise they are split from `name`."""
    name = (name or "").strip()
    shown, hangul, folded, folded_surname, initial, initials, given_jamo = _name_parts(name, surname, given)
    phone = normal_phone(phone)
    if road is None or building is None:
        road, building = normal_address(address)
    if unit is None:
        unit = address_unit(address)
    return Prepared(
        key=key,
        name=shown,
        hangul=hangul,
        folded=folded,
        surname=folded_surname,
        given_initial=initial,
        initials=initials,
        given_jamo=given_jamo,
        birth=birth_text(birth),
        phone=phone,
        last4=phone[-4:],
        road=road,
        building=building,
        unit=unit if building else "",
    )


# ---------------------------------------------------------------------------------------------------
# Comparison


NAME_LEVELS = ("exact", "dueum", "close", "partial", "given", "different")
BIRTH_LEVELS = ("exact", "swapped", "digit", "different")
PHONE_LEVELS = ("exact", "last4", "different")
ADDRESS_LEVELS = ("unit", "exact", "road", "different")
FEATURES: dict[str, tuple[str, ...]] = {
    "name": NAME_LEVELS,
    "birth": BIRTH_LEVELS,
    "phone": PHONE_LEVELS,
    "address": ADDRESS_LEVELS,
}
MISSING = "missing"

# What a reviewer reads for each level.
EVIDENCE_TEXT: dict[str, dict[str, str]] = {
    "name": {
        "exact": "이름 일치",
        "dueum": "이름 일치(두음법칙 표기 차이)",
        "close": "이름 한 자모 차이",
        "partial": "이름 비슷함",
        "given": "성만 다르고 이름 같음",
        "different": "이름 다름",
        MISSING: "이름 없음",
    },
    "birth": {
        "exact": "생년월일 일치",
        "swapped": "생년월일의 월·일이 바뀜",
        "digit": "생년월일 한 자리 다름",
        "different": "생년월일 다름",
        MISSING: "생년월일 없음",
    },
    "phone": {
        "exact": "전화번호 일치",
        "last4": "전화번호 끝 4자리 일치",
        "different": "전화번호 다름",
        MISSING: "전화번호 없음",
    },
    "address": {
        "unit": "주소(동·호까지) 일치",
        "exact": "주소(도로명·건물번호) 일치",
        "road": "같은 도로명",
        "different": "주소 다름",
        MISSING: "주소 없음",
    },
}


def name_level(a: Prepared, b: Prepared) -> str:
    if not a.folded or not b.folded:
        return MISSING
    if a.name == b.name:
        return "exact"
    if a.folded == b.folded:
        return "dueum" if a.hangul else "exact"
    if a.hangul and b.hangul and a.surname != b.surname and a.given_jamo and a.given_jamo == b.given_jamo:
        # The same given name under another surname: another family far more often than a typo.
        return "given"
    distance = Levenshtein.distance(a.folded, b.folded, score_cutoff=3)
    longest = max(len(a.folded), len(b.folded))
    if distance <= 1 or (not a.hangul and distance / longest <= 0.12):
        return "close"
    if distance <= 2 or (not a.hangul and distance / longest <= 0.25):
        return "partial"
    return "different"


def birth_level(a: str, b: str) -> str:
    if not a or not b:
        return MISSING
    if a == b:
        return "exact"
    if a[:4] == b[:4] and a[4:6] == b[6:8] and a[6:8] == b[4:6]:
        return "swapped"
    if len(a) == len(b) and sum(map(str.__ne__, a, b)) == 1:
        return "digit"
    return "different"


def phone_level(a: Prepared, b: Prepared) -> str:
    if not a.phone or not b.phone:
        return MISSING
    if a.phone == b.phone:
        return "exact"
    # A number given as its last four digits only, or a changed number that kept them.
    if a.last4 == b.last4:
        return "last4"
    return "different"


def address_level(a: Prepared, b: Prepared) -> str:
    if not a.road or not b.road:
        return MISSING
    if a.building and a.building == b.building:
        return "unit" if a.unit and a.unit == b.unit else "exact"
    if a.road == b.road:
        return "road"
    return "different"


def compare(a: Prepared, b: Prepared) -> dict[str, str]:
    """The level of each feature for one pair."""
    return {
        "name": name_level(a, b),
        "birth": birth_level(a.birth, b.birth),
        "phone": phone_level(a, b),
        "address": address_level(a, b),
    }


# ---------------------------------------------------------------------------------------------------
# Weights


# m: P(level | same person). Fixed priors from what client lists look like (documented in
# docs/linkage.md): names mostly exact, a few typos or 두음 spellings; birth dates nearly always exact;
# phones and addresses change often (a third of clients have moved or changed numbers).
DEFAULT_M: dict[str, dict[str, float]] = {
    "name": {
        "exact": 0.82,
        "dueum": 0.05,
        "close": 0.09,
        "partial": 0.025,
        "given": 0.005,
        "different": 0.01,
    },
    "birth": {"exact": 0.90, "swapped": 0.03, "digit": 0.05, "different": 0.02},
    "phone": {"exact": 0.70, "last4": 0.02, "different": 0.28},
    "address": {"unit": 0.40, "exact": 0.30, "road": 0.05, "different": 0.25},
}
# u: P(level | different people). Estimated from random pairs when a batch runs (estimate_u); these
# are the values measured on the synthetic 성북구 registry, used by the live check.
DEFAULT_U: dict[str, dict[str, float]] = {
    "name": {
        "exact": 0.0004,
        "dueum": 0.00002,
        "close": 0.004,
        "partial": 0.02,
        "given": 0.003,
        "different": 0.97258,
    },
    "birth": {"exact": 0.00005, "swapped": 0.00002, "digit": 0.0006, "different": 0.99933},
    "phone": {"exact": 0.000001, "last4": 0.0001, "different": 0.999899},
    "address": {"unit": 0.00001, "exact": 0.0002, "road": 0.004, "different": 0.99579},
}
# Floors keep a level never seen among random pairs from getting an infinite weight.
_U_FLOOR = 1e-7


# Years either side of a birth year whose residents count as its cohort for name frequencies, and the
# weight (in residents) of the whole registry's frequency mixed in, for names rare in a cohort.
COHORT_YEARS = 2
COHORT_PRIOR = 500.0


@dataclass
class Frequencies:
    """How many residents of the registry have each name (by birth year too), building and unit."""

    names: dict[str, int] = field(default_factory=dict)
    name_total: int = 0
    cohort: dict[int, int] = field(default_factory=dict)  # hash((folded name, birth year)) → residents
    year_total: dict[int, int] = field(default_factory=dict)  # birth year → residents with a name
    places: dict[int, int] = field(default_factory=dict)  # hash((building, unit or '')) → residents
    address_total: int = 0

    @classmethod
    def count(cls, records: Sequence[Prepared]) -> Frequencies:
        names = Counter(map(attrgetter("folded"), records))
        names.pop("", None)
        cohort = Counter(hash((r.folded, int(r.birth[:4]))) for r in records if r.folded and r.birth)
        years = Counter(int(r.birth[:4]) for r in records if r.folded and r.birth)
        places = Counter(hash((r.building, "")) for r in records if r.building)
        places.update(hash((r.building, r.unit)) for r in records if r.building and r.unit)
        return cls(
            names=dict(names),
            name_total=names.total(),
            cohort=dict(cohort),
            year_total=dict(years),
            places=dict(places),
            address_total=sum(1 for r in records if r.building),
        )

    def name_share(self, folded: str, year: str = "") -> float:
        """Share of the residents with this (folded) name; with a birth year, among the residents born
        within COHORT_YEARS of it, smoothed towards the overall share by COHORT_PRIOR pseudo-residents."""
        overall = max(self.names.get(folded, 0), 1) / max(self.name_total, 1)
        if not year.isdigit():
            return overall
        count = total = 0
        cohort, years, born = self.cohort.get, self.year_total.get, int(year)
        for y in range(born - COHORT_YEARS, born + COHORT_YEARS + 1):
            count += cohort(hash((folded, y)), 0)
            total += years(y, 0)
        # Never below one resident in the whole registry: a name nobody has (a typo) is not infinitely rare.
        return max((count + COHORT_PRIOR * overall) / (total + COHORT_PRIOR), 1 / max(self.name_total, 1))

    def address_share(self, building: str, unit: str = "") -> float:
        """Share of the residents living in the building (with a unit: in that unit of it)."""
        return max(self.places.get(hash((building, unit)), 0), 1) / max(self.address_total, 1)


@dataclass
class Model:
    """m and u per level, the prior probability that a compared pair is a match, and the thresholds."""

    m: dict[str, dict[str, float]] = field(default_factory=lambda: {k: dict(v) for k, v in DEFAULT_M.items()})
    u: dict[str, dict[str, float]] = field(default_factory=lambda: {k: dict(v) for k, v in DEFAULT_U.items()})
    # log2 odds, before comparing, that a client is one given resident rather than nobody there
    # (prior_odds_bits): half of the clients expected in the registry, of a district's ~425,000 residents.
    prior_bits: float = math.log2(0.5 / 425_000 / (1 - 0.5))
    match_threshold: float = 0.50
    review_threshold: float = 0.10
    # Term frequencies counted in the registry (None: the average u of each level, as in the live check).
    frequencies: Frequencies | None = None
    _weights: dict[str, dict[str, float]] = field(default_factory=dict, repr=False)
    _name_weights: dict[tuple[str, str], float] = field(default_factory=dict, repr=False)

    def _table(self) -> dict[str, dict[str, float]]:
        if not self._weights:
            self._weights = {
                f: {lvl: math.log2(self.m[f][lvl] / max(self.u[f][lvl], _U_FLOOR)) for lvl in levels}
                for f, levels in FEATURES.items()
            }
            self._name_weights = {}
        return self._weights

    def weight(self, feature: str, level: str) -> float:
        if level == MISSING:
            return 0.0
        return self._table()[feature][level]

    def name_adjustment(self, record: Prepared) -> float:
        """Term frequency of the name, in bits to add to the exact and 두음 name levels: log2(u / u_name),
        u being the level's average over random pairs and u_name the share of residents of that name —
        among those born around the record's birth year when it has one (names follow fashions: 서연 is
        common among girls born in 2005, rare in 1955; with the birth date agreeing, that share is the
        chance that a stranger born that day has the name too)."""
        if self.frequencies is None or not record.folded:
            return 0.0
        year = record.birth[:4]
        found = self._name_weights.get((record.folded, year))
        if found is None:
            share = self.frequencies.name_share(record.folded, year)
            found = math.log2(max(self.u["name"]["exact"], _U_FLOOR) / share)
            self._name_weights[(record.folded, year)] = found
        return found

    def close_adjustment(self, record: Prepared, adjustment: float) -> float:
        """The one-jamo level for this record, relative to the level's average weight. Same person: the
        resident's name was mistyped into exactly this one, chance m(close) / K, K being the number of
        one-jamo variants of a name that long (65 per Hangul syllable: 18 other initials, 20 vowels, 27
        finals or none). Not the same person: a stranger who has this name, chance = its share (the
        cohort's, as for exact names; never below one resident). So the weight is log2(m / (K · share)):
        a client whose name is itself a common name (김정훈 vs the resident 김종훈) is most likely someone
        else; a name nobody has (김혲경) is most likely a typo. `adjustment` is name_adjustment(record)."""
        if self.frequencies is None or not record.folded:
            return adjustment
        share = max(self.u["name"]["exact"], _U_FLOOR) / 2.0**adjustment
        syllables = len(record.name) if record.hangul else len(record.folded)
        variants = 65 * syllables if record.hangul else 53 * syllables + 26
        return math.log2(max(self.u["name"]["close"], _U_FLOOR) / (variants * share))

    def address_weight(self, level: str, a: Prepared) -> float:
        """The weight of a building (or building and unit) agreement: with frequencies, log2(m / share of
        the residents living there): the same 300-household apartment block says far less than the same
        three-family house."""
        weight = self._table()["address"][level]
        if self.frequencies is None or level not in ("exact", "unit"):
            return weight
        share = self.frequencies.address_share(a.building, a.unit if level == "unit" else "")
        return math.log2(self.m["address"][level] / share)

    def bits(self, levels: Mapping[str, str], a: Prepared | None = None) -> float:
        weights = self._table()
        total = self.prior_bits
        for feature, level in levels.items():
            if level == MISSING:
                continue
            total += weights[feature][level]
            if a is not None and feature == "name" and level in ("exact", "dueum"):
                total += self.name_adjustment(a)
            elif a is not None and feature == "name" and level == "close":
                total += self.close_adjustment(a, self.name_adjustment(a))
            elif a is not None and feature == "address" and level in ("exact", "unit"):
                total += self.address_weight(level, a) - weights[feature][level]
        return total

    def decision(self, probability: float) -> str:
        if probability >= self.match_threshold:
            return "match"
        if probability >= self.review_threshold:
            return "review"
        return "non-match"


def prior_odds_bits(in_reference: float, reference_size: int) -> float:
    """log2 of the prior odds that a client is one given resident rather than nobody in the reference:
    a share `in_reference` of the clients are one of the `reference_size` residents (each equally likely),
    the others nobody there, so the odds are (in_reference / size) / (1 − in_reference). The competition
    o_i / (1 + Σ o_j) divides by exactly that "nobody" (the 1). (The prior was log2(in_reference / size)
    before, the probability instead of the odds: with ¾ of the clients in the registry, 1.9 bits short.)"""
    return math.log2(in_reference / max(reference_size, 2) / (1.0 - in_reference))


def probability(bits: float) -> float:
    if bits > 60:
        return 1.0
    if bits < -60:
        return 0.0
    odds = 2.0**bits
    return odds / (1.0 + odds)


def estimate_u(
    left: Sequence[Prepared], right: Sequence[Prepared], *, samples: int = 50_000, seed: int = 1
) -> dict[str, dict[str, float]]:
    """u from random pairs: two records drawn at random are almost always different people, so the
    share of each level among them is P(level | not a match). Missing values are left out."""
    rng = random.Random(seed)
    counts: dict[str, dict[str, float]] = {f: dict.fromkeys(levels, 1.0) for f, levels in FEATURES.items()}
    if not left or not right:
        return {k: dict(v) for k, v in DEFAULT_U.items()}
    for _ in range(samples):
        levels = compare(rng.choice(left), rng.choice(right))
        for feature, level in levels.items():
            if level != MISSING:
                counts[feature][level] += 1
    u = {f: {lvl: n / sum(c.values()) for lvl, n in c.items()} for f, c in counts.items()}
    # Agreements on a value are rare among random pairs (the same birth date: ~1 in 30,000): 50,000
    # pairs see a handful, and the estimate is mostly noise. Their share is counted exactly instead,
    # from how often each value occurs in either list; the other levels keep their sampled proportions.
    for feature, exact in _value_agreements(left, right).items():
        rest = 1.0 - sum(exact.values())
        sampled = sum(share for level, share in u[feature].items() if level not in exact)
        u[feature] = {
            level: exact[level] if level in exact else max(share * rest / sampled, _U_FLOOR)
            for level, share in u[feature].items()
        }
    return u


def _swap_day_month(birth: str) -> str:
    return birth[:4] + birth[6:8] + birth[4:6]


def _value_agreements(left: Sequence[Prepared], right: Sequence[Prepared]) -> dict[str, dict[str, float]]:
    """P(level) for random pairs of the levels that are an agreement on a value, computed exactly:
    Σ over values of share(value in left) × share(value in right)."""

    def counts(records: Sequence[Prepared], attribute: str) -> Counter[str]:
        found = Counter(map(attrgetter(attribute), records))
        found.pop("", None)
        return found

    def agreement(a: Counter[str], b: Counter[str]) -> float:
        total = a.total() * b.total()
        return max(sum(n * b[v] for v, n in a.items() if v in b) / total if total else 0.0, _U_FLOOR)

    births_left, births_right = counts(left, "birth"), counts(right, "birth")
    pairs = births_left.total() * births_right.total() or 1
    swapped = sum(
        n * births_right[_swap_day_month(b)]
        for b, n in births_left.items()
        if b[4:6] != b[6:8] and _swap_day_month(b) in births_right
    )
    exact_name = agreement(counts(left, "name"), counts(right, "name"))
    folded_name = agreement(counts(left, "folded"), counts(right, "folded"))
    return {
        "birth": {"exact": agreement(births_left, births_right), "swapped": max(swapped / pairs, _U_FLOOR)},
        "name": {"exact": exact_name, "dueum": max(folded_name - exact_name, _U_FLOOR)},
        "phone": {"exact": agreement(counts(left, "phone"), counts(right, "phone"))},
    }


# ---------------------------------------------------------------------------------------------------
# Blocking and scoring


def blocking_keys(record: Prepared, *, indexing: bool = False) -> list[tuple[Any, ...]]:
    """The keys under which a record is compared with others (a pair is compared once even when it
    shares several keys)."""
    keys: list[tuple[Any, ...]] = []
    if record.birth:
        if record.surname:
            keys.append(("bs", record.birth, record.surname[:1]))
        if record.given_initial:
            keys.append(("bg", record.birth, record.given_initial))
        if record.folded:
            keys.append(("ny", record.folded, record.birth[:4]))
            keys.append(("nd", record.folded, record.birth[4:]))  # a typo in the year
            if record.hangul:
                # 초성 of the whole name with the birth year and month: survives a vowel or final typo in
                # the name together with a typo in the day.
                keys.append(("cm", record.initials, record.birth[:6]))
    if record.folded and (indexing or not record.birth):
        # The name alone: only for a record searched for without a birth date.
        keys.append(("n", record.folded))
    if record.phone and len(record.phone) >= 7:
        keys.append(("p", record.phone))
    if record.building and record.surname:
        keys.append(("a", record.building, record.surname[:1], record.given_initial))
    return keys


@dataclass(frozen=True)
class Pair:
    left: Any  # key of the record searched for (client record)
    right: Any  # key of the candidate (resident)
    bits: float
    probability: float
    decision: str
    levels: dict[str, str]

    @property
    def evidence(self) -> list[str]:
        return [EVIDENCE_TEXT[f][lvl] for f, lvl in self.levels.items()]

    @property
    def evidence_text(self) -> str:
        return ", ".join(self.evidence)


class Index:
    """The reference records (the registry) indexed by their blocking keys."""

    def __init__(self, records: Iterable[Prepared]) -> None:
        self.records: dict[Any, Prepared] = {}
        # Keyed by the key's hash, not the key: a third of the memory. Two keys with the same 64-bit hash
        # would only share a block (more pairs compared, never fewer).
        # A block of one record (most of them) holds the record's key itself, not a one-item list: a
        # list costs 64 bytes more, times a million blocks.
        self.blocks: dict[int, Any] = {}
        blocks, stored = self.blocks, self.records
        # Building a million small lists would set the cyclic garbage collector off every few hundred
        # of them, each time walking every object alive: pause it (nothing built here forms a cycle).
        collecting = gc.isenabled()
        gc.disable()
        try:
            for record in records:
                stored[record.key] = record
                for key in blocking_keys(record, indexing=True):
                    found = blocks.get(hashed := hash(key))
                    if found is None:
                        blocks[hashed] = record.key
                    elif type(found) is list:
                        found.append(record.key)
                    else:
                        blocks[hashed] = [found, record.key]
        finally:
            if collecting:
                gc.enable()

    def candidates(self, record: Prepared) -> set[Any]:
        found: set[Any] = set()
        for key in blocking_keys(record):
            block = self.blocks.get(hash(key))
            if block is None:
                continue
            if type(block) is not list:
                found.add(block)
            # A huge block (a very common name without a birth date) says nothing: skip it.
            elif len(block) <= MAX_BLOCK.get(key[0], MAX_BLOCK_DEFAULT):
                found.update(block)
        return found


# Largest block compared, by kind of key: the name alone (clients without a birth date) is useful only
# for rarer names.
MAX_BLOCK: dict[str, int] = {"n": 200}
MAX_BLOCK_DEFAULT = 1000


def score_pair(model: Model, a: Prepared, b: Prepared) -> Pair:
    levels = compare(a, b)
    bits = model.bits(levels, a)
    p = probability(bits)
    return Pair(a.key, b.key, round(bits, 3), p, model.decision(p), levels)


HOPELESS_BITS = -10.0


def match_record(model: Model, index: Index, record: Prepared, *, keep_below: bool = True) -> list[Pair]:
    """Every candidate of one record, best first.

    One client is at most one resident, so the candidates compete: with odds o_i = 2^bits_i of each
    candidate against "not this one", the probability that candidate i is the client, given that at
    most one is, is o_i / (1 + Σ_j o_j). That is the probability reported and decided on. Two
    candidates that fit equally well (two 김민준 born the same day) each get less than ½, so neither is
    a "match": both go to review. A candidate far ahead of the others keeps nearly its own probability."""
    weights = model._table()
    # The record's own name weights: exact and 두음 agreements adjusted by the name's frequency.
    adjustment = model.name_adjustment(record)
    name_weights = dict(weights["name"])
    name_weights["exact"] += adjustment
    name_weights["dueum"] += adjustment
    name_weights["close"] += model.close_adjustment(record, adjustment)
    birth_weights, phone_weights = weights["birth"], weights["phone"]
    address_weights = weights["address"]
    if record.building and model.frequencies is not None:
        address_weights = dict(address_weights)
        address_weights["exact"] = model.address_weight("exact", record)
        if record.unit:
            address_weights["unit"] = model.address_weight("unit", record)
    records = index.records
    # Without keep_below, a candidate that could not reach HOPELESS_BITS even with the best name level
    # is skipped before its name is compared (the costly part): its odds (< 1/1000) would change the
    # others' probabilities by less than that and it would be dropped anyway.
    prior = model.prior_bits
    best_name = max(name_weights.values())
    if model.frequencies is not None and record.folded not in model.frequencies.names:
        # Nobody in the registry has the name: no candidate can agree on it exactly (or but for 두음).
        best_name = max(w for level, w in name_weights.items() if level not in ("exact", "dueum"))
    hopeless = -math.inf if keep_below else HOPELESS_BITS - best_name
    scored: list[tuple[float, Any, str, str, str, str]] = []
    for key in index.candidates(record):
        other = records[key]
        birth = birth_level(record.birth, other.birth)
        phone = phone_level(record, other)
        address = address_level(record, other)
        bits = prior
        if birth != MISSING:
            bits += birth_weights[birth]
        if phone != MISSING:
            bits += phone_weights[phone]
        if address != MISSING:
            bits += address_weights[address]
        if bits < hopeless:
            continue
        name = name_level(record, other)
        if name != MISSING:
            bits += name_weights[name]
        scored.append((bits, key, name, birth, phone, address))
    if not scored:
        return []
    # Σ odds, scaled by 2^-top so that nothing overflows.
    top = max(0.0, max(item[0] for item in scored))
    denominator = 2.0 ** (-top) + math.fsum(2.0 ** (item[0] - top) for item in scored)
    floor = 0.0 if keep_below else model.review_threshold
    pairs: list[Pair] = []
    for bits, key, name, birth, phone, address in scored:
        p = 2.0 ** (bits - top) / denominator
        if p < floor:
            continue
        levels = {"name": name, "birth": birth, "phone": phone, "address": address}
        pairs.append(Pair(record.key, key, round(bits, 3), p, model.decision(p), levels))
    pairs.sort(key=lambda p: (-p.bits, str(p.right)))
    return pairs


def shared_residents(matches: Iterable[tuple[Any, Any, Any]]) -> set[tuple[Any, Any]]:
    """A resident is at most one row of a list (an agency lists each client once). Given the pairs
    decided "match" as (client, resident, probability — or anything that orders like it), the pairs that
    must go to review instead: of several rows matched to the same resident only the likeliest stays a
    match (Jaro's one-to-one assignment, in its greedy form); rows that claim one resident equally all go
    to review."""
    claims: dict[Any, list[tuple[Any, Any]]] = defaultdict(list)
    for left, right, p in matches:
        claims[right].append((p, left))
    demoted: set[tuple[Any, Any]] = set()
    for right, found in claims.items():
        if len(found) > 1:
            found.sort(key=lambda claim: claim[0], reverse=True)
            keep = 1 if found[0][0] > found[1][0] else 0
            demoted.update((left, right) for _, left in found[keep:])
    return demoted


def one_client_per_resident(pairs: Iterable[Pair]) -> list[Pair]:
    """The pairs with shared_residents applied: the demoted matches become "review" (probability kept)."""
    pairs = list(pairs)
    demoted = shared_residents((p.left, p.right, p.probability) for p in pairs if p.decision == "match")
    return [dataclasses.replace(p, decision="review") if (p.left, p.right) in demoted else p for p in pairs]


def link(
    model: Model,
    index: Index,
    records: Iterable[Prepared],
    *,
    keep_below: bool = True,
    progress: Callable[[int], None] | None = None,
) -> Iterator[list[Pair]]:
    """match_record for each record, lazily (one list per record, in order)."""
    for done, record in enumerate(records, start=1):
        yield match_record(model, index, record, keep_below=keep_below)
        if progress is not None:
            progress(done)


MIN_REFERENCE_FOR_ESTIMATES = 5000
MIN_PROBES_FOR_EM = 1000


def batch_model(
    left: Sequence[Prepared],
    right: Sequence[Prepared],
    index: Index,
    *,
    seed: int = 1,
    u: dict[str, dict[str, float]] | None = None,
    frequencies: Frequencies | None = None,
) -> Model:
    """A model for one batch: u estimated from random pairs of the two lists, name frequencies from the
    reference list, then m and the prior by EM (train_m) when the list has at least MIN_PROBES_FOR_EM
    rows. Against a small reference (a test, a single 반) the data say too little: the defaults are kept.
    `u` (estimate_u(left, right, seed=seed)) and `frequencies` (Frequencies.count(right)) may be passed
    in already computed: they do not need the index, so a caller may compute them while it is built."""
    if len(right) < MIN_REFERENCE_FOR_ESTIMATES:
        return Model()
    model = Model(
        u=u if u is not None else estimate_u(left, right, seed=seed),
        frequencies=frequencies if frequencies is not None else Frequencies.count(right),
    )
    if len(left) < MIN_PROBES_FOR_EM:
        # Too few clients to learn m from: the fixed priors, and half of the clients in the reference.
        model.prior_bits = prior_odds_bits(0.5, len(right))
        return model
    return train_m(model, index, left, seed=seed)


def _em(
    patterns: Mapping[tuple[str, ...], int],
    fit: Sequence[str],
    m: dict[str, dict[str, float]],
    u: Mapping[str, Mapping[str, float]],
    *,
    iterations: int,
    prior_weight: float,
) -> tuple[dict[str, dict[str, float]], float, float]:
    """EM over the features `fit` (m free, u fixed); returns m of those features, the share of matches
    and the number of pairs."""
    features = tuple(FEATURES)
    positions = [features.index(f) for f in fit]
    m = {f: dict(m[f]) for f in fit}
    share = 0.5
    total = float(sum(patterns.values()))
    for _ in range(iterations):
        sums: dict[str, dict[str, float]] = {f: defaultdict(float) for f in fit}
        matched = 0.0
        for pattern, count in patterns.items():
            pm, pu = share, 1.0 - share
            for feature, position in zip(fit, positions, strict=True):
                level = pattern[position]
                if level != MISSING:
                    pm *= m[feature][level]
                    pu *= max(u[feature][level], _U_FLOOR)
            weight = pm / (pm + pu)
            matched += count * weight
            for feature, position in zip(fit, positions, strict=True):
                level = pattern[position]
                if level != MISSING:
                    sums[feature][level] += count * weight
        share = min(max(matched / total, 1e-9), 1 - 1e-9)
        for feature in fit:
            denominator = sum(sums[feature].values()) + prior_weight
            m[feature] = {
                lvl: (sums[feature][lvl] + prior_weight * DEFAULT_M[feature][lvl]) / denominator
                for lvl in FEATURES[feature]
            }
    return m, share, total


def train_m(
    model: Model,
    index: Index,
    probes: Sequence[Prepared],
    *,
    sample: int = 10_000,
    seed: int = 1,
    iterations: int = 30,
    prior_weight: float = 20.0,
) -> Model:
    """Expectation maximisation of m, Splink-style: u stays as estimated from random pairs, and each
    feature is trained only on pairs that were *not* selected by agreeing on it — the pairs whose birth
    dates agree train phone and address; the pairs whose phones agree train name, birth date and
    address (two training sessions; the address, trained in both, takes the mean). The fixed priors
    DEFAULT_M count as `prior_weight` pseudo-pairs. The share of matches among birth-date-agreeing pairs,
    divided by m(birth exact), estimates how many clients are in the reference at all: the prior
    (prior_odds_bits)."""
    rng = random.Random(seed)
    chosen = list(probes) if len(probes) <= sample else rng.sample(list(probes), sample)
    features = tuple(FEATURES)
    patterns: dict[tuple[str, ...], int] = defaultdict(int)
    for record in chosen:
        for key in index.candidates(record):
            levels = compare(record, index.records[key])
            patterns[tuple(levels[f] for f in features)] += 1
    birth_at, phone_at = features.index("birth"), features.index("phone")
    by_birth = {p: n for p, n in patterns.items() if p[birth_at] == "exact"}
    by_phone = {p: n for p, n in patterns.items() if p[phone_at] == "exact"}
    if not by_birth or not by_phone:
        return model
    m_birth, share, pairs = _em(
        by_birth,
        ("name", "phone", "address"),
        model.m,
        model.u,
        iterations=iterations,
        prior_weight=prior_weight,
    )
    m_phone, _, _ = _em(
        by_phone,
        ("name", "birth", "address"),
        model.m,
        model.u,
        iterations=iterations,
        prior_weight=prior_weight,
    )
    trained = {f: dict(v) for f, v in model.m.items()}
    trained["phone"] = m_birth["phone"]
    trained["birth"] = m_phone["birth"]
    # Names from the phone-agreeing pairs only: among the pairs whose birth dates agree, two namesakes (or
    # 이민준/김민준) born the same day look, to EM, like one person whose name was mistyped, and it learns
    # an m of the "given" and "partial" levels that true matches never show.
    trained["name"] = m_phone["name"]
    for feature in ("address",):
        trained[feature] = {
            lvl: (m_birth[feature][lvl] + m_phone[feature][lvl]) / 2 for lvl in FEATURES[feature]
        }
    model.m = trained
    matches = share * pairs / max(trained["birth"]["exact"], 1e-6)
    in_reference = min(max(matches / max(len(chosen), 1), 0.01), 0.99)
    model.prior_bits = prior_odds_bits(in_reference, len(index.records))
    model._weights = {}
    return model
