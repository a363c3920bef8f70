"""A synthetic Korean linkage set with known true matches, for bench/linkage_bench.py.

File A (registry-like): residents of the synthetic 성북구 from chatdong.demo.generator (realistic names by
birth period, households sharing an address, phones). File B (an agency's client list): a share of A's
residents written again the way client lists get them wrong, plus people who are not in A at all.

What happens to a true match on its way to file B (independently, rates per record):
- name: a one-jamo typo in the given name (8%: a vowel, initial or final replaced, or a final dropped),
  the surname in its 두음 spelling (40% of those whose surname has one: 이→리, 임→림, 유↔류, 노→로, 나→라,
  양→량, 여→려, 염→렴, 연→련), or written with a space (3%: "김 민준");
- birth date: day and month swapped (3%, when both ≤ 12 and different), one digit off (3%), missing (5%);
- phone: a new number (25%), missing (15%);
- address: moved to another address (25%), missing (10%); written as free text with 서울특별시 성북구 …,
  with the registry's unit (동·호) in 60% of rows, none in 30%, a wrong one in 10%;
People not in A get fresh names, dates, phones and addresses from the same distributions, so that some
share a name and birth year with a resident by chance, as they do in life.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from chatdong.demo.generator import iter_rows, random_name
from chatdong.registry.extract_format import COLUMNS

_KEYS = [c.key for c in COLUMNS]
DUEUM_SPELLING = {
    "이": "리",
    "임": "림",
    "유": "류",
    "류": "유",
    "노": "로",
    "나": "라",
    "양": "량",
    "여": "려",
    "염": "렴",
    "연": "련",
}
_VOWELS = 21
_FINALS = 28
_INITIALS = 19

A_HEADER = [
    "id",
    "name",
    "birth_date",
    "phone",
    "road_name",
    "building_main",
    "building_sub",
    "address_detail",
]
B_HEADER = ["id", "name", "birth_date", "phone", "address", "true_id", "identifiable"]


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    birth: str  # YYYY-MM-DD or ''
    phone: str
    road: str
    main: int
    sub: int
    detail: str = ""


def _birth_from_rrn(rrn: str) -> str:
    digits = rrn.replace("-", "")
    century = {"1": 1900, "2": 1900, "3": 2000, "4": 2000, "9": 1800, "0": 1800, "5": 1900, "6": 1900}.get(
        digits[6], 2000
    )
    return f"{century + int(digits[:2]):04d}-{digits[2:4]}-{digits[4:6]}"


def registry(size: int, seed: int) -> list[Person]:
    rows, _ = iter_rows(residents=size, seed=seed)
    people = []
    for number, row in enumerate(rows, start=1):
        cell = dict(zip(_KEYS, row, strict=True))
        people.append(
            Person(
                id=number,
                name=str(cell["name"]),
                birth=_birth_from_rrn(str(cell["rrn"])),
                phone=str(cell["phone"]).replace("-", ""),
                road=str(cell["road_name"]),
                main=int(cell["building_main"]),  # type: ignore[call-overload]
                sub=int(cell["building_sub"] or 0),  # type: ignore[call-overload]
                detail=str(cell["address_detail"]),
            )
        )
    return people


def _typo(name: str, rng: random.Random) -> str:
    """One jamo of one given-name syllable replaced (or its final dropped)."""
    if len(name) < 2:
        return name
    position = rng.randrange(1, len(name))
    code = ord(name[position]) - 0xAC00
    if not 0 <= code < 11172:
        return name
    initial, vowel, final = code // 588, (code % 588) // 28, code % 28
    kind = rng.random()
    if kind < 0.45:
        vowel = (vowel + rng.randrange(1, _VOWELS)) % _VOWELS
    elif kind < 0.7:
        initial = (initial + rng.randrange(1, _INITIALS)) % _INITIALS
    elif final and kind < 0.85:
        final = 0
    else:
        final = (final + rng.randrange(1, _FINALS)) % _FINALS
    syllable = chr(0xAC00 + initial * 588 + vowel * 28 + final)
    return name[:position] + syllable + name[position + 1 :]


def _swap(birth: str) -> str | None:
    year, month, day = birth.split("-")
    if month == day or int(day) > 12:
        return None
    return f"{year}-{day}-{month}"


def _digit_off(birth: str, rng: random.Random) -> str:
    for _ in range(20):
        digits = birth.replace("-", "")
        i = rng.randrange(2, 8)
        new = digits[:i] + str((int(digits[i]) + rng.randrange(1, 10)) % 10) + digits[i + 1 :]
        try:
            dt.date(int(new[:4]), int(new[4:6]), int(new[6:8]))
        except ValueError:
            continue
        return f"{new[:4]}-{new[4:6]}-{new[6:8]}"
    return birth


def _address_text(person: Person, rng: random.Random) -> str:
    number = f"{person.main}-{person.sub}" if person.sub else f"{person.main}"
    prefix = rng.choice(["서울특별시 성북구 ", "서울 성북구 ", "성북구 ", ""])
    roll = rng.random()
    if person.detail and roll < 0.6:  # most lists carry the unit as the registry has it
        detail = " " + (person.detail.replace(" ", "") if rng.random() < 0.3 else person.detail)
    elif roll < 0.9:
        detail = ""
    else:
        detail = rng.choice([" 2층", " 지하", f" {rng.randint(101, 1504)}호"])
    return f"{prefix}{person.road} {number}{detail}"


def _new_phone(rng: random.Random) -> str:
    return f"010{rng.randrange(10**8):08d}"


def client_list(
    people: list[Person], *, matched: int, unmatched: int, seed: int
) -> tuple[list[dict[str, str]], int]:
    """File B: `matched` residents written again with errors, `unmatched` people not in A, shuffled."""
    rng = random.Random(seed)
    chosen = rng.sample(people, matched)
    # Residents sharing their exact name and birth date with another resident (namesakes born the same day).
    twins = {key for key, n in Counter((p.name, p.birth) for p in people).items() if n > 1}
    rows: list[dict[str, str]] = []
    for person in chosen:
        name = person.name
        if name[0] in DUEUM_SPELLING and len(name) >= 2 and rng.random() < 0.4:
            name = DUEUM_SPELLING[name[0]] + name[1:]
        if rng.random() < 0.08:
            name = _typo(name, rng)
        if rng.random() < 0.03:
            name = name[0] + " " + name[1:]
        birth = person.birth
        roll = rng.random()
        if roll < 0.03:
            birth = _swap(birth) or birth
        elif roll < 0.06:
            birth = _digit_off(birth, rng)
        elif roll < 0.11:
            birth = ""
        phone = person.phone
        roll = rng.random()
        if roll < 0.25:
            phone = _new_phone(rng)
        elif roll < 0.40:
            phone = ""
        roll = rng.random()
        if roll < 0.25:
            address = _address_text(rng.choice(people), rng)
        elif roll < 0.35:
            address = ""
        else:
            address = _address_text(person, rng)
        # Nothing but the name is left to find the resident by (no birth date, no current phone or
        # address), or the resident has a namesake born the same day and neither phone nor address tells
        # them apart: no engine can know which resident, or whether any, the row is. Marked for the
        # evaluation (the engines never read it), which reports figures with and without these rows.
        contact = (bool(phone) and phone == person.phone) or roll >= 0.35
        identifiable = contact or (bool(birth) and (person.name, person.birth) not in twins)
        rows.append(
            {
                "name": name,
                "birth_date": birth,
                "phone": phone,
                "address": address,
                "true_id": str(person.id),
                "identifiable": "1" if identifiable else "0",
            }
        )
    for _ in range(unmatched):
        year = rng.randint(1930, 2022)
        born = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
        stranger = Person(0, "", "", "", rng.choice(people).road, rng.randint(1, 150), 0)
        rows.append(
            {
                "name": random_name(rng, birth_year=year, sex=rng.choice("MF")),
                "birth_date": born.isoformat() if rng.random() > 0.05 else "",
                "phone": _new_phone(rng) if rng.random() > 0.3 else "",
                "address": _address_text(stranger, rng) if rng.random() > 0.2 else "",
                "true_id": "",
                "identifiable": "",
            }
        )
    rng.shuffle(rows)
    for number, row in enumerate(rows, start=1):
        row["id"] = str(number)
    return rows, matched


def write(
    folder: Path, *, registry_size: int, matched: int, unmatched: int, seed: int = 20261123
) -> tuple[Path, Path]:
    """Write A.csv and B.csv (B carries the truth in its true_id column, which the engines never read)."""
    folder.mkdir(parents=True, exist_ok=True)
    people = registry(registry_size, seed)
    clients, _ = client_list(people, matched=matched, unmatched=unmatched, seed=seed + 1)
    a_path, b_path = folder / "A.csv", folder / "B.csv"
    with a_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(A_HEADER)
        writer.writerows((p.id, p.name, p.birth, p.phone, p.road, p.main, p.sub, p.detail) for p in people)
    with b_path.open("w", encoding="utf-8", newline="") as handle:
        dict_writer = csv.DictWriter(handle, fieldnames=B_HEADER)
        dict_writer.writeheader()
        dict_writer.writerows(clients)
    return a_path, b_path
