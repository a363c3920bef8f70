"""demo_prepare and the demo / generate-district commands."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from chatdong.accounts import access
from chatdong.accounts.models import Agency, Ban, Dong, PermissionChange, Role, Scope, User, Zone
from chatdong.casemeeting.models import Meeting
from chatdong.cases.models import Case
from chatdong.demo.models import DemoSeed
from chatdong.demo.services import (
    AGENCIES,
    DEMO_PASSWORD,
    DEMO_WORK,
    DONG_STAFF,
    demo_extract_path,
    demo_prepare,
)
from chatdong.linkage.models import ClientList
from chatdong.outreach.models import Program, Target
from chatdong.referrals.models import Referral
from chatdong.registry.models import ImportBatch, Resident
from chatdong.visits.models import Visit

pytestmark = pytest.mark.django_db

RESIDENTS = 2000


@pytest.fixture(autouse=True)
def var_dir(settings: Any, tmp_path: Path) -> Path:
    """Generated extracts go to a temporary var/, never the shared one."""
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


def test_demo_prepare_creates_every_role_in_every_dong_with_zones_covering_every_ban(tmp_path: Path) -> None:
    accounts = demo_prepare(residents=RESIDENTS, seed=3, accounts_json=None)

    dongs = list(Dong.objects.all())
    assert len(dongs) == 20
    roles_by_dong: dict[int, Counter[str]] = defaultdict(Counter)
    for dong_id, role in User.objects.filter(dong__isnull=False).values_list("dong_id", "role"):
        roles_by_dong[dong_id][role] += 1
    for dong in dongs:
        roles = roles_by_dong[dong.pk]
        assert set(roles) == {r.value for r in access.DONG_ROLES}, dong.name
        assert roles[Role.TEAM_LEADER] == 2
        assert roles[Role.OFFICER] == 4
        assert sum(roles.values()) == len(DONG_STAFF)
    district_roles = set(User.objects.filter(scope=Scope.DISTRICT).values_list("role", flat=True))
    assert district_roles == {Role.ADMIN, Role.DISTRICT_STAFF, Role.SUPPORT_TEAM, Role.HEALTH_MEDICAL}
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)  # every role exists
    # Agencies with case workers are the demo's private agencies; the directory adds public ones.
    with_workers = Agency.objects.filter(staff__isnull=False).distinct().values_list("name", flat=True)
    assert set(with_workers) == {name for _, name, _, _ in AGENCIES}
    for agency in Agency.objects.filter(name__in=with_workers):
        assert list(agency.staff.values_list("role", "scope")) == [(Role.AGENCY_WORKER, Scope.AGENCY)] * 2

    # Zones: every 반 in exactly one zone of its own 동, each with an active officer who is not exempt.
    assert Ban.objects.count() > 12 * 20
    assert Ban.objects.filter(zone__isnull=True).count() == 0
    assert Ban.objects.exclude(zone__dong=F("tong__dong")).count() == 0
    for zone in Zone.objects.select_related("officer"):
        assert zone.officer is not None
        assert zone.officer.is_active
        assert zone.officer.dong_id == zone.dong_id
        assert zone.officer.role not in access.ZONE_EXEMPT_ROLES
        assert zone.bans.exists()
    # …and every officer who must have a zone has one.
    officers = User.objects.filter(dong__isnull=False).exclude(role__in=access.ZONE_EXEMPT_ROLES)
    assert officers.filter(zones__isnull=True).count() == 0
    assert Zone.objects.count() == officers.count()

    # The extract was imported; every grant was recorded; every account logs in with the demo password.
    assert Resident.objects.count() == RESIDENTS
    assert list(ImportBatch.objects.values_list("status", flat=True)) == [ImportBatch.Status.SUCCEEDED]
    assert (
        PermissionChange.objects.filter(action=PermissionChange.Action.GRANT).count() == User.objects.count()
    )
    assert len(accounts) == User.objects.count()
    assert all(u.check_password(DEMO_PASSWORD) for u in User.objects.all()[:5])


def test_usernames_are_readable_and_stable(tmp_path: Path) -> None:
    accounts = demo_prepare(residents=300, seed=3, accounts_json=None)

    names = {a.username for a in accounts}
    assert {
        "district-admin",
        "district-program",
        "district-support-team",
        "district-health-medical",
        "seongbuk-dong-head",
        "jongam-planner-elder",
        "gireum1-visiting-nurse",
        "jangwi2-officer-4",
        "seokgwan-front-desk",
        "gireum-welfare-worker-1",
        "hub-north-worker-2",
    } <= names
    head = User.objects.select_related("dong").get(username="jongam-dong-head")
    assert head.dong is not None
    assert (head.role, head.dong.name) == (Role.DONG_HEAD, "종암동")
    assert len(head.full_name) in (3, 4)


def test_accounts_json_lists_every_account(tmp_path: Path) -> None:
    out = tmp_path / "accounts.json"

    accounts = demo_prepare(residents=300, seed=4, accounts_json=out)

    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data) == User.objects.count() == len(accounts)
    assert {"username", "password", "role", "dong_code", "agency"} <= set(data[0])
    by_name = {item["username"]: item for item in data}
    assert by_name["jongam-planner-elder"]["role"] == "planner_elder"
    assert by_name["jongam-planner-elder"]["dong_code"] == "1129070500"
    assert by_name["jongam-planner-elder"]["agency"] is None
    assert by_name["district-admin"]["dong_code"] is None
    assert by_name["gireum-welfare-worker-1"]["agency"] == "길음종합사회복지관"
    assert {item["password"] for item in data} == {DEMO_PASSWORD}


def test_demo_prepare_again_changes_nothing(tmp_path: Path) -> None:
    first = demo_prepare(residents=300, seed=5, accounts_json=None)
    extract = demo_extract_path(residents=300, seed=5)
    written = extract.stat().st_mtime_ns
    zones = sorted(Ban.objects.values_list("pk", "zone_id"))

    second = demo_prepare(residents=300, seed=5, accounts_json=None)

    assert second == first
    assert extract.stat().st_mtime_ns == written  # the extract is reused, not generated again
    assert ImportBatch.objects.count() == 1  # …and not imported again
    assert Resident.objects.count() == 300
    assert sorted(Ban.objects.values_list("pk", "zone_id")) == zones
    assert PermissionChange.objects.count() == User.objects.count()
    assert DemoSeed.objects.count() == len(DEMO_WORK)  # each app's work is seeded once


def test_demo_seeds_the_work_of_every_app() -> None:
    demo_prepare(residents=RESIDENTS, seed=3, accounts_json=None)

    seeded = {s.app: s.counts for s in DemoSeed.objects.all()}
    assert set(seeded) == {app for app, _ in DEMO_WORK}
    assert Program.objects.count() == 6
    targets = sum(v for k, v in seeded["outreach"].items() if k.startswith("targets_"))
    assert Target.objects.exclude(source=Target.Source.LIST).count() == targets
    assert Visit.objects.filter(outcome=Visit.Outcome.PLANNED).count() > 0
    # The desk's referrals, the agencies' 발굴 의뢰, and the 의약과 referral of the visits' one positive
    # screening.
    assert seeded["referrals"]["agency_findings"] > 0
    assert (
        Referral.objects.count()
        == seeded["referrals"]["referrals"] + seeded["referrals"]["agency_findings"] + 1
    )
    assert Case.objects.count() == seeded["cases"]["cases"]
    assert Meeting.objects.count() > 0
    assert ClientList.objects.count() == 1


def test_demo_prepare_with_another_extract_imports_it_as_a_diff(tmp_path: Path) -> None:
    demo_prepare(residents=300, seed=6, accounts_json=None)

    demo_prepare(residents=400, seed=6, accounts_json=None)

    assert ImportBatch.objects.filter(status=ImportBatch.Status.SUCCEEDED).count() == 2
    assert Resident.objects.filter(status=Resident.Status.RESIDENT).count() == 400
    assert Ban.objects.filter(zone__isnull=True).count() == 0  # zones follow the new 반


def test_demo_command_prepares_prints_accounts_and_writes_json(tmp_path: Path) -> None:
    out = StringIO()
    accounts_json = tmp_path / "a.json"

    call_command(
        "demo",
        "--no-serve",
        "--no-progress",
        "--residents",
        "300",
        "--accounts-json",
        str(accounts_json),
        stdout=out,
    )

    text = out.getvalue()
    assert "district-admin" in text
    assert "jongam-planner-elder" in text
    assert f"모든 데모 계정의 비밀번호: {DEMO_PASSWORD}" in text
    assert "준비 완료" in text
    assert text.count(DEMO_PASSWORD) == 1  # the password is printed once, not per account
    assert len(json.loads(accounts_json.read_text(encoding="utf-8"))) == User.objects.count()


def test_demo_command_refuses_zero_residents() -> None:
    with pytest.raises(CommandError, match="1 이상"):
        call_command("demo", "--no-serve", "--residents", "0", stdout=StringIO())

    assert User.objects.count() == 0
    assert Resident.objects.count() == 0


def test_generate_district_command_writes_the_file_and_a_summary(tmp_path: Path) -> None:
    out = StringIO()
    target = tmp_path / "x.csv"

    call_command("generate_district", "--residents", "1000", "--seed", "9", "--out", str(target), stdout=out)

    assert target.read_bytes().count(b"\r\n") == 1001
    assert "주민 1,000명" in out.getvalue()
    assert "65세 이상" in out.getvalue()


def test_generate_district_command_refuses_a_future_reference_date(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"

    with pytest.raises(CommandError, match="미래"):
        call_command("generate_district", "--out", str(target), "--as-of", "2999-01-01", stdout=StringIO())

    assert not target.exists()
