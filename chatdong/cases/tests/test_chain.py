"""Every move of the chain, allowed and refused, from the one transitions table."""

from __future__ import annotations

import datetime as dt

import pytest

from chatdong.accounts.models import Role
from chatdong.cases import chain, services
from chatdong.cases.models import Case, CaseStepChange, CaseType, ClosureReason, ServicePlan
from chatdong.cases.tests.factories import make_case, ready_case
from chatdong.core.errors import ValidationFailed
from chatdong.core.time import today
from chatdong.testing.world import World

S = Case.Step
PAIRS = [(a, b) for a in S.values for b in S.values]


def _do(world: World, case: Case, to_step: str) -> Case:
    actor = world.users[Role.SUPERVISOR]
    if to_step == S.CLASSIFIED:
        return services.case_classify(actor=actor, case=case, case_type=case.case_type or CaseType.GENERAL)
    if to_step == S.CLOSED:
        return services.case_close(actor=actor, case=case, reason=ClosureReason.GOAL_MET)
    return services.case_advance(actor=actor, case=case, to_step=to_step)


@pytest.mark.parametrize(("from_step", "to_step"), [p for p in PAIRS if chain.allowed(*p)])
def test_allowed_transition(world: World, from_step: str, to_step: str) -> None:
    case = ready_case(
        resident=world.r_z1, actor=world.users[Role.SUPERVISOR], step=from_step, to_step=to_step
    )

    moved = _do(world, case, to_step)

    assert moved.step == to_step
    assert Case.objects.get(pk=case.pk).step == to_step
    assert list(CaseStepChange.objects.filter(case=case).values_list("from_step", "to_step")) == [
        (from_step, to_step)
    ]


@pytest.mark.parametrize(("from_step", "to_step"), [p for p in PAIRS if not chain.allowed(*p)])
def test_refused_transition(world: World, from_step: str, to_step: str) -> None:
    case = ready_case(
        resident=world.r_z1, actor=world.users[Role.SUPERVISOR], step=from_step, to_step=to_step
    )

    with pytest.raises(ValidationFailed):
        _do(world, case, to_step)

    assert Case.objects.get(pk=case.pk).step == from_step
    assert CaseStepChange.objects.filter(case=case).count() == 0


def test_table_covers_every_step() -> None:
    assert set(chain.TRANSITIONS) == set(S.values)
    assert set(chain.CHAIN_ORDER) == set(S.values)


@pytest.mark.parametrize("to_step", [S.CLASSIFIED, S.CLOSED])
def test_advance_refuses_moves_that_need_a_decision(world: World, to_step: str) -> None:
    from_step = S.MEETING if to_step == S.CLASSIFIED else S.SERVICE
    case = ready_case(
        resident=world.r_z1, actor=world.users[Role.SUPERVISOR], step=from_step, to_step=to_step
    )

    with pytest.raises(ValidationFailed) as raised:
        services.case_advance(actor=world.users[Role.SUPERVISOR], case=case, to_step=to_step)

    assert str(raised.value) == chain.DECIDED_BY[to_step]
    assert Case.objects.get(pk=case.pk).step == from_step


def test_meeting_needs_an_assessment(world: World) -> None:
    case = make_case(
        resident=world.r_z1, actor=world.users[Role.SUPERVISOR], step=S.ASSESSMENT, intake_on=today()
    )

    with pytest.raises(ValidationFailed) as raised:
        services.case_advance(actor=world.users[Role.SUPERVISOR], case=case, to_step=S.MEETING)

    assert str(raised.value) == "욕구 및 위기도 조사 결과를 먼저 기록하세요."
    assert Case.objects.get(pk=case.pk).step == S.ASSESSMENT


def test_service_needs_an_approved_plan(world: World) -> None:
    actor = world.users[Role.SUPERVISOR]
    case = ready_case(resident=world.r_z1, actor=actor, step=S.PLANNING, to_step=S.SERVICE)
    ServicePlan.objects.filter(case=case).update(approved_on=None)

    with pytest.raises(ValidationFailed) as raised:
        services.case_advance(actor=actor, case=case, to_step=S.SERVICE)

    assert str(raised.value) == "승인된 서비스 제공계획이 있어야 서비스 제공 단계로 갈 수 있습니다."


def test_linkage_case_cannot_take_the_planning_track(world: World) -> None:
    actor = world.users[Role.SUPERVISOR]
    case = ready_case(resident=world.r_z1, actor=actor, step=S.CLASSIFIED, to_step=S.LINKAGE)

    with pytest.raises(ValidationFailed) as raised:
        services.case_advance(actor=actor, case=case, to_step=S.PLANNING)

    assert str(raised.value) == "서비스 연계 사례는 '서비스 연계' 단계로 갑니다."


def test_reassessment_counts_a_cycle_and_clears_the_meeting(world: World) -> None:
    actor = world.users[Role.SUPERVISOR]
    case = ready_case(resident=world.r_z1, actor=actor, step=S.SERVICE, to_step=S.ASSESSMENT)
    Case.objects.filter(pk=case.pk).update(meeting_on=today() - dt.timedelta(days=40))

    moved = services.case_advance(actor=actor, case=case, to_step=S.ASSESSMENT, note="재사정")

    assert (moved.step, moved.cycle, moved.meeting_on) == (S.ASSESSMENT, 1, None)


def test_a_case_walks_the_whole_chain(world: World) -> None:
    """발굴 → … → 사후관리 → 관리 끝 through the services, each record at its step."""
    actor = world.users[Role.SUPERVISOR]
    case = services.case_open(
        actor=world.users[Role.COUNSELOR],
        dong=world.dong_a,
        summary="월세 3개월 체납",
        source="desk",
        resident=world.r_z1,
    )
    for step in (S.INITIAL_CONSULT, S.INTAKE, S.ASSESSMENT):
        case = services.case_advance(actor=actor, case=case, to_step=step)
    services.case_assessment_record(
        actor=actor,
        case=case,
        domains=[
            services.DomainIn("daily_living", "high", "생계비 부족"),
            services.DomainIn("housing", "medium"),
        ],
        overall_risk="high",
    )
    case = services.case_advance(actor=actor, case=case, to_step=S.MEETING)
    case = services.case_classify(
        actor=actor, case=case, case_type=CaseType.GENERAL, lead_agency=world.agency
    )
    day = today()
    plan = services.case_plan_save(
        actor=actor,
        case=case,
        goals="주거 안정",
        start_on=day,
        end_on=day + dt.timedelta(days=90),
        items=[
            services.PlanItemIn(
                "housing", "주거급여 신청", day, day + dt.timedelta(days=30), agency=world.agency
            )
        ],
    )
    case.refresh_from_db()
    assert case.step == S.PLANNING
    services.case_plan_approve(actor=actor, case=case, plan=plan)
    case.refresh_from_db()
    assert case.step == S.SERVICE
    case = services.case_close(
        actor=actor, case=case, reason=ClosureReason.GOAL_MET, follow_up_on=day + dt.timedelta(days=60)
    )
    assert (case.step, case.due_on, case.risk_level, case.lead_agency) == (
        S.FOLLOW_UP,
        day + dt.timedelta(days=60),
        "high",
        world.agency,
    )
    case = services.case_advance(actor=actor, case=case, to_step=S.ENDED)
    assert list(CaseStepChange.objects.filter(case=case).values_list("to_step", flat=True)) == [
        S.DISCOVERED,
        S.INITIAL_CONSULT,
        S.INTAKE,
        S.ASSESSMENT,
        S.MEETING,
        S.CLASSIFIED,
        S.PLANNING,
        S.SERVICE,
        S.CLOSED,
        S.FOLLOW_UP,
        S.ENDED,
    ]


@pytest.mark.parametrize(
    ("case_type", "offered"),
    [(CaseType.GENERAL, [S.PLANNING]), (CaseType.INTENSIVE, [S.PLANNING]), (CaseType.LINKAGE, [S.LINKAGE])],
)
def test_next_steps_offer_the_track_of_the_case_type(case_type: str, offered: list[str]) -> None:
    case = Case(step=S.CLASSIFIED, case_type=case_type)

    assert [s for s, _label in chain.next_steps(case)] == offered
