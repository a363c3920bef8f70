"""Deadlines of the chain: calendar days from the step's start, moved back to a business day, the
intake-to-plan cap, and the overdue flagging (once per case step)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from chatdong.accounts.models import Role
from chatdong.cases import chain, services
from chatdong.cases.models import Case
from chatdong.cases.tests.factories import make_case
from chatdong.core.models import Notification
from chatdong.core.time import today
from chatdong.testing.world import World

S = Case.Step
D = dt.date


def _case(**fields: object) -> Case:
    return Case(**({"step_since": D(2026, 9, 1)} | fields))


@pytest.mark.parametrize(
    ("fields", "due"),
    [
        # 조사: 접수 9/15 + 10 = 9/25 추석, 9/24 추석 전날 → Wed 9/23.
        ({"step": S.ASSESSMENT, "intake_on": D(2026, 9, 15)}, D(2026, 9, 23)),
        # 조사: 접수 9/1 + 10 = Fri 9/11, a business day.
        ({"step": S.ASSESSMENT, "intake_on": D(2026, 9, 1)}, D(2026, 9, 11)),
        # 구분·선정: 회의 9/21 + 5 = Sat 9/26 추석 다음날 → back over 9/25, 9/24 → 9/23.
        ({"step": S.MEETING, "intake_on": D(2026, 9, 15), "meeting_on": D(2026, 9, 21)}, D(2026, 9, 23)),
        # 사례회의 not yet held: only the intake-to-plan cap, 9/15 + 30 = Thu 10/15.
        ({"step": S.MEETING, "intake_on": D(2026, 9, 15)}, D(2026, 10, 15)),
        # 계획: 구분 9/23 + 15 = Thu 10/8.
        ({"step": S.PLANNING, "intake_on": D(2026, 9, 15), "classified_on": D(2026, 9, 23)}, D(2026, 10, 8)),
        # 계획: 구분 10/5 + 15 = 10/20, but intake 9/15 + 30 = 10/15 comes first.
        (
            {"step": S.CLASSIFIED, "intake_on": D(2026, 9, 15), "classified_on": D(2026, 10, 5)},
            D(2026, 10, 15),
        ),
        # 재사정 (cycle 1): from the step's start 10/1 + 10 = Sun 10/11, Sat 10/10, Fri 10/9 한글날 → 10/8; no cap.
        (
            {"step": S.ASSESSMENT, "intake_on": D(2026, 1, 5), "cycle": 1, "step_since": D(2026, 10, 1)},
            D(2026, 10, 8),
        ),
        # 사후관리: the follow-up date itself.
        ({"step": S.FOLLOW_UP, "follow_up_on": D(2026, 12, 24)}, D(2026, 12, 24)),
        # Steps without a deadline.
        ({"step": S.DISCOVERED}, None),
        ({"step": S.SERVICE, "intake_on": D(2026, 9, 15)}, None),
        ({"step": S.CLOSED, "intake_on": D(2026, 9, 15)}, None),
    ],
)
def test_step_due(fields: dict[str, object], due: dt.date | None) -> None:
    assert chain.step_due(_case(**fields)) == due


def test_deadlines_are_settings(settings: Any) -> None:
    settings.CHATDONG_CASE_DEADLINES = {
        "assessment": 7,
        "classification": 5,
        "planning": 15,
        "intake_to_plan": 30,
    }

    # 9/1 + 7 = Tue 9/8.
    assert chain.step_due(_case(step=S.ASSESSMENT, intake_on=D(2026, 9, 1))) == D(2026, 9, 8)


def test_entering_a_step_sets_its_due_date(world: World) -> None:
    actor = world.users[Role.SUPERVISOR]
    case = make_case(resident=world.r_z1, actor=actor, step=S.INTAKE, intake_on=today())

    case = services.case_advance(actor=actor, case=case, to_step=S.ASSESSMENT)

    assert case.due_on == chain.due_after(today(), "assessment")
    assert Case.objects.get(pk=case.pk).due_on == case.due_on


def test_overdue_flagging_notifies_the_dong_supervisor_once(world: World) -> None:
    actor = world.users[Role.PLANNER_POVERTY]
    late = make_case(
        resident=world.r_z1, actor=actor, step=S.ASSESSMENT, due_on=today() - dt.timedelta(days=1)
    )
    make_case(resident=world.r_z2, actor=actor, step=S.ASSESSMENT, due_on=today())  # due today: not late
    make_case(resident=world.r_a_free, actor=actor, step=S.CLOSED, due_on=today() - dt.timedelta(days=9))

    first = services.cases_flag_overdue()
    second = services.cases_flag_overdue()

    assert (first, second) == (1, 0)
    notes = list(Notification.objects.values_list("user__username", "kind", "url"))
    assert notes == [("u-supervisor", "case_overdue", f"/cases/{late.pk}/")]


def test_flag_overdue_command_is_idempotent(world: World) -> None:
    make_case(
        resident=world.r_z1,
        actor=world.users[Role.PLANNER_POVERTY],
        step=S.PLANNING,
        due_on=today() - dt.timedelta(days=3),
    )
    out = StringIO()

    call_command("cases_flag_overdue", stdout=out)
    call_command("cases_flag_overdue", stdout=out)

    assert out.getvalue() == "처리기한 경과 사례 1건, 새 알림 1건\n처리기한 경과 사례 1건, 새 알림 0건\n"
    assert Notification.objects.count() == 1
