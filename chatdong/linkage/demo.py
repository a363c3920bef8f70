"""Demo data for the linkage app: one client list uploaded by a welfare center of the demo district,
linked against the residents of its 동, with pairs waiting for review (a few with a 두음 spelling, a jamo
typo, a swapped birth date or a new phone number) and a few clients who are not residents at all.

Synthetic and deterministic for a given rng; no access log (seeding is nobody's access)."""

from __future__ import annotations

import datetime as dt
import random

from chatdong.accounts.models import Agency, District, Dong, Role, User
from chatdong.demo.generator import random_name
from chatdong.linkage.clients import ClientRow
from chatdong.linkage.models import ClientList
from chatdong.linkage.services import client_list_link_rows
from chatdong.registry.models import Resident

AGENCY_NAME = "길음종합사회복지관"
DONG_CODE = "1129066000"  # 길음1동
CLIENTS = 36
STRANGERS = 6
_DUEUM = {"이": "리", "임": "림", "유": "류", "류": "유", "노": "로", "나": "라"}


def _typo(name: str, rng: random.Random) -> str:
    last = ord(name[-1]) - 0xAC00
    if not 0 <= last < 11172:
        return name
    vowel = (last % 588) // 28
    changed = last - vowel * 28 + ((vowel + rng.randrange(1, 21)) % 21) * 28
    return name[:-1] + chr(0xAC00 + changed)


def demo_seed(*, district: District, today: dt.date, rng: random.Random) -> dict[str, int]:
    agency = (
        Agency.objects.filter(district=district, name=AGENCY_NAME).first()
        or Agency.objects.filter(district=district).order_by("name").first()
    )
    if agency is None:
        return {"client_lists": 0}
    worker = (
        User.objects.filter(agency=agency, role=Role.AGENCY_WORKER, is_active=True)
        .order_by("username")
        .first()
    )
    dong = (
        Dong.objects.filter(district=district, code=DONG_CODE).first()
        or Dong.objects.filter(district=district).order_by("code").first()
    )
    if worker is None or dong is None:
        return {"client_lists": 0}
    filename = f"{agency.name}_대상자명단_{today:%Y-%m}.csv"
    existing = ClientList.objects.filter(agency=agency, filename=filename).first()
    if existing is not None:
        return {"client_lists": 0, "client_records": 0, "candidate_pairs": 0}
    reference = Resident.objects.filter(dong=dong)
    pool = list(
        reference.filter(status=Resident.Status.RESIDENT, birth_date__lt=dt.date(1990, 1, 1))
        .order_by("id")
        .values_list("name", "birth_date", "phone", "road_name", "building_main")[:4000]
    )
    if not pool:
        return {"client_lists": 0}
    count = min(CLIENTS, len(pool))
    rows: list[ClientRow] = []
    for number, (name, birth, phone, road, main) in enumerate(rng.sample(pool, count), start=2):
        kind = number % 6
        if kind == 0 and name[0] in _DUEUM:
            name = _DUEUM[name[0]] + name[1:]
        elif kind == 1:
            name = _typo(name, rng)
        elif kind == 2 and birth.day <= 12 and birth.day != birth.month:
            birth = dt.date(birth.year, birth.day, birth.month)
        elif kind == 3:
            phone = f"010{rng.randrange(10**8):08d}"
        address = f"서울특별시 성북구 {road} {main}" if kind != 4 else ""
        rows.append(ClientRow(number, name, birth, phone, address, f"GE-{today:%y}-{number:04d}", ""))
    for offset in range(STRANGERS):
        year = rng.randint(1940, 1985)
        rows.append(
            ClientRow(
                count + 2 + offset,
                random_name(rng, birth_year=year, sex=rng.choice("MF")),
                dt.date(year, rng.randint(1, 12), rng.randint(1, 28)),
                f"010{rng.randrange(10**8):08d}",
                "",
                f"GE-{today:%y}-{count + 2 + offset:04d}",
                "",
            )
        )
    client_list = ClientList.objects.create(
        district=district,
        agency=agency,
        uploaded_by=worker,
        filename=filename,
        status=ClientList.Status.RUNNING,
        total_rows=len(rows),
    )
    client_list_link_rows(client_list, rows, None, reference=reference, log=False)
    return {
        "client_lists": 1,
        "client_records": len(rows),
        "candidate_pairs": client_list.pair_count,
    }
