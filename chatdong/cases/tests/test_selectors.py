"""The case-meeting agenda: cases that need a decision of the 동."""

from __future__ import annotations

import datetime as dt

from chatdong.accounts.models import Role
from chatdong.cases import selectors
from chatdong.cases.models import Case, ServicePlan
from chatdong.cases.tests.factories import make_case, ready_case
from chatdong.core.time import today
from chatdong.testing.world import World

S = Case.Step


def test_cases_needing_decision(world: World) -> None:
    supervisor = world.users[Role.SUPERVISOR]
    at_meeting = make_case(resident=world.r_z1, actor=supervisor, step=S.MEETING)
    waiting = ready_case(resident=world.r_z2, actor=supervisor, step=S.PLANNING, to_step=S.SERVICE)
    ServicePlan.objects.filter(case=waiting).update(approved_on=None)
    proposed = make_case(
        resident=world.r_a_free,
        actor=supervisor,
        step=S.SERVICE,
        closure_proposed_on=today(),
        closure_proposal="목표 달성",
    )
    late = make_case(
        resident=world.r_z1_child, actor=supervisor, step=S.ASSESSMENT, due_on=today() - dt.timedelta(days=1)
    )
    make_case(resident=world.r_z1, actor=supervisor, step=S.SERVICE)  # nothing to decide
    make_case(resident=world.r_b, actor=world.planner_b, step=S.MEETING)  # another 동

    items = selectors.cases_needing_decision(user=supervisor, dong=world.dong_a)

    assert {i.case.pk: i.kinds for i in items} == {
        at_meeting.pk: ["meeting"],
        waiting.pk: ["plan"],
        proposed.pk: ["closure"],
        late.pk: ["overdue"],
    }
    assert [i.reasons for i in items if i.case.pk == proposed.pk] == [["종결 제안: 목표 달성"]]


def test_cases_needing_decision_is_scoped_to_the_user(world: World) -> None:
    make_case(resident=world.r_z1, actor=world.users[Role.SUPERVISOR], step=S.MEETING)

    assert selectors.cases_needing_decision(user=world.planner_b, dong=world.dong_a) == []
