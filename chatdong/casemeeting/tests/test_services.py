"""The meeting's services: agenda suggestions, each decision applied through cases.services, and the
all-or-nothing minutes."""

from __future__ import annotations

import datetime as dt

import pytest

from chatdong.accounts.models import Role, User
from chatdong.audit.models import AccessLog
from chatdong.casemeeting import selectors, services
from chatdong.casemeeting.models import AgendaItem, Attendee, Decision, Meeting
from chatdong.casemeeting.services import DecisionInput
from chatdong.casemeeting.tests.helpers import S, agency, case_at, item_on, meeting_for, plan_for
from chatdong.cases.models import Case, CaseAgency, CaseStepChange, CaseType, ClosureReason, ServicePlan
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.core.models import Notification
from chatdong.core.time import today
from chatdong.testing.world import World

pytestmark = pytest.mark.django_db


def test_mask_name() -> None:
    assert [selectors.mask_name(n) for n in ("김가일", "홍길", "남궁민수", "이")] == [
        "김*일",
        "홍*",
        "남**수",
        "이",
    ]


def test_suggestions_are_the_cases_needing_a_decision_not_yet_on_the_agenda(world: World) -> None:
    head = world.users[Role.DONG_HEAD]
    at_meeting = case_at(S.MEETING, resident=world.r_z1, actor=head)
    planning = case_at(S.PLANNING, resident=world.r_z2, actor=head, case_type=CaseType.GENERAL)
    plan_for(planning, actor=head)
    closing = case_at(
        S.SERVICE,
        resident=world.r_a_free,
        actor=head,
        closure_proposed_on=today(),
        closure_proposal="목표 달성",
    )
    plan_for(closing, actor=head, approved=True)
    case_at(S.DISCOVERED, resident=world.r_z1_child, actor=head)  # nothing to decide
    case_at(S.MEETING, resident=world.r_b, actor=world.planner_b)  # another 동
    meeting = meeting_for(head)
    on_agenda = case_at(S.MEETING, resident=world.r_z1_moved_out, actor=head)
    item_on(meeting, on_agenda, actor=head)

    suggestions = selectors.agenda_suggestions(user=head, meeting=meeting)

    assert [(s.case.pk, s.name_masked, s.reason) for s in suggestions] == [
        (at_meeting.pk, "김*일", "사례 유형·주사례관리 기관 결정"),
        (planning.pk, "김*일", "서비스 제공계획 승인"),
        (closing.pk, "김*일", "종결 제안: 목표 달성"),
    ]


def test_agenda_item_add_puts_a_case_on_the_agenda_in_order(world: World) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    first = case_at(S.MEETING, resident=world.r_z1, actor=head)
    second = case_at(S.MEETING, resident=world.r_z2, actor=head)

    services.agenda_item_add(actor=head, meeting=meeting, case=first, reason="유형 결정")
    item = services.agenda_item_add(
        actor=head, meeting=meeting, case=second, origin=AgendaItem.Origin.SUGGESTED
    )

    assert list(meeting.items.values_list("case_id", "position", "origin")) == [
        (first.pk, 1, "manual"),
        (second.pk, 2, "suggested"),
    ]
    assert item.position == 2


def test_agenda_refuses_an_ended_case_and_a_case_twice(world: World) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    closed = case_at(S.ENDED, resident=world.r_z1, actor=head)
    case = case_at(S.MEETING, resident=world.r_z2, actor=head)
    services.agenda_item_add(actor=head, meeting=meeting, case=case)

    with pytest.raises(ValidationFailed) as closed_error:
        services.agenda_item_add(actor=head, meeting=meeting, case=closed)
    with pytest.raises(ValidationFailed) as twice_error:
        services.agenda_item_add(actor=head, meeting=meeting, case=case)

    assert closed_error.value.errors == {"case": ["관리 끝 단계의 사례는 안건으로 올릴 수 없습니다."]}
    assert twice_error.value.errors == {"case": ["이미 안건에 있습니다."]}
    assert meeting.items.count() == 1


def test_another_dongs_staff_cannot_touch_the_meeting(world: World) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    case = case_at(S.MEETING, resident=world.r_z1, actor=head)

    with pytest.raises(NotFound):
        services.agenda_item_add(actor=world.planner_b, meeting=meeting, case=case)
    with pytest.raises(PermissionDenied):  # 구 사업담당 sees the meeting but does not run it
        services.agenda_item_add(actor=world.users[Role.DISTRICT_STAFF], meeting=meeting, case=case)
    assert meeting.items.count() == 0


def test_meeting_plan_adds_the_chair_and_refuses_a_second_meeting_that_day(world: World) -> None:
    head = world.users[Role.DONG_HEAD]
    day = dt.date(2026, 12, 16)

    meeting = services.meeting_plan(
        actor=world.users[Role.PLANNER_POVERTY], dong=world.dong_a, held_on=day, chair=head
    )
    with pytest.raises(ValidationFailed) as error:
        services.meeting_plan(actor=head, dong=world.dong_a, held_on=day)
    with pytest.raises(PermissionDenied):
        services.meeting_plan(actor=world.planner_b, dong=world.dong_a, held_on=dt.date(2026, 12, 17))

    assert list(meeting.attendees.values_list("side", "user_id", "organisation")) == [
        ("public", head.pk, "가동 주민센터")
    ]
    assert error.value.errors == {"held_on": ["이 날짜에 이미 회의가 있습니다."]}
    assert Meeting.objects.count() == 1


def test_attendees_public_private_and_external(world: World) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)

    services.attendee_add(actor=head, meeting=meeting, user=world.users[Role.PLANNER_POVERTY])
    services.attendee_add(actor=head, meeting=meeting, user=world.users[Role.AGENCY_WORKER])
    services.attendee_add(
        actor=head,
        meeting=meeting,
        name="박전문",
        organisation="성북구정신건강복지센터",
        title="정신건강 전문요원",
    )
    with pytest.raises(ValidationFailed) as error:
        services.attendee_add(actor=head, meeting=meeting, user=world.staff_x)

    assert list(
        meeting.attendees.order_by("id").values_list("side", "name", "organisation", "agency_id")
    ) == [
        ("public", "빈곤위기가정 복지플래너 직원", "가동 주민센터", None),
        ("private", "민간기관 사례관리자 직원", "가나종합사회복지관", world.agency.pk),
        ("private", "박전문", "성북구정신건강복지센터", None),
    ]
    assert error.value.errors == {
        "user": ["이 동 직원이나 구 안 민간기관 사례관리자만 참석자로 고를 수 있습니다."]
    }
    assert Attendee.objects.count() == 3


def _record(item: AgendaItem, actor: User, *decisions: DecisionInput, discussion: str = "논의함") -> None:
    services.agenda_item_record(actor=actor, item=item, discussion=discussion, decisions=list(decisions))


def test_classify_decision_goes_through_case_classify(
    world: World, django_capture_on_commit_callbacks
) -> None:
    head = world.users[Role.DONG_HEAD]
    other = agency(world.district, "성북노인종합복지관")
    meeting = meeting_for(head)
    case = case_at(S.MEETING, resident=world.r_z1, actor=head, worker=world.users[Role.PLANNER_POVERTY])
    item = item_on(meeting, case, actor=head)
    _record(
        item,
        head,
        DecisionInput(
            kind=Decision.Kind.CLASSIFY,
            case_type=CaseType.INTENSIVE,
            lead_agency=world.agency,
            co_agencies=(other,),
        ),
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_minutes_record(actor=head, meeting=meeting, summary="1건 결정")

    case.refresh_from_db()
    meeting.refresh_from_db()
    assert (case.step, case.case_type, case.lead_agency_id, case.meeting_on) == (
        S.CLASSIFIED,
        CaseType.INTENSIVE,
        world.agency.pk,
        meeting.held_on,
    )
    assert sorted(CaseAgency.objects.filter(case=case).values_list("agency__name", "role")) == [
        ("가나종합사회복지관", "lead"),
        ("성북노인종합복지관", "co"),
    ]
    assert (meeting.status, meeting.summary, meeting.minutes_recorded_by) == ("held", "1건 결정", head)
    assert Decision.objects.get(item=item).applied_at == meeting.minutes_recorded_at
    assert AgendaItem.objects.get(pk=item.pk).step_at_meeting == S.MEETING
    assert list(Notification.objects.values_list("user_id", "kind", "url")) == [
        (world.users[Role.PLANNER_POVERTY].pk, "case_meeting_decision", f"/case-meetings/{meeting.pk}/")
    ]


def test_classify_of_an_assessed_case_passes_through_the_meeting_step(world: World) -> None:
    head = world.users[Role.TEAM_LEADER]
    meeting = meeting_for(head)
    case = case_at(S.ASSESSMENT, resident=world.r_z1, actor=head)
    item = item_on(meeting, case, actor=head)
    _record(item, head, DecisionInput(kind=Decision.Kind.CLASSIFY, case_type=CaseType.LINKAGE))

    services.meeting_minutes_record(actor=head, meeting=meeting)

    assert list(CaseStepChange.objects.filter(case=case).values_list("from_step", "to_step")) == [
        (S.ASSESSMENT, S.MEETING),
        (S.MEETING, S.CLASSIFIED),
    ]


def test_plan_approval_goes_through_case_plan_approve(world: World) -> None:
    head = world.users[Role.SUPERVISOR]
    meeting = meeting_for(head)
    case = case_at(S.PLANNING, resident=world.r_z1, actor=head, case_type=CaseType.GENERAL)
    plan = plan_for(case, actor=head)
    item = item_on(meeting, case, actor=head)
    _record(item, head, DecisionInput(kind=Decision.Kind.PLAN_APPROVE, plan=plan))

    services.meeting_minutes_record(actor=head, meeting=meeting)

    plan.refresh_from_db()
    case.refresh_from_db()
    assert (plan.approved_on, plan.approved_by, case.step) == (today(), head, S.SERVICE)


def test_closure_goes_through_case_close(world: World) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    case = case_at(S.SERVICE, resident=world.r_z1, actor=head, case_type=CaseType.GENERAL)
    item = item_on(meeting, case, actor=head)
    follow_up = today() + dt.timedelta(days=60)
    _record(
        item,
        head,
        DecisionInput(kind=Decision.Kind.CLOSE, close_reason=ClosureReason.GOAL_MET, follow_up_on=follow_up),
    )

    services.meeting_minutes_record(actor=head, meeting=meeting)

    case.refresh_from_db()
    assert (case.step, case.closure_reason, case.closed_on, case.follow_up_on) == (
        S.FOLLOW_UP,
        ClosureReason.GOAL_MET,
        today(),
        follow_up,
    )


def test_one_refused_transition_applies_nothing_and_names_the_item(world: World) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    good = case_at(S.MEETING, resident=world.r_z1, actor=head)
    early = case_at(S.INTAKE, resident=world.r_z2, actor=head)  # not yet assessed: cannot be classified
    planning = case_at(S.PLANNING, resident=world.r_a_free, actor=head, case_type=CaseType.GENERAL)
    plan = plan_for(planning, actor=head)
    good_item = item_on(meeting, good, actor=head, position=1)
    bad_item = item_on(meeting, early, actor=head, position=2)
    plan_item = item_on(meeting, planning, actor=head, position=3)
    _record(
        good_item,
        head,
        DecisionInput(kind=Decision.Kind.CLASSIFY, case_type=CaseType.GENERAL, lead_agency=world.agency),
    )
    _record(bad_item, head, DecisionInput(kind=Decision.Kind.CLASSIFY, case_type=CaseType.GENERAL))
    _record(plan_item, head, DecisionInput(kind=Decision.Kind.PLAN_APPROVE, plan=plan))
    changes = CaseStepChange.objects.count()
    logs = AccessLog.objects.count()

    with pytest.raises(ValidationFailed) as error:
        services.meeting_minutes_record(actor=head, meeting=meeting)

    assert error.value.errors == {
        f"item-{bad_item.pk}": [
            f"2번 안건(사례 {early.pk}) 대상자 구분·주사례관리 기관: '접수' 단계의 사례는 구분·선정할 수 "
            "없습니다. 사례회의 단계여야 합니다. (사례회의 단계가 아닙니다.)"
        ]
    }
    assert list(Case.objects.order_by("pk").values_list("step", "case_type", "lead_agency_id")) == [
        (S.MEETING, "", None),
        (S.INTAKE, "", None),
        (S.PLANNING, CaseType.GENERAL, None),
    ]
    assert ServicePlan.objects.get(pk=plan.pk).approved_on is None
    assert CaseAgency.objects.count() == 0
    assert CaseStepChange.objects.count() == changes
    assert AccessLog.objects.count() == logs
    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes_recorded_at) == ("planned", None)
    assert Decision.objects.filter(applied_at__isnull=False).count() == 0


def test_minutes_need_a_decision_role_and_a_past_meeting_day(world: World) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    future = meeting_for(head, held_on=today() + dt.timedelta(days=3))
    for m in (meeting, future):
        item = item_on(m, case_at(S.MEETING, resident=world.r_z1, actor=head), actor=head)
        _record(item, head, DecisionInput(kind=Decision.Kind.CLASSIFY, case_type=CaseType.GENERAL))

    with pytest.raises(PermissionDenied):
        services.meeting_minutes_record(actor=world.users[Role.PLANNER_ELDER], meeting=meeting)
    with pytest.raises(ValidationFailed) as error:
        services.meeting_minutes_record(actor=head, meeting=future)

    assert str(error.value) == "회의일이 지나야 회의록을 기록할 수 있습니다."
    assert list(Meeting.objects.values_list("status", flat=True)) == ["planned", "planned"]
    assert Case.objects.filter(step=S.CLASSIFIED).count() == 0


def test_a_recorded_meeting_is_locked_and_can_be_closed(world: World) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    case = case_at(S.MEETING, resident=world.r_z1, actor=head)
    item = item_on(meeting, case, actor=head)
    _record(item, head, DecisionInput(kind=Decision.Kind.CLASSIFY, case_type=CaseType.GENERAL))
    services.meeting_minutes_record(actor=head, meeting=meeting)
    meeting.refresh_from_db()

    with pytest.raises(ValidationFailed):
        services.agenda_item_record(actor=head, item=item, discussion="고침", decisions=[])
    closed = services.meeting_close(actor=head, meeting=meeting)

    assert closed.status == "closed"
    assert AgendaItem.objects.get(pk=item.pk).discussion == "논의함"


def test_decision_validation(world: World) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    case = case_at(S.PLANNING, resident=world.r_z1, actor=head)
    other_case = case_at(S.PLANNING, resident=world.r_z2, actor=head)
    item = item_on(meeting, case, actor=head)
    foreign = agency(world.other_district, "종로복지관")

    with pytest.raises(ValidationFailed) as error:
        services.agenda_item_record(
            actor=head,
            item=item,
            discussion="",
            decisions=[
                DecisionInput(kind=Decision.Kind.CLASSIFY, case_type="nope", lead_agency=foreign),
                DecisionInput(kind=Decision.Kind.PLAN_APPROVE, plan=plan_for(other_case, actor=head)),
                DecisionInput(kind=Decision.Kind.CLOSE, close_reason=ClosureReason.OTHER),
            ],
        )

    assert error.value.errors == {
        "case_type": ["대상자 구분을 고르세요."],
        "lead_agency": ["구 안의 기관만 고를 수 있습니다."],
        "plan": ["승인할 서비스 제공계획을 고르세요."],
        "note": ["기타 종결 사유를 결정 메모에 적으세요."],
    }
    assert Decision.objects.count() == 0


def test_default_date_keeps_the_dongs_usual_week(world: World) -> None:
    head = world.users[Role.DONG_HEAD]
    # No meeting yet: 3rd Wednesday; Nov 2026's (the 18th) is past on the 20th → December's 16th.
    assert selectors.default_meeting_date(dong=world.dong_a, today=dt.date(2026, 11, 20)) == dt.date(
        2026, 12, 16
    )
    assert selectors.default_meeting_date(dong=world.dong_a, today=dt.date(2026, 11, 2)) == dt.date(
        2026, 11, 18
    )
    # Last meeting on the 4th Thursday (2026-11-26): next is the 4th Thursday of December (24th).
    meeting_for(head, held_on=dt.date(2026, 11, 26))
    assert selectors.default_meeting_date(dong=world.dong_a, today=dt.date(2026, 11, 27)) == dt.date(
        2026, 12, 24
    )
    # 동 B met on the 4th Thursday of August; September's (the 24th) is 추석 전날 → next business day.
    meeting_for(world.planner_b, held_on=dt.date(2026, 8, 27))
    assert selectors.default_meeting_date(dong=world.dong_b, today=dt.date(2026, 9, 1)) == dt.date(
        2026, 9, 28
    )
