"""Target's bulk references (program, 동, 반, resident, household) have no database FOREIGN KEY (see
models.Target): the integrity check finds what a constraint would have refused."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

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
    with pytest.raises(CommandError, match="참조가 맞지 않습니다"):
        call_command("outreach_targets", "--district", world.district.code, "--check", stdout=io.StringIO())
