"""Consent, assignment (zone, balance, joint visits), list imports, staff additions and advance notices."""

from __future__ import annotations

import datetime as dt

import pytest

from chatdong.accounts.models import Role
from chatdong.audit.models import AccessLog
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.outreach import selectors
from chatdong.outreach.models import Notice, OutboxMessage, Target, TargetConsent
from chatdong.outreach.services import (
    notice_send,
    notices_dispatch,
    target_add,
    target_assign,
    target_consent_record,
    targets_assign_auto,
    targets_extract,
    targets_list_import,
)
from chatdong.outreach.tests.factories import programs, resident_in
from chatdong.registry.models import Resident
from chatdong.testing.factories import make_rrn
from chatdong.testing.world import build_world, staff_member
from chatdong.visits.models import Visit

pytestmark = pytest.mark.django_db

Y2026 = dt.date(2026, 1, 1)


@pytest.fixture
def world():
    built = build_world()
    Resident.objects.update(birth_date=dt.date(1975, 5, 17))
    return built


@pytest.fixture
def elder(world):
    p = programs(world)["elder-planner"]
    person = resident_in(world.ban_z1, dt.date(1961, 4, 4), phone="01099998888")
    targets_extract(actor=None, program=p, period_start=Y2026)
    return Target.objects.get(resident=person)


def test_consent_given_then_withdrawn_leaves_the_work_list_but_is_counted(world, elder):
    planner = world.users[Role.PLANNER_ELDER]
    Visit.objects.create(target=elder, dong=world.dong_a, resident=elder.resident, staff=planner)
    target_consent_record(
        actor=planner, target_id=elder.pk, state="given", on=dt.date(2026, 2, 1), channel="phone"
    )
    target_consent_record(
        actor=planner, target_id=elder.pk, state="withdrawn", on=dt.date(2026, 3, 1), channel="visit"
    )
    elder.refresh_from_db()
    assert (elder.consent, elder.consent_on) == ("withdrawn", dt.date(2026, 3, 1))
    assert list(TargetConsent.objects.values_list("state", flat=True)) == ["withdrawn", "given"]
    assert Visit.objects.get().outcome == "cancelled"
    work = selectors.targets_for_list(planner, elder.program, Y2026, selectors.Filters())
    assert list(work) == []
    scope = Target.objects.filter(program=elder.program)
    counts = selectors.consent_counts(scope)
    assert (counts["open"], counts["work"], counts["withdrawn"], counts["given"]) == (1, 0, 1, 0)


def test_withdrawal_without_consent_is_refused(world, elder):
    with pytest.raises(ValidationFailed) as caught:
        target_consent_record(
            actor=world.users[Role.PLANNER_ELDER],
            target_id=elder.pk,
            state="withdrawn",
            on=Y2026,
            channel="phone",
        )
    assert caught.value.errors == {"state": ["동의한 적이 없어 철회할 수 없습니다. 거부를 고르세요."]}
    assert TargetConsent.objects.count() == 0


def test_consent_denied_for_a_read_only_role_and_out_of_scope(world, elder):
    logs = AccessLog.objects.count()
    with pytest.raises(PermissionDenied):
        target_consent_record(
            actor=world.users[Role.FRONT_DESK], target_id=elder.pk, state="given", on=Y2026, channel="phone"
        )
    with pytest.raises(NotFound):
        target_consent_record(
            actor=world.planner_b, target_id=elder.pk, state="given", on=Y2026, channel="phone"
        )
    assert (TargetConsent.objects.count(), AccessLog.objects.count()) == (0, logs)


def test_auto_assignment_by_zone_officer_then_balanced_by_workload(world):
    p = programs(world)["elder-planner"]
    # The zone Z1 officer is a planner of this program; Z2's officer is an ordinary officer.
    z1_planner = world.users[Role.PLANNER_ELDER]
    world.zone_z1.officer = z1_planner
    world.zone_z1.save()
    second = staff_member(username="p2", full_name="둘째 플래너", role=Role.PLANNER_ELDER, dong=world.dong_a)
    in_z1 = [resident_in(world.ban_z1, dt.date(1961, 1, n)) for n in (1, 2)]
    elsewhere = [resident_in(world.ban_z2, dt.date(1961, 2, n)) for n in (1, 2, 3)]
    targets_extract(actor=None, program=p, period_start=Y2026)
    result = targets_assign_auto(
        actor=world.users[Role.TEAM_LEADER], program=p, period_start=Y2026, dong=world.dong_a
    )
    assert result == {"by_zone": 2, "balanced": 3, "unassigned": 0}
    assignees = dict(Target.objects.values_list("resident_id", "assignee_id"))
    assert [assignees[r.pk] for r in in_z1] == [z1_planner.pk, z1_planner.pk]
    # z1_planner already carries 2 → the other planner takes the first two, then they alternate.
    assert sorted(assignees[r.pk] for r in elsewhere) == sorted([second.pk, second.pk, z1_planner.pk])


def test_joint_assignment_and_invalid_assignee(world, elder):
    leader = world.users[Role.TEAM_LEADER]
    planner = world.users[Role.PLANNER_ELDER]
    nurse = world.users[Role.VISITING_NURSE]
    target_assign(actor=leader, target_id=elder.pk, assignee_id=planner.pk, co_assignee_id=nurse.pk)
    elder.refresh_from_db()
    assert (elder.assignee_id, elder.co_assignee_id) == (planner.pk, nurse.pk)
    assert list(elder.changes.values_list("kind", "reason")) == [
        ("assigned", f"배정: {planner.full_name} + {nurse.full_name}")
    ]
    with pytest.raises(ValidationFailed) as caught:
        target_assign(actor=leader, target_id=elder.pk, assignee_id=world.planner_b.pk)
    assert list(caught.value.errors) == ["assignee"]
    with pytest.raises(PermissionDenied):
        target_assign(actor=planner, target_id=elder.pk, assignee_id=planner.pk)
    elder.refresh_from_db()
    assert (elder.assignee_id, elder.co_assignee_id) == (planner.pk, nurse.pk)


def test_staff_load(world, elder, monkeypatch):
    monkeypatch.setattr("chatdong.outreach.selectors.today", lambda: dt.date(2027, 1, 5))
    planner = world.users[Role.PLANNER_ELDER]
    Target.objects.filter(pk=elder.pk).update(assignee=planner, co_assignee=world.users[Role.VISITING_NURSE])
    rows = {
        r.user.pk: (r.open, r.due_this_month, r.overdue, r.co_open)
        for r in selectors.staff_load(world.users[Role.DONG_HEAD], world.dong_a)
    }
    assert rows[planner.pk] == (1, 0, 1, 0)
    assert rows[world.users[Role.VISITING_NURSE].pk] == (0, 0, 0, 1)
    with pytest.raises(PermissionDenied):
        selectors.staff_load(planner, world.dong_a)
    with pytest.raises(NotFound):
        selectors.staff_load(world.users[Role.DONG_HEAD], world.dong_b)


def test_list_import_is_all_or_nothing_with_row_errors(world):
    p = programs(world)["youth"]
    teen = resident_in(world.ban_z1, dt.date(2010, 3, 3), rrn=make_rrn(dt.date(2010, 3, 3), "M"), sex="M")
    other_rrn = make_rrn(dt.date(2011, 1, 1))
    resident_in(world.ban_x, dt.date(2011, 1, 1), rrn=other_rrn)
    rrn = make_rrn(dt.date(2010, 3, 3), "M")  # a fresh number: nobody has it
    planner = world.users[Role.PLANNER_YOUTH]
    bad = f"주민등록번호,사유\n{rrn},학교 밖 청소년\n{other_rrn},위기 청소년\n991301-1000000,\n".encode()
    with pytest.raises(ValidationFailed) as caught:
        targets_list_import(actor=planner, program=p, period_start=Y2026, content=bad)
    assert caught.value.errors == {
        "2행": ["주민등록번호에 해당하는 주민이 담당 범위에 없습니다."],
        "3행": ["주민등록번호에 해당하는 주민이 담당 범위에 없습니다."],
        "4행": [
            "주민등록번호 형식 오류: 주민등록번호 앞자리 '991301'는 없는 생년월일입니다",
            "사유를 적어 주세요.",
        ],
    }
    assert Target.objects.count() == 0
    from chatdong.core.rrn import decrypt_rrn

    good = f"주민등록번호,사유\n{decrypt_rrn(bytes(teen.rrn_encrypted))},학교 밖 청소년\n".encode("cp949")
    run = targets_list_import(actor=planner, program=p, period_start=Y2026, content=good)
    assert run.counts == {"rows": 1, "added": 1, "restored": 0, "unchanged": 0}
    target = Target.objects.get()
    assert (target.resident_id, target.source, target.reason) == (teen.pk, "list", "학교 밖 청소년")


def test_staff_add_hidden_household(world):
    p = programs(world)["poverty"]
    person = resident_in(world.ban_z2, dt.date(1980, 1, 1))
    target = target_add(
        actor=world.users[Role.PLANNER_POVERTY],
        program=p,
        period_start=Y2026,
        resident=person,
        reason="단전 위기 발굴",
    )
    assert (target.household_id, target.resident_id, target.source, target.due_on) == (
        person.household_id,
        None,
        "staff",
        dt.date(2026, 12, 31),
    )
    with pytest.raises(ValidationFailed):
        target_add(
            actor=world.users[Role.PLANNER_POVERTY],
            program=p,
            period_start=Y2026,
            resident=person,
            reason="다시",
        )
    with pytest.raises(NotFound):
        target_add(actor=world.planner_b, program=p, period_start=Y2026, resident=person, reason="범위 밖")
    assert Target.objects.count() == 1


def test_notice_is_sent_once_to_the_outbox(world, elder, django_capture_on_commit_callbacks):
    planner = world.users[Role.PLANNER_ELDER]
    Target.objects.filter(pk=elder.pk).update(assignee=planner)
    planner.phone = "02-2241-1234"
    planner.save()
    template = elder.program.district.message_templates.get(code="visit-notice")
    visit_on = dt.date(2099, 12, 3)  # a Thursday
    with django_capture_on_commit_callbacks(execute=True):
        notice = notice_send(actor=planner, target_id=elder.pk, template_id=template.pk, visit_on=visit_on)
    with django_capture_on_commit_callbacks(execute=True):
        again = notice_send(actor=planner, target_id=elder.pk, template_id=template.pk, visit_on=visit_on)
    assert again.pk == notice.pk
    assert notices_dispatch(notice_ids=[notice.pk]) == 0
    message = OutboxMessage.objects.get()
    assert message.phone == "01099998888"
    assert message.body == (
        f"[가동 주민센터] {elder.resident.name}님, 어르신 복지플래너 방문을 12월 3일(목)에 드리려 합니다. "
        f"담당 {planner.full_name}(02-2241-1234). 일정이 어려우시면 연락 주세요."
    )
    assert Notice.objects.get().status == "sent"


def test_notice_refused_target_and_failing_backend(
    world, elder, settings, django_capture_on_commit_callbacks
):
    planner = world.users[Role.PLANNER_ELDER]
    template = elder.program.district.message_templates.get(code="visit-notice")
    settings.CHATDONG_SMS_BACKEND = "chatdong.outreach.sms.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        notice_send(actor=planner, target_id=elder.pk, template_id=template.pk, visit_on=dt.date(2099, 1, 5))
    assert (Notice.objects.get().status, OutboxMessage.objects.count()) == ("failed", 0)
    target_consent_record(
        actor=planner, target_id=elder.pk, state="refused", on=dt.date(2026, 1, 2), channel="phone"
    )
    with pytest.raises(ValidationFailed):
        notice_send(actor=planner, target_id=elder.pk, template_id=template.pk, visit_on=dt.date(2099, 1, 6))
    assert Notice.objects.count() == 1
