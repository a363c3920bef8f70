"""The one-command demo: a synthetic 성북구 with staff for every role in every 동.

`demo_prepare` is idempotent, so `chatdong demo` can be run again and again: the district and its
동 are set up once, the extract is generated once per (residents, seed) and imported only when it is
not already the registry's latest import, and accounts that exist are kept (zones are brought up to
date with the 반 the import created).

Usernames are stable and readable (documented in docs/demo.md):
  district-admin, district-program, district-support-team, district-health-medical
  <동>-dong-head, <동>-team-leader-welfare, <동>-team-leader-village, <동>-planner-elder,
  <동>-planner-child, <동>-planner-poverty, <동>-planner-youth, <동>-visiting-nurse,
  <동>-infant-nurse, <동>-counselor, <동>-supervisor, <동>-officer-1 … -4, <동>-front-desk
  <기관>-worker-1, <기관>-worker-2
where <동> is the romanised 동 name (seongbuk, samseon, …, jongam, …, seokgwan) and <기관> is
gireum-welfare, jeongneung-welfare, wolgok-welfare, hub-south, hub-north.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from random import Random

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from chatdong.accounts import access
from chatdong.accounts.districts import PRESETS, DistrictPreset
from chatdong.accounts.models import Agency, Ban, District, Dong, Role, User, Zone
from chatdong.accounts.services import district_setup, staff_create, zone_save
from chatdong.core.errors import ValidationFailed
from chatdong.demo.generator import DEFAULT_AS_OF, DEFAULT_PRESET, generate_district, random_name
from chatdong.registry.models import ImportBatch
from chatdong.registry.services import residents_import

# Shown on screen and in the README: a demo runs on a laptop with synthetic people only.
DEMO_PASSWORD = "chatdong-demo-2026"
DEFAULT_SEED = 2016  # the year of 성북구's operating plan in the seed documents

# Staff of every 동: (username suffix, role).
DONG_STAFF: tuple[tuple[str, Role], ...] = (
    ("dong-head", Role.DONG_HEAD),
    ("team-leader-welfare", Role.TEAM_LEADER),
    ("team-leader-village", Role.TEAM_LEADER),
    ("planner-elder", Role.PLANNER_ELDER),
    ("planner-child", Role.PLANNER_CHILD),
    ("planner-poverty", Role.PLANNER_POVERTY),
    ("planner-youth", Role.PLANNER_YOUTH),
    ("visiting-nurse", Role.VISITING_NURSE),
    ("infant-nurse", Role.INFANT_NURSE),
    ("counselor", Role.COUNSELOR),
    ("supervisor", Role.SUPERVISOR),
    ("officer-1", Role.OFFICER),
    ("officer-2", Role.OFFICER),
    ("officer-3", Role.OFFICER),
    ("officer-4", Role.OFFICER),
    ("front-desk", Role.FRONT_DESK),
)
DISTRICT_STAFF: tuple[tuple[str, Role], ...] = (
    ("district-admin", Role.ADMIN),
    ("district-program", Role.DISTRICT_STAFF),
    ("district-support-team", Role.SUPPORT_TEAM),
    ("district-health-medical", Role.HEALTH_MEDICAL),
)
# Private agencies: (username prefix, name, kind, address). Case workers: <prefix>-worker-1, -2.
AGENCIES: tuple[tuple[str, str, str, str], ...] = (
    ("gireum-welfare", "길음종합사회복지관", Agency.Kind.WELFARE_CENTER, "서울특별시 성북구 길음로"),
    ("jeongneung-welfare", "정릉종합사회복지관", Agency.Kind.WELFARE_CENTER, "서울특별시 성북구 정릉로"),
    ("wolgok-welfare", "월곡종합사회복지관", Agency.Kind.WELFARE_CENTER, "서울특별시 성북구 월곡로"),
    ("hub-south", "성북구 남부권역 사례관리 거점기관", Agency.Kind.HUB, "서울특별시 성북구 보문로"),
    ("hub-north", "성북구 북부권역 사례관리 거점기관", Agency.Kind.HUB, "서울특별시 성북구 한천로"),
)
AGENCY_WORKERS = 2

Say = Callable[[str], None]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    role_label: str
    full_name: str
    dong_code: str | None
    dong_name: str | None
    agency: str | None

    def as_json(self) -> dict[str, str | None]:
        return asdict(self)


def demo_extract_path(*, residents: int, seed: int, preset: str = DEFAULT_PRESET) -> Path:
    return Path(settings.VAR_DIR) / "demo" / f"{preset}-{residents}-{seed}-{DEFAULT_AS_OF:%Y%m%d}.csv"


def demo_extract_ensure(*, residents: int, seed: int, say: Say | None = None) -> Path:
    """The generated extract for (residents, seed): generated once, then reused."""
    path = demo_extract_path(residents=residents, seed=seed)
    if path.exists():
        _say(say, f"가상 주민 자료 재사용: {path}")
        return path
    partial = path.with_name(path.name + ".partial")
    summary = generate_district(residents=residents, seed=seed, out=partial)
    os.replace(partial, path)  # never leave a half-written extract under the final name
    _say(say, f"가상 주민 자료 생성: {path} ({summary.seconds:.1f}초)")
    for line in summary.lines():
        _say(say, f"  {line}")
    return path


def demo_import_ensure(
    *, path: Path, say: Say | None = None, progress: Progress | None = None
) -> ImportBatch:
    """Import the extract unless it already is the registry's latest successful import."""
    latest = (
        ImportBatch.objects.filter(status=ImportBatch.Status.SUCCEEDED).order_by("-created_at", "-pk").first()
    )
    if latest is not None and latest.filename == path.name:
        _say(say, f"주민 자료는 이미 반영되어 있습니다: {latest.message}")
        return latest
    batch = residents_import(path=path, actor=None, progress=progress)
    if batch.status != ImportBatch.Status.SUCCEEDED:
        raise ValidationFailed(f"가상 주민 자료를 반영하지 못했습니다: {batch.message}")
    _say(say, f"주민 자료 반영: {batch.message}")
    return batch


def demo_staff_ensure(*, district: District, preset: DistrictPreset) -> list[DemoAccount]:
    """Accounts for every role in every 동, the district and the agencies; zones that cover every 반
    of each 동. Existing accounts are kept as they are."""
    validate_password(DEMO_PASSWORD)
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: hundreds of hashes would take minutes
    names = Random(f"chatdong-demo-staff:{preset.code}")
    accounts: list[DemoAccount] = []

    def ensure(
        username: str,
        role: Role,
        *,
        district: District | None = None,
        dong: Dong | None = None,
        agency: Agency | None = None,
    ) -> User:
        user = User.objects.select_related("dong", "agency").filter(username=username).first()
        if user is None:
            sex = "F" if names.random() < 0.6 else "M"  # most welfare staff are women
            user = staff_create(
                actor=None,
                username=username,
                password="",
                password_hash=password_hash,
                full_name=random_name(names, birth_year=names.randint(1968, 1998), sex=sex),
                role=role,
                district=district,
                dong=dong,
                agency=agency,
            )
        accounts.append(
            DemoAccount(
                username=user.username,
                password=DEMO_PASSWORD,
                role=user.role,
                role_label=user.get_role_display(),
                full_name=user.full_name,
                dong_code=user.dong.code if user.dong else None,
                dong_name=user.dong.name if user.dong else None,
                agency=user.agency.name if user.agency else None,
            )
        )
        return user

    with transaction.atomic():
        district_staff = [ensure(username, role, district=district) for username, role in DISTRICT_STAFF]
        admin = next(u for u in district_staff if u.role == Role.ADMIN)  # zone_save needs a manager
        dongs = {d.code: d for d in Dong.objects.filter(district=district)}
        for spec in preset.dongs:
            dong = dongs[spec.code]
            staff = [ensure(f"{spec.slug}-{suffix}", role, dong=dong) for suffix, role in DONG_STAFF]
            officers = [u for u in staff if u.role not in access.ZONE_EXEMPT_ROLES and u.is_active]
            _zones_ensure(actor=admin, dong=dong, officers=officers)
        for prefix, name, kind, address in AGENCIES:
            agency, _ = Agency.objects.get_or_create(
                district=district, name=name, defaults={"kind": kind, "address": address}
            )
            for n in range(1, AGENCY_WORKERS + 1):
                ensure(f"{prefix}-worker-{n}", Role.AGENCY_WORKER, agency=agency)
    return accounts


def _zones_ensure(*, actor: User, dong: Dong, officers: list[User]) -> None:
    """Split the 동's 반 (in 통/반 order) into contiguous zones, one per officer: every 반 in exactly one
    zone. Zones are named 1구역, 2구역 … and keep their names across runs."""
    bans = list(Ban.objects.filter(tong__dong=dong).select_related("tong").order_by("tong__number", "number"))
    count = min(len(officers), len(bans))
    existing = {z.name: z for z in Zone.objects.filter(dong=dong)}
    for i in range(count):
        chunk = bans[len(bans) * i // count : len(bans) * (i + 1) // count]
        name = f"{i + 1}구역"
        zone_save(actor=actor, dong=dong, name=name, officer=officers[i], bans=chunk, zone=existing.get(name))


def demo_prepare(
    *,
    residents: int,
    seed: int,
    accounts_json: Path | None,
    say: Say | None = None,
    progress: Progress | None = None,
) -> list[DemoAccount]:
    """Set up the district, generate and import the synthetic extract, create the demo staff and zones,
    and (optionally) write the accounts as JSON. The database must be migrated already."""
    preset = PRESETS[DEFAULT_PRESET]
    district = district_setup(preset=DEFAULT_PRESET)
    path = demo_extract_ensure(residents=residents, seed=seed, say=say)
    demo_import_ensure(path=path, say=say, progress=progress)
    accounts = demo_staff_ensure(district=district, preset=preset)
    _say(say, f"데모 계정 {len(accounts)}개 준비")
    demo_work_ensure(district=district, seed=seed, say=say)
    if accounts_json is not None:
        accounts_json.parent.mkdir(parents=True, exist_ok=True)
        accounts_json.write_text(
            json.dumps([a.as_json() for a in accounts], ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    return accounts


# The program's work in the demo, in the order the apps depend on each other: targets before visits,
# desk referrals and cases before case meetings. Each app's demo_seed fills its own tables.
DEMO_WORK: tuple[tuple[str, str], ...] = (
    ("outreach", "방문 대상"),
    ("visits", "가정방문"),
    ("referrals", "복지상담·의뢰"),
    ("cases", "사례관리"),
    ("casemeeting", "통합사례회의"),
    ("linkage", "명단 대조"),
)


def demo_work_ensure(*, district: District, seed: int, say: Say | None = None) -> None:
    """Seed each app's demo work once per database: a DemoSeed row per app records that it is done, so
    running the demo again keeps what people did in it. The day is the real today (visits for today)."""
    import importlib
    import time

    from chatdong.core.time import today
    from chatdong.demo.models import DemoSeed

    done = set(DemoSeed.objects.filter(district=district).values_list("app", flat=True))
    for app, label in DEMO_WORK:
        if app in done:
            continue
        started = time.perf_counter()
        module = importlib.import_module(f"chatdong.{app}.demo")
        with transaction.atomic():
            counts = module.demo_seed(district=district, today=today(), rng=Random(f"{seed}:{app}"))
            DemoSeed.objects.create(district=district, app=app, counts=counts)
        figures = ", ".join(f"{k} {v:,}" for k, v in counts.items())
        _say(say, f"데모 업무 자료 — {label}: {figures} ({time.perf_counter() - started:.1f}초)")


def _say(say: Say | None, message: str) -> None:
    if say is not None:
        say(message)
