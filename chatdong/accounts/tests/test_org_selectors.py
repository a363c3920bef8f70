"""Zone map and coverage selectors, lockout state for many accounts, permission history in words."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chatdong.accounts import selectors, services
from chatdong.accounts.models import Ban, Dong, Role, Zone
from chatdong.accounts.tests.org_fixtures import dong_with_bans, staff
from chatdong.testing.factories import DongFactory

pytestmark = pytest.mark.django_db


def test_ban_ranges_fold_consecutive_numbers():
    assert selectors.ban_ranges([7, 1, 2, 3, 4, 9, 10]) == "1~4, 7, 9~10반"
    assert selectors.ban_ranges([5]) == "5반"
    assert selectors.ban_ranges([]) == ""


@pytest.fixture
def mapped():
    """동 with 1통 (4반), 2통 (3반), 3통 (no 반); zones: A (officer, 1통 1-2 + 2통 3), B (no officer,
    1통 3), C (officer deactivated, 2통 1), D (officer moved to another 동, 2통 2); 1통 4반 in none."""
    dong, bans = dong_with_bans({1: 4, 2: 3, 3: 0})
    active = staff(Role.OFFICER, dong=dong, full_name="가주무관")
    gone = staff(Role.OFFICER, dong=dong, full_name="나말소", is_active=False)
    moved = staff(Role.OFFICER, dong=DongFactory(district=dong.district), full_name="다전보")
    zones = {
        "A": Zone.objects.create(dong=dong, name="A구역", officer=active),
        "B": Zone.objects.create(dong=dong, name="B구역"),
        "C": Zone.objects.create(dong=dong, name="C구역", officer=gone),
        "D": Zone.objects.create(dong=dong, name="D구역", officer=moved),
        "E": Zone.objects.create(dong=dong, name="E구역", officer=active),
    }
    for key, ban_keys in {"A": [(1, 1), (1, 2), (2, 3)], "B": [(1, 3)], "C": [(2, 1)], "D": [(2, 2)]}.items():
        Ban.objects.filter(pk__in=[bans[k].pk for k in ban_keys]).update(zone=zones[key])
    return dong, bans, zones, active


def test_zone_map_groups_bans_by_zone_within_each_tong(mapped):
    dong, _bans, _zones, _active = mapped
    rows = selectors.zone_map(dong=dong)
    flat = [
        (row.tong.number, group.bans_label, group.zone.name if group.zone else None, group.problem)
        for row in rows
        for group in row.groups
    ]
    assert flat == [
        (1, "1~2반", "A구역", ""),
        (1, "3반", "B구역", selectors.NO_OFFICER),
        (1, "4반", None, selectors.NO_ZONE),
        (2, "1반", "C구역", selectors.OFFICER_INACTIVE),
        (2, "2반", "D구역", selectors.OFFICER_ELSEWHERE),
        (2, "3반", "A구역", ""),
    ]
    assert [(row.tong.number, row.ban_count, row.uncovered_count) for row in rows] == [
        (1, 4, 2),
        (2, 3, 2),
        (3, 0, 0),
    ]


def test_zone_coverage_problems(mapped):
    dong, _bans, _zones, _active = mapped
    staff(Role.PLANNER_CHILD, dong=dong, full_name="라플래너")  # needs a zone, has none
    staff(Role.VISITING_NURSE, dong=dong, full_name="마간호사")  # needs a zone, has none
    staff(Role.DONG_HEAD, dong=dong)  # exempt
    staff(Role.TEAM_LEADER, dong=dong)  # exempt
    staff(Role.FRONT_DESK, dong=dong)  # exempt
    staff(Role.OFFICER, dong=dong, is_active=False)  # not working here any more
    problems = selectors.zone_coverage_problems(dong=dong)
    assert [(t.number, g.bans_label, g.problem) for t, g in problems.uncovered] == [
        (1, "3반", selectors.NO_OFFICER),
        (1, "4반", selectors.NO_ZONE),
        (2, "1반", selectors.OFFICER_INACTIVE),
        (2, "2반", selectors.OFFICER_ELSEWHERE),
    ]
    assert problems.uncovered_ban_count == 4
    assert problems.ban_total == 7
    assert [(z.name, why) for z, why in problems.zones_without_officer] == [
        ("B구역", selectors.NO_OFFICER),
        ("C구역", selectors.OFFICER_INACTIVE),
        ("D구역", selectors.OFFICER_ELSEWHERE),
    ]
    assert [z.name for z in problems.empty_zones] == ["E구역"]
    assert [u.full_name for u in problems.staff_without_zone] == ["라플래너", "마간호사"]
    assert problems.ok is False


def test_fully_covered_dong_has_no_problems():
    dong, _bans = dong_with_bans({1: 2})
    officer = staff(Role.OFFICER, dong=dong)
    staff(Role.DONG_HEAD, dong=dong)
    zone = Zone.objects.create(dong=dong, name="1구역", officer=officer)
    Ban.objects.filter(tong__dong=dong).update(zone=zone)
    problems = selectors.zone_coverage_problems(dong=dong)
    assert problems.ok is True
    assert (problems.uncovered, problems.staff_without_zone, problems.ban_total) == ([], [], 2)


def test_a_zone_in_another_dong_does_not_count():
    dong, _ = dong_with_bans({1: 1})
    officer = staff(Role.OFFICER, dong=dong)
    Zone.objects.create(dong=DongFactory(district=dong.district), name="남의구역", officer=officer)
    assert [u.pk for u in selectors.zone_coverage_problems(dong=dong).staff_without_zone] == [officer.pk]


def big_dong(tongs: int, bans_per_tong: int, officers: int) -> Dong:
    dong, bans = dong_with_bans(dict.fromkeys(range(1, tongs + 1), bans_per_tong))
    people = [staff(Role.OFFICER, dong=dong) for _ in range(officers)]
    for i, person in enumerate(people):
        zone = Zone.objects.create(dong=dong, name=f"{i + 1}구역", officer=person)
        Ban.objects.filter(pk__in=[b.pk for k, b in bans.items() if k[0] % officers == i]).update(zone=zone)
    return dong


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_zone_map_and_coverage_do_not_query_per_ban():
    small = big_dong(2, 2, 2)
    large = big_dong(20, 9, 6)

    def run(dong: Dong):
        return lambda: selectors.zone_coverage_problems(dong=dong, rows=selectors.zone_map(dong=dong))

    assert queries(run(small)) == queries(run(large)) == 4


def test_coverage_by_dong_matches_the_single_dong_figures(mapped):
    dong, _bans, _zones, _active = mapped
    staff(Role.PLANNER_CHILD, dong=dong)
    other = big_dong(3, 2, 2)
    staff(Role.COUNSELOR, dong=other)
    both = Dong.objects.filter(pk__in=[dong.pk, other.pk])
    with CaptureQueriesContext(connection) as ctx:
        coverage = selectors.coverage_by_dong(dongs=both)
    assert len(ctx.captured_queries) == 4
    assert coverage[dong.pk] == selectors.DongCoverage(
        bans=7, uncovered_bans=4, staff=2, staff_without_zone=1
    )
    assert coverage[other.pk] == selectors.DongCoverage(
        bans=6, uncovered_bans=0, staff=3, staff_without_zone=1
    )


def test_dong_zones_summary(mapped):
    dong, _bans, _zones, _active = mapped
    summary = [(s.zone.name, s.bans_label, s.ban_count, s.problem) for s in selectors.dong_zones(dong=dong)]
    assert summary == [
        ("A구역", "1통 1~2반 · 2통 3반", 3, ""),
        ("B구역", "1통 3반", 1, selectors.NO_OFFICER),
        ("C구역", "2통 1반", 1, selectors.OFFICER_INACTIVE),
        ("D구역", "2통 2반", 1, selectors.OFFICER_ELSEWHERE),
        ("E구역", "", 0, ""),
    ]


def test_locked_usernames_follow_the_lockout_rule():
    for _ in range(5):
        services.login_attempt_record(username="locked", request=None, succeeded=False)
    for _ in range(4):
        services.login_attempt_record(username="four", request=None, succeeded=False)
    for succeeded in [False] * 5 + [True]:
        services.login_attempt_record(username="recovered", request=None, succeeded=succeeded)
    names = ["locked", "four", "recovered", "never"]
    assert selectors.locked_usernames(names) == {"locked"}
    assert {n for n in names if services.login_is_locked(n)} == {"locked"}


def test_permission_history_in_words():
    head = staff(Role.DONG_HEAD)
    person = services.staff_create(
        actor=head,
        username="p1",
        password="changdong-welfare-42",
        full_name="가",
        role=Role.OFFICER,
        dong=head.dong,
    )
    services.staff_set_role(actor=head, user=person, role=Role.PLANNER_ELDER, reason="배치")
    services.staff_deactivate(actor=head, user=person, reason="퇴직")
    history = selectors.permission_history(user=person)
    name = head.dong.name
    assert [(h.change.action, h.before.text, h.after.text, h.change.reason) for h in history] == [
        ("revoke", f"어르신 복지플래너 · 동 {name}", f"어르신 복지플래너 · 동 {name} (말소)", "퇴직"),
        ("change", f"일반 주무관 · 담당구역 {name}", f"어르신 복지플래너 · 동 {name}", "배치"),
        ("grant", "—", f"일반 주무관 · 담당구역 {name}", ""),
    ]


def test_zones_are_listed_in_natural_order():
    dong, _ = dong_with_bans({1: 1})
    for name in ["10구역", "2구역", "1구역"]:
        Zone.objects.create(dong=dong, name=name)
    assert [s.zone.name for s in selectors.dong_zones(dong=dong)] == ["1구역", "2구역", "10구역"]
