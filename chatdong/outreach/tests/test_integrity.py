"""Target's references (program, 동, 반, resident, household, assignee, pregnancy) have no database FOREIGN KEY (see
models.Target): the integrity check finds what a constraint would have refused."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from chatdong.accounts.models import User
from chatdong.outreach.models import Target
from chatdong.outreach.services import targets_extract, targets_integrity_check
from chatdong.outreach.tests.factories import programs, resident_in
from chatdong.registry.models import Resident
from chatdong.testing.world import build_world

pytestmark = pytest.mark.django_db


def test_integrity_check_is_clean_after_extraction_and_finds_a_dangling_reference():
    world = build_world()
    Resident.objects.update(birth_date=dt.date(1975, 5, 17))
    person = resident_in(world.ban_z1, dt.date(1961, 4, 4))
    targets_extract(actor=None, program=programs(world)["elder-planner"], period_start=dt.date(2026, 1, 1))
    target = Target.objects.get(resident=person)
    assert targets_integrity_check() == {}
    out = io.StringIO()
    call_command("outreach_targets", "--district", world.district.code, "--check", stdout=out)
    assert out.getvalue() == "방문 대상의 참조가 모두 맞습니다.\n"

    missing = Resident.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    Target.objects.filter(pk=target.pk).update(resident_id=missing, dong_id=missing)

    assert targets_integrity_check() == {"dong_id": [target.pk], "resident_id": [target.pk]}
    no_user = User.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    Target.objects.filter(pk=target.pk).update(assignee_id=no_user, pregnancy_id=no_user)
    assert targets_integrity_check() == {
        "dong_id": [target.pk],
        "resident_id": [target.pk],
        "assignee_id": [target.pk],
        "pregnancy_id": [target.pk],
    }
    with pytest.raises(CommandError, match="참조가 맞지 않습니다"):
        call_command("outreach_targets", "--district", world.district.code, "--check", stdout=io.StringIO())


def test_bulk_insert_keeps_reason_text_with_tabs_backslashes_and_newlines():
    """The bulk insert writes COPY's text format by hand on PostgreSQL: its escaping must be exact."""
    from chatdong.outreach import rules
    from chatdong.outreach.services import _insert_targets

    world = build_world()
    person = resident_in(world.ban_z1, dt.date(1961, 4, 4))
    program = programs(world)["elder-planner"]
    reason = "탭\t역슬래시\\N 줄바꿈\n끝\r"
    candidate = rules.Candidate(
        person.pk, person.household_id, person.dong_id, None, reason, None, visits_planned=2
    )
    _insert_targets(program, dt.date(2026, 1, 1), dt.date(2026, 12, 31), [candidate], Target.Source.RULE)

    target = Target.objects.get(resident=person, program=program)
    assert (target.reason, target.ban_id, target.due_on, target.visits_planned) == (reason, None, None, 2)
    assert (target.household_id, target.status, target.consent) == (person.household_id, "open", "unknown")
