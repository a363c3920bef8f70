"""Rule edges of target extraction: birthdays at the year's ends, 29 February, the three identity-number
centuries, a year change, pregnancy windows, welfare households and due dates on holidays."""

from __future__ import annotations

import datetime as dt

import pytest

from chatdong.accounts.models import Role
from chatdong.core.errors import PermissionDenied, ValidationFailed
from chatdong.outreach.models import PregnancyRegistration, Target, TargetRun
from chatdong.outreach.rules import due_date, rule_validate
from chatdong.outreach.services import program_update, targets_extract
from chatdong.outreach.tests.factories import programs, resident_in
from chatdong.registry.models import Resident
from chatdong.testing.factories import make_rrn
from chatdong.testing.world import build_world

pytestmark = pytest.mark.django_db

Y2026 = dt.date(2026, 1, 1)


@pytest.fixture
def world():
    built = build_world()
    # The world's residents are born 1961-05-17 by default: move them out of every rule's way.
    Resident.objects.update(birth_date=dt.date(1975, 5, 17))
    return built


def _reasons(program, period=Y2026) -> dict[int, str]:
    return dict(
        Target.objects.filter(program=program, period_start=period).values_list("resident_id", "reason")
    )


def test_turning_65_and_70_includes_1_january_and_31_december(world):
    p = programs(world)["elder-planner"]
    jan1 = resident_in(world.ban_z1, dt.date(1961, 1, 1))
    dec31 = resident_in(world.ban_z1, dt.date(1961, 12, 31))
    seventy = resident_in(world.ban_z2, dt.date(1956, 6, 30))
    before = resident_in(world.ban_z1, dt.date(1960, 12, 31))
    after = resident_in(world.ban_z1, dt.date(1962, 1, 1))
    targets_extract(actor=world.users[Role.DISTRICT_STAFF], program=p, period_start=Y2026)
    reasons = _reasons(p)
    assert reasons == {
        jan1.pk: "1961년생, 2026년 만 65세 도래",
        dec31.pk: "1961년생, 2026년 만 65세 도래",
        seventy.pk: "1956년생, 2026년 만 70세 도래",
    }
    assert before.pk not in reasons and after.pk not in reasons


def test_nurse_program_labels_mandatory_and_extension(world):
    p = programs(world)["elder-nurse"]
    a = resident_in(world.ban_z1, dt.date(1961, 3, 3))
    b = resident_in(world.ban_z1, dt.date(1956, 3, 3))
    targets_extract(actor=None, program=p, period_start=Y2026)
    assert _reasons(p) == {
        a.pk: "1961년생, 2026년 만 65세 도래(필수)",
        b.pk: "1956년생, 2026년 만 70세 도래(연장)",
    }


def test_29_february_birth_turns_65_in_a_non_leap_year(world):
    p = programs(world)["elder-planner"]
    leap = resident_in(world.ban_z1, dt.date(1960, 2, 29))
    targets_extract(actor=None, program=p, period_start=dt.date(2025, 1, 1))
    assert _reasons(p, dt.date(2025, 1, 1)) == {leap.pk: "1960년생, 2025년 만 65세 도래"}


def test_29_february_birth_in_a_monthly_february_list(world):
    p = programs(world)["elder-planner"]
    program_update(actor=world.users[Role.DISTRICT_STAFF], program_id=p.pk, period="month")
    p.refresh_from_db()
    leap = resident_in(world.ban_z1, dt.date(1960, 2, 29))
    resident_in(world.ban_z1, dt.date(1960, 3, 1))
    targets_extract(actor=None, program=p, period_start=dt.date(2025, 2, 1))
    assert list(Target.objects.filter(program=p).values_list("resident_id", "period_end")) == [
        (leap.pk, dt.date(2025, 2, 28))
    ]


@pytest.mark.parametrize(
    ("birth", "sex", "digit", "ages", "year"),
    [
        (dt.date(1899, 12, 31), "M", "9", [127], 2026),
        (dt.date(1961, 7, 1), "F", "2", [65], 2026),
        (dt.date(2000, 1, 1), "M", "3", [26], 2026),
    ],
)
def test_identity_number_centuries(world, birth, sex, digit, ages, year):
    p = programs(world)["elder-planner"]
    program_update(
        actor=world.users[Role.DISTRICT_STAFF], program_id=p.pk, rule={"type": "turning_age", "ages": ages}
    )
    p.refresh_from_db()
    rrn = make_rrn(birth, sex)
    resident = resident_in(world.ban_z1, birth, sex=sex, rrn=rrn)
    targets_extract(actor=None, program=p, period_start=dt.date(year, 1, 1))
    assert rrn[6] == digit
    assert _reasons(p, dt.date(year, 1, 1)) == {
        resident.pk: f"{birth.year}년생, {year}년 만 {ages[0]}세 도래"
    }


def test_reextraction_is_stable_and_a_year_change_leaves_the_old_list(world):
    p = programs(world)["elder-planner"]
    r65 = resident_in(world.ban_z1, dt.date(1961, 5, 5))
    r65_2027 = resident_in(world.ban_z1, dt.date(1962, 5, 5))
    targets_extract(actor=None, program=p, period_start=Y2026)
    first = dict(Target.objects.filter(program=p, period_start=Y2026).values_list("resident_id", "pk"))
    run = targets_extract(actor=None, program=p, period_start=Y2026)
    assert run.counts == {
        "selected": 1,
        "added": 0,
        "updated": 0,
        "restored": 0,
        "cancelled": 0,
        "visits_cancelled": 0,
    }
    assert (
        dict(Target.objects.filter(program=p, period_start=Y2026).values_list("resident_id", "pk")) == first
    )
    before_2026 = list(
        Target.objects.filter(period_start=Y2026).values_list("pk", "reason", "status", "updated_at")
    )
    targets_extract(actor=None, program=p, period_start=dt.date(2027, 1, 1))
    assert (
        list(Target.objects.filter(period_start=Y2026).values_list("pk", "reason", "status", "updated_at"))
        == before_2026
    )
    assert _reasons(p, dt.date(2027, 1, 1)) == {r65_2027.pk: "1962년생, 2027년 만 65세 도래"}
    assert first == {r65.pk: first[r65.pk]}


def test_rule_change_cancels_people_no_longer_selected(world):
    p = programs(world)["elder-planner"]
    r70 = resident_in(world.ban_z1, dt.date(1956, 5, 5))
    targets_extract(actor=None, program=p, period_start=Y2026)
    program_update(
        actor=world.users[Role.DISTRICT_STAFF], program_id=p.pk, rule={"type": "turning_age", "ages": [65]}
    )
    p.refresh_from_db()
    run = targets_extract(actor=None, program=p, period_start=Y2026)
    target = Target.objects.get(resident=r70)
    assert (run.counts["cancelled"], target.status, target.status_note) == (
        1,
        "cancelled",
        "재추출: 규칙에 해당하지 않음",
    )
    assert list(target.changes.values_list("kind", flat=True)) == ["cancelled"]


def test_only_current_residents_of_the_district(world):
    p = programs(world)["elder-planner"]
    resident_in(world.ban_z1, dt.date(1961, 5, 5), status=Resident.Status.MOVED_OUT)
    resident_in(world.ban_x, dt.date(1961, 5, 5))  # other district
    here = resident_in(world.ban_b, dt.date(1961, 5, 5))
    targets_extract(actor=None, program=p, period_start=Y2026)
    assert list(Target.objects.filter(program=p).values_list("resident_id", "dong_id")) == [
        (here.pk, world.dong_b.pk)
    ]


def test_birth_window_household_with_due_date(world):
    p = programs(world)["child"]
    baby = resident_in(world.ban_z1, dt.date(2026, 3, 5), relation="자녀")
    twin = resident_in(world.ban_z1, dt.date(2026, 3, 5), household=baby.household, relation="자녀")
    # 12 full months old on 2026-01-01 (13 months only from 2026-01-02): in.
    older = resident_in(world.ban_z1, dt.date(2024, 12, 2), relation="자녀")
    resident_in(world.ban_z1, dt.date(2024, 12, 1), relation="자녀")  # 13 months old on 2026-01-01: out
    targets_extract(actor=None, program=p, period_start=Y2026)
    rows = dict(Target.objects.filter(program=p).values_list("household_id", "reason"))
    assert rows == {
        baby.household_id: "2026-03-05 출생 아동 외 1명(생후 0~12개월) 세대",
        older.household_id: "2024-12-02 출생 아동(생후 0~12개월) 세대",
    }
    # 2026-03-05 + 60 days = 2026-05-04 (Mon); 2026-05-05 is 어린이날.
    assert Target.objects.get(household=baby.household).due_on == dt.date(2026, 5, 4)
    assert Target.objects.get(household=twin.household).resident_id is None
    # Born before the period: 60 days from 2026-01-01 = 2026-03-02, the substitute holiday for 삼일절
    # (a Sunday) → Friday 2026-02-27.
    assert Target.objects.get(household=older.household).due_on == dt.date(2026, 2, 27)
    # The first list is written by one INSERT … SELECT; refreshing it through the general path finds
    # the same targets, reasons and due dates.
    again = targets_extract(actor=None, program=p, period_start=Y2026)
    assert (again.counts["selected"], again.counts["added"], again.counts["updated"]) == (2, 0, 0)


def test_pregnancy_window_week_20_to_6_weeks_after_birth(world):
    p = programs(world)["infant-health"]
    mother_in = resident_in(world.ban_z1, dt.date(1994, 1, 1))
    mother_late = resident_in(world.ban_z1, dt.date(1994, 1, 2))
    mother_done = resident_in(world.ban_z1, dt.date(1994, 1, 3))
    reg = PregnancyRegistration.objects.create(
        resident=mother_in,
        dong=world.dong_a,
        expected_delivery_on=dt.date(2026, 9, 14),
        registered_on=dt.date(2026, 3, 2),
    )
    # Week 20 falls after the period (EDD 2027-05-21 − 20 weeks = 2027-01-01).
    PregnancyRegistration.objects.create(
        resident=mother_late,
        dong=world.dong_a,
        expected_delivery_on=dt.date(2027, 5, 21),
        registered_on=dt.date(2026, 10, 1),
    )
    # Delivered 2025-11-10: 6 weeks after is 2025-12-22, before the period.
    PregnancyRegistration.objects.create(
        resident=mother_done,
        dong=world.dong_a,
        expected_delivery_on=dt.date(2025, 11, 20),
        registered_on=dt.date(2025, 5, 1),
        delivered_on=dt.date(2025, 11, 10),
    )
    targets_extract(actor=None, program=p, period_start=Y2026)
    target = Target.objects.get(program=p)
    assert (target.resident_id, target.pregnancy_id, target.reason) == (
        mother_in.pk,
        reg.pk,
        "출산 예정 2026-09-14, 임신 20주~출산 후 6주 등록 임산부",
    )
    # EDD + 28 = 2026-10-12 (Mon).
    assert target.due_on == dt.date(2026, 10, 12)


def test_welfare_households(world):
    p = programs(world)["poverty"]
    a = resident_in(world.ban_z1, dt.date(1970, 1, 1), basic_livelihood=True)
    resident_in(world.ban_z1, dt.date(1999, 1, 1), household=a.household, near_poor=True)
    b = resident_in(world.ban_z2, dt.date(1970, 1, 1), near_poor=True)
    targets_extract(actor=None, program=p, period_start=Y2026)
    assert dict(Target.objects.filter(program=p).values_list("household_id", "reason")) == {
        a.household_id: "기초생활수급·차상위 세대, 2026년 연간 방문 1회",
        b.household_id: "차상위 세대, 2026년 연간 방문 1회",
    }
    assert set(Target.objects.filter(program=p).values_list("due_on", flat=True)) == {dt.date(2026, 12, 31)}
    # The first list is written by one INSERT … SELECT; refreshing it through the general path finds
    # the same targets, reasons and due dates.
    again = targets_extract(actor=None, program=p, period_start=Y2026)
    assert (again.counts["selected"], again.counts["added"], again.counts["updated"]) == (2, 0, 0)


def test_due_dates_move_back_from_weekends_and_holidays():
    rule = rule_validate({"type": "pregnancy", "due": {"type": "birth_plus_days", "days": 28}})
    y = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    # 2026-09-25 is 추석 (Fri); 24,26,27 too → back to 2026-09-23 (Wed).
    assert due_date(rule, *y, dt.date(2026, 8, 28)) == dt.date(2026, 9, 23)
    # a Saturday → Friday
    assert due_date(rule, *y, dt.date(2026, 6, 6)) == dt.date(2026, 7, 3)
    # the end of 2027 is a Friday; end of 2028 is a Sunday → Friday 29 December.
    year_rule = rule_validate({"type": "turning_age", "ages": [65]})
    assert due_date(year_rule, dt.date(2028, 1, 1), dt.date(2028, 12, 31)) == dt.date(2028, 12, 29)


def test_rule_validation_messages():
    with pytest.raises(ValidationFailed) as caught:
        rule_validate({"type": "turning_age", "ages": [65, "칠십"]})
    assert caught.value.errors == {"ages": ["0~130 사이의 정수여야 합니다."]}
    with pytest.raises(ValidationFailed):
        rule_validate({"type": "nope"})


def test_extraction_denied_for_a_dong_role_changes_nothing(world):
    p = programs(world)["elder-planner"]
    resident_in(world.ban_z1, dt.date(1961, 5, 5))
    with pytest.raises(PermissionDenied):
        targets_extract(actor=world.users[Role.PLANNER_ELDER], program=p, period_start=Y2026)
    assert (Target.objects.count(), TargetRun.objects.count()) == (0, 0)


def test_reextraction_updates_changed_due_dates_and_records_new_people(world):
    p = programs(world)["elder-planner"]
    first = resident_in(world.ban_z1, dt.date(1961, 4, 4))
    targets_extract(actor=None, program=p, period_start=Y2026)
    program_update(
        actor=world.users[Role.DISTRICT_STAFF],
        program_id=p.pk,
        rule={"type": "turning_age", "ages": [65, 70], "due": {"type": "start_plus_days", "days": 180}},
    )
    p.refresh_from_db()
    second = resident_in(world.ban_z1, dt.date(1961, 8, 8))
    run = targets_extract(actor=None, program=p, period_start=Y2026)
    assert (run.counts["updated"], run.counts["added"]) == (1, 1)
    # 2026-01-01 + 180 days = 2026-06-30 (Tue).
    assert dict(Target.objects.values_list("resident_id", "due_on")) == {
        first.pk: dt.date(2026, 6, 30),
        second.pk: dt.date(2026, 6, 30),
    }
    assert list(Target.objects.get(resident=second).changes.values_list("kind", "reason")) == [
        ("added", "재추출: 1961년생, 2026년 만 65세 도래")
    ]


def test_rule_type_cannot_change_once_a_list_exists(world):
    p = programs(world)["elder-planner"]
    resident_in(world.ban_z1, dt.date(1961, 4, 4))
    targets_extract(actor=None, program=p, period_start=Y2026)
    with pytest.raises(ValidationFailed) as caught:
        program_update(
            actor=world.users[Role.DISTRICT_STAFF],
            program_id=p.pk,
            rule={"type": "welfare_flag", "flags": ["near_poor"]},
        )
    assert list(caught.value.errors) == ["rule.type"]
    p.refresh_from_db()
    assert p.rule["type"] == "turning_age"
