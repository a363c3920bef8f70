"""The list follows the registry: births and move-ins add targets, move-outs and deaths cancel open
targets and their planned visits, with the change shown."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from chatdong.accounts.models import Role
from chatdong.outreach.models import Target, TargetChange, TargetRun
from chatdong.outreach.services import targets_extract, targets_follow_registry
from chatdong.outreach.tests.factories import programs, resident_in
from chatdong.registry.models import ImportBatch, Resident, ResidentChange
from chatdong.testing.world import build_world
from chatdong.visits.models import Visit

pytestmark = pytest.mark.django_db

Y2026 = dt.date(2026, 1, 1)


@pytest.fixture
def world(settings):
    built = build_world()
    Resident.objects.update(birth_date=dt.date(1975, 5, 17))
    return built


@pytest.fixture
def today_2026(monkeypatch):
    monkeypatch.setattr("chatdong.outreach.services.today", lambda: dt.date(2026, 6, 15))


def _batch(*changes: tuple[Resident, str]) -> ImportBatch:
    batch = ImportBatch.objects.create(
        filename="x.csv", status=ImportBatch.Status.SUCCEEDED, finished_at=timezone.now()
    )
    for resident, kind in changes:
        ResidentChange.objects.create(resident=resident, batch=batch, kind=kind)
    return batch


def _leave(resident: Resident, status: str, on: dt.date) -> None:
    Resident.objects.filter(pk=resident.pk).update(status=status, status_changed_on=on)


def test_move_out_in_the_middle_of_the_year_cancels_the_target_and_its_planned_visits(world, today_2026):
    p = programs(world)["elder-planner"]
    person = resident_in(world.ban_z1, dt.date(1961, 4, 4))
    targets_extract(actor=None, program=p, period_start=Y2026)
    target = Target.objects.get(resident=person)
    planner = world.users[Role.PLANNER_ELDER]
    planned = Visit.objects.create(target=target, dong=world.dong_a, resident=person, staff=planner)
    made = Visit.objects.create(
        target=target, dong=world.dong_a, resident=person, staff=planner, outcome="absent"
    )
    _leave(person, Resident.Status.MOVED_OUT, dt.date(2026, 6, 10))
    [run] = targets_follow_registry(batch=_batch((person, ResidentChange.Kind.MOVED_OUT)))
    target.refresh_from_db()
    assert (target.status, target.status_note, target.status_changed_on) == (
        "cancelled",
        "전출(2026-06-10)",
        dt.date(2026, 6, 15),
    )
    assert Visit.objects.get(pk=planned.pk).outcome == "cancelled"
    assert Visit.objects.get(pk=made.pk).outcome == "absent"
    assert list(
        TargetChange.objects.filter(run=run).values_list("target_id", "kind", "reason", "visits_cancelled")
    ) == [(target.pk, "cancelled", "전출(2026-06-10)", 1)]
    assert run.counts == {"added": 0, "restored": 0, "cancelled": 1, "updated": 0, "visits_cancelled": 1}


def test_death_with_open_visits_cancels_in_every_program(world, today_2026):
    progs = programs(world)
    person = resident_in(world.ban_z1, dt.date(1956, 8, 8))
    for code in ("elder-planner", "elder-nurse"):
        targets_extract(actor=None, program=progs[code], period_start=Y2026)
    for code, role in (("elder-nurse", Role.VISITING_NURSE), ("elder-planner", Role.PLANNER_ELDER)):
        target = Target.objects.get(program=progs[code], resident=person)
        Visit.objects.create(target=target, dong=world.dong_a, resident=person, staff=world.users[role])
    _leave(person, Resident.Status.DECEASED, dt.date(2026, 6, 1))
    [run] = targets_follow_registry(batch=_batch((person, ResidentChange.Kind.DECEASED)))
    assert sorted(Target.objects.filter(resident=person).values_list("status", "status_note")) == [
        ("cancelled", "사망(2026-06-01)"),
        ("cancelled", "사망(2026-06-01)"),
    ]
    assert list(Visit.objects.values_list("outcome", flat=True)) == ["cancelled", "cancelled"]
    assert run.counts["visits_cancelled"] == 2


def test_birth_adds_a_household_target_and_move_in_adds_a_person(world, today_2026):
    progs = programs(world)
    for code in ("child", "elder-planner"):
        targets_extract(actor=None, program=progs[code], period_start=Y2026)
    baby = resident_in(world.ban_z2, dt.date(2026, 6, 1), relation="자녀")
    newcomer = resident_in(world.ban_b, dt.date(1961, 9, 9))
    [run] = targets_follow_registry(
        batch=_batch((baby, ResidentChange.Kind.BORN), (newcomer, ResidentChange.Kind.MOVED_IN))
    )
    child = Target.objects.get(program=progs["child"], household=baby.household)
    elder = Target.objects.get(program=progs["elder-planner"], resident=newcomer)
    assert (child.resident_id, child.dong_id, child.due_on) == (None, world.dong_a.pk, dt.date(2026, 7, 31))
    assert (elder.dong_id, elder.ban_id, elder.source) == (world.dong_b.pk, world.ban_b.pk, "rule")
    assert sorted(TargetChange.objects.filter(run=run).values_list("kind", "reason")) == [
        ("added", "전입: 1961년생, 2026년 만 65세 도래"),
        ("added", "출생: 2026-06-01 출생 아동(생후 0~12개월) 세대"),
    ]


def test_follow_runs_once_per_batch_and_on_demand_takes_the_rest(world, today_2026):
    p = programs(world)["elder-planner"]
    targets_extract(actor=None, program=p, period_start=Y2026)
    first = _batch((resident_in(world.ban_z1, dt.date(1961, 1, 1)), ResidentChange.Kind.MOVED_IN))
    second = _batch((resident_in(world.ban_z1, dt.date(1961, 2, 2)), ResidentChange.Kind.MOVED_IN))
    assert len(targets_follow_registry(batch=first)) == 1
    assert targets_follow_registry(batch=first) == []
    runs = targets_follow_registry()
    assert [r.batch_id for r in runs] == [second.pk]
    assert Target.objects.filter(program=p).count() == 2
    assert TargetRun.objects.filter(kind="follow").count() == 2


def test_return_restores_a_cancelled_target(world, today_2026):
    p = programs(world)["elder-planner"]
    person = resident_in(world.ban_z1, dt.date(1961, 4, 4))
    targets_extract(actor=None, program=p, period_start=Y2026)
    _leave(person, Resident.Status.MOVED_OUT, dt.date(2026, 3, 1))
    targets_follow_registry(batch=_batch((person, ResidentChange.Kind.MOVED_OUT)))
    _leave(person, Resident.Status.RESIDENT, dt.date(2026, 5, 1))
    [run] = targets_follow_registry(batch=_batch((person, ResidentChange.Kind.RETURNED)))
    target = Target.objects.get(resident=person)
    assert (target.status, run.counts["restored"]) == ("open", 1)
    assert list(target.changes.values_list("kind", flat=True)) == ["restored", "cancelled"]


def test_move_to_another_dong_updates_the_target_and_frees_the_assignee(world, today_2026):
    p = programs(world)["elder-planner"]
    person = resident_in(world.ban_z1, dt.date(1961, 4, 4))
    targets_extract(actor=None, program=p, period_start=Y2026)
    Target.objects.filter(resident=person).update(assignee=world.users[Role.PLANNER_ELDER])
    Resident.objects.filter(pk=person.pk).update(dong=world.dong_b, ban=world.ban_b)
    targets_follow_registry(batch=_batch((person, ResidentChange.Kind.MOVED)))
    target = Target.objects.get(resident=person)
    assert (target.dong_id, target.ban_id, target.assignee_id, target.status) == (
        world.dong_b.pk,
        world.ban_b.pk,
        None,
        "open",
    )


def test_household_target_is_cancelled_when_the_welfare_member_leaves(world, today_2026):
    p = programs(world)["poverty"]
    head = resident_in(world.ban_z1, dt.date(1970, 1, 1), basic_livelihood=True)
    resident_in(world.ban_z1, dt.date(2001, 1, 1), household=head.household)
    targets_extract(actor=None, program=p, period_start=Y2026)
    _leave(head, Resident.Status.DECEASED, dt.date(2026, 6, 2))
    targets_follow_registry(batch=_batch((head, ResidentChange.Kind.DECEASED)))
    target = Target.objects.get(household=head.household)
    assert (target.status, target.status_note) == ("cancelled", "세대원 사망으로 대상 아님")


def test_no_list_for_the_period_means_nothing_is_added(world, today_2026):
    programs(world)
    newcomer = resident_in(world.ban_b, dt.date(1961, 9, 9))
    [run] = targets_follow_registry(batch=_batch((newcomer, ResidentChange.Kind.MOVED_IN)))
    assert (Target.objects.count(), run.counts["added"]) == (0, 0)
