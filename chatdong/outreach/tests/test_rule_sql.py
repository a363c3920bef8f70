"""Set-based extraction (outreach.rule_sql.list_diff) against the comparison in Python
(services._compare_in_python, which lists list_diff cannot compare take): for each rule kind the
database compares, a list that drifted from the registry in every way it can (people moved, added, gone;
targets cancelled, done, added by staff, edited) gives the same differences both ways, and re-extracting
applies them."""

from __future__ import annotations

import datetime as dt

import pytest

from chatdong.outreach import rule_sql, rules
from chatdong.outreach.models import Target
from chatdong.outreach.services import _compare_in_python, targets_extract
from chatdong.outreach.tests.factories import programs, resident_in
from chatdong.registry.models import Resident
from chatdong.testing.world import build_world

pytestmark = pytest.mark.django_db

Y2026 = dt.date(2026, 1, 1)
END = dt.date(2026, 12, 31)


@pytest.fixture
def world():
    built = build_world()
    Resident.objects.update(birth_date=dt.date(1975, 5, 17))  # out of every rule's way
    return built


def _both_ways(program):
    rule = rules.rule_validate(program.rule)
    select = rule_sql.candidate_select(program, rule, Y2026, END)
    assert select is not None
    diff = rule_sql.list_diff(program, Y2026, select)
    selected, new, stale, differing = _compare_in_python(program, Y2026, END)

    def key(c):
        return (c.resident_id or 0, c.household_id or 0)

    in_db = (diff.selected, sorted(diff.new, key=key), sorted(diff.changed), sorted(diff.stale))
    in_python = (selected, sorted(new, key=key), sorted(differing), sorted(stale))
    assert in_db == in_python
    return diff


def _target(program, **subject) -> Target:
    return Target.objects.get(program=program, period_start=Y2026, **subject)


def test_turning_age_differences(world):
    p = programs(world)["elder-planner"]
    same = resident_in(world.ban_z1, dt.date(1961, 2, 2))
    moved = resident_in(world.ban_z1, dt.date(1961, 3, 3))
    to_restore = resident_in(world.ban_z1, dt.date(1956, 4, 4))
    done = resident_in(world.ban_z1, dt.date(1961, 5, 5))
    gone = resident_in(world.ban_z1, dt.date(1961, 6, 6))
    edited = resident_in(world.ban_z2, dt.date(1961, 7, 7))
    kept_by_staff = resident_in(world.ban_z1, dt.date(1980, 1, 1))
    assert targets_extract(actor=None, program=p, period_start=Y2026).counts["added"] == 6
    Target.objects.create(
        program=p, period_start=Y2026, period_end=END, dong=world.dong_a, resident=kept_by_staff,
        household=kept_by_staff.household, reason="직원 등록", source=Target.Source.STAFF,
    )  # fmt: skip
    # A fresh list compares equal to its rule: nothing differs.
    assert _both_ways(p) == rule_sql.Diff(6, [], [], [])

    Resident.objects.filter(pk=moved.pk).update(dong=world.dong_b, ban=world.ban_b)
    Target.objects.filter(resident=to_restore).update(status=Target.Status.CANCELLED)
    Target.objects.filter(resident=done).update(status=Target.Status.DONE, reason="바뀐 사유")
    Resident.objects.filter(pk=gone.pk).update(status=Resident.Status.MOVED_OUT)
    Target.objects.filter(resident=edited).update(due_on=dt.date(2026, 6, 30), ban=None)
    born_later = resident_in(world.ban_z2, dt.date(1956, 12, 31))
    diff = _both_ways(p)
    assert diff.selected == 6
    assert [c.resident_id for c in diff.new] == [born_later.pk]
    assert diff.new[0].reason == "1956년생, 2026년 만 70세 도래"
    assert sorted(pk for pk, *_ in diff.changed) == sorted(
        _target(p, resident=r).pk for r in (moved, to_restore, edited)
    )
    assert diff.stale == [_target(p, resident=gone).pk]

    run = targets_extract(actor=None, program=p, period_start=Y2026)
    assert {k: run.counts[k] for k in ("selected", "added", "updated", "restored", "cancelled")} == {
        "selected": 6, "added": 1, "updated": 2, "restored": 1, "cancelled": 1,
    }  # fmt: skip
    assert (_target(p, resident=moved).dong_id, _target(p, resident=moved).ban_id) == (
        world.dong_b.pk,
        world.ban_b.pk,
    )
    assert _target(p, resident=to_restore).status == Target.Status.OPEN
    assert (_target(p, resident=done).status, _target(p, resident=done).reason) == (
        Target.Status.DONE,
        "바뀐 사유",
    )
    assert _target(p, resident=gone).status == Target.Status.CANCELLED
    assert (_target(p, resident=edited).due_on, _target(p, resident=edited).ban_id) == (
        dt.date(2026, 12, 31),
        world.ban_z2.pk,
    )
    assert _target(p, resident=kept_by_staff).status == Target.Status.OPEN
    assert _target(p, resident=same).status == Target.Status.OPEN
    # Applied: the list equals its rule again.
    assert _both_ways(p) == rule_sql.Diff(6, [], [], [])


def test_birth_window_differences(world):
    p = programs(world)["child"]
    baby = resident_in(world.ban_z1, dt.date(2026, 3, 5), relation="자녀")
    leaving = resident_in(world.ban_z2, dt.date(2025, 7, 1), relation="자녀")
    targets_extract(actor=None, program=p, period_start=Y2026)
    assert _both_ways(p) == rule_sql.Diff(2, [], [], [])

    twin = resident_in(world.ban_z1, dt.date(2026, 3, 5), household=baby.household, relation="자녀")
    Resident.objects.filter(pk=leaving.pk).update(status=Resident.Status.DECEASED)
    newborn = resident_in(world.ban_b, dt.date(2026, 11, 30), relation="자녀")
    diff = _both_ways(p)
    assert [c.household_id for c in diff.new] == [newborn.household_id]
    assert [c.reason for _, _, _, c in diff.changed] == ["2026-03-05 출생 아동 외 1명(생후 0~12개월) 세대"]
    assert diff.stale == [_target(p, household=leaving.household).pk]
    targets_extract(actor=None, program=p, period_start=Y2026)
    assert _target(p, household=twin.household).reason.endswith("외 1명(생후 0~12개월) 세대")
    assert _both_ways(p) == rule_sql.Diff(2, [], [], [])


def test_welfare_flag_differences(world):
    p = programs(world)["poverty"]
    a = resident_in(world.ban_z1, dt.date(1970, 1, 1), basic_livelihood=True)
    b = resident_in(world.ban_z2, dt.date(1970, 1, 1), near_poor=True)
    targets_extract(actor=None, program=p, period_start=Y2026)
    assert _both_ways(p) == rule_sql.Diff(2, [], [], [])

    resident_in(world.ban_z1, dt.date(1999, 1, 1), household=a.household, near_poor=True)
    Resident.objects.filter(pk=b.pk).update(near_poor=False)
    diff = _both_ways(p)
    assert [c.reason for _, _, _, c in diff.changed] == ["기초생활수급·차상위 세대, 2026년 연간 방문 1회"]
    assert diff.stale == [_target(p, household=b.household).pk]
    run = targets_extract(actor=None, program=p, period_start=Y2026)
    assert (run.counts["updated"], run.counts["cancelled"]) == (1, 1)
    assert _both_ways(p) == rule_sql.Diff(1, [], [], [])
