"""The referral lifecycle: every allowed and refused transition, due dates across holidays, bounces
(ping-pong) at the limit, overdue flagging and the notifications."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.management import call_command

from chatdong.accounts.models import Role
from chatdong.audit.models import AccessLog
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.core.models import Notification
from chatdong.referrals import selectors, services
from chatdong.referrals.models import Referral, ReferralEvent
from chatdong.testing.world import World

pytestmark = pytest.mark.django_db
Send = Callable[..., Referral]


def _status(referral: Referral) -> str:
    return Referral.objects.get(pk=referral.pk).status


def test_send_sets_due_date_in_business_days_and_logs(world: World, send: Send) -> None:
    referral = send()
    assert referral.status == Referral.Status.SENT
    assert referral.due_on == dt.date(2026, 12, 2)  # 7 business days after Monday 2026-11-23
    assert referral.client_name == "김가일"
    assert referral.client_phone == "01011110001"
    assert list(referral.events.values_list("action", "to_status")) == [("send", "sent")]
    log = AccessLog.objects.get(object_type="referral", object_id=str(referral.pk))
    assert (log.action, log.subjects) == (AccessLog.Action.CREATE, [world.r_z1.pk])


@pytest.mark.parametrize(
    ("to_kind", "urgent", "due"),
    [
        ("agency", False, dt.date(2026, 10, 7)),  # 추석 24–26 Sep, 개천절 대체휴일 5 Oct skipped
        ("staff", False, dt.date(2026, 9, 30)),
        ("health", False, dt.date(2026, 9, 30)),
        ("health", True, dt.date(2026, 9, 28)),
    ],
)
def test_due_dates_skip_chuseok(
    send: Send, fixed_today: Callable[[dt.date], None], to_kind: str, urgent: bool, due: dt.date
) -> None:
    fixed_today(dt.date(2026, 9, 23))
    assert send(to_kind, urgent=urgent).due_on == due


def test_send_refuses_wrong_receiver_and_other_dong(world: World, send: Send) -> None:
    with pytest.raises(ValidationFailed) as raised:
        send("staff", to_user=world.users[Role.AGENCY_WORKER])
    assert list(raised.value.errors) == ["to_user"]
    with pytest.raises(PermissionDenied):
        send(actor=world.planner_b)
    assert Referral.objects.count() == 0


def test_urgent_send_notifies_receivers_urgently(
    world: World, send: Send, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        referral = send("health", urgent=True, source=Referral.Source.SCREENING)
    note = Notification.objects.get()
    assert (note.user, note.urgent, note.kind) == (world.users[Role.HEALTH_MEDICAL], True, "referral_urgent")
    assert note.url == f"/referrals/{referral.pk}/"


def test_accept_then_complete_closes_the_loop(
    world: World, send: Send, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    referral = send()
    worker = world.users[Role.AGENCY_WORKER]
    services.referral_accept(actor=worker, referral=referral, note="방문 예정")
    assert _status(referral) == Referral.Status.ACCEPTED
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        services.referral_complete(
            actor=world.agency_colleague, referral=referral, result="병원 동행 3회 연계"
        )
    done = Referral.objects.get(pk=referral.pk)
    assert (done.status, done.result) == (Referral.Status.DONE, "병원 동행 3회 연계")
    assert list(done.events.values_list("action", flat=True)) == ["send", "accept", "complete"]
    note = Notification.objects.get(kind="referral_result")
    assert note.user == world.users[Role.COUNSELOR]


def test_complete_needs_a_result(world: World, send: Send) -> None:
    referral = send()
    services.referral_accept(actor=world.users[Role.AGENCY_WORKER], referral=referral)
    with pytest.raises(ValidationFailed):
        services.referral_complete(actor=world.users[Role.AGENCY_WORKER], referral=referral, result="  ")
    assert _status(referral) == Referral.Status.ACCEPTED


def test_decline_needs_reason_and_ends(world: World, send: Send) -> None:
    referral = send()
    worker = world.users[Role.AGENCY_WORKER]
    with pytest.raises(ValidationFailed):
        services.referral_decline(actor=worker, referral=referral, reason="")
    services.referral_decline(actor=worker, referral=referral, reason="대상 아님")
    assert _status(referral) == Referral.Status.DECLINED


# Refused transitions: (how the referral is brought to a state, the refused action).
def _to_accepted(world: World, referral: Referral) -> None:
    services.referral_accept(actor=world.users[Role.AGENCY_WORKER], referral=referral)


def _to_done(world: World, referral: Referral) -> None:
    _to_accepted(world, referral)
    services.referral_complete(actor=world.users[Role.AGENCY_WORKER], referral=referral, result="끝")


def _to_declined(world: World, referral: Referral) -> None:
    services.referral_decline(actor=world.users[Role.AGENCY_WORKER], referral=referral, reason="아님")


def _to_returned(world: World, referral: Referral) -> None:
    services.referral_return(actor=world.users[Role.AGENCY_WORKER], referral=referral, reason="정보 부족")


def _accept(world: World, referral: Referral) -> None:
    services.referral_accept(actor=world.users[Role.AGENCY_WORKER], referral=referral)


def _decline(world: World, referral: Referral) -> None:
    services.referral_decline(actor=world.users[Role.AGENCY_WORKER], referral=referral, reason="아님")


def _complete(world: World, referral: Referral) -> None:
    services.referral_complete(actor=world.users[Role.AGENCY_WORKER], referral=referral, result="끝")


def _return(world: World, referral: Referral) -> None:
    services.referral_return(actor=world.users[Role.AGENCY_WORKER], referral=referral, reason="반송")


def _forward(world: World, referral: Referral) -> None:
    services.referral_forward(
        actor=world.users[Role.AGENCY_WORKER], referral=referral, to_kind="health", reason="의약과 소관"
    )


@pytest.mark.parametrize(
    ("prepare", "action", "status"),
    [
        (None, _complete, "sent"),
        (_to_accepted, _accept, "accepted"),
        (_to_accepted, _decline, "accepted"),
        (_to_done, _accept, "done"),
        (_to_done, _decline, "done"),
        (_to_done, _complete, "done"),
        (_to_done, _return, "done"),
        (_to_done, _forward, "done"),
        (_to_declined, _accept, "declined"),
        (_to_declined, _complete, "declined"),
        (_to_declined, _return, "declined"),
        (_to_declined, _forward, "declined"),
        (_to_returned, _accept, "returned"),
        (_to_returned, _complete, "returned"),
        (_to_returned, _return, "returned"),
    ],
)
def test_refused_transitions_change_nothing(
    world: World,
    send: Send,
    prepare: Callable[[World, Referral], None] | None,
    action: Callable[[World, Referral], None],
    status: str,
) -> None:
    referral = send()
    if prepare is not None:
        prepare(world, referral)
    events = ReferralEvent.objects.count()
    with pytest.raises((ValidationFailed, PermissionDenied, NotFound)):
        action(world, referral)
    assert _status(referral) == status
    assert ReferralEvent.objects.count() == events


def test_returned_referral_is_invisible_to_the_agency_for_forwarding(world: World, send: Send) -> None:
    """After a return the sender's 동 re-routes it; the agency (still the to_agency) may not forward it."""
    referral = send()
    _to_returned(world, referral)
    with pytest.raises(PermissionDenied):
        _forward(world, referral)
    assert _status(referral) == Referral.Status.RETURNED


def test_only_the_receiver_acts(world: World, send: Send) -> None:
    referral = send()
    with pytest.raises(PermissionDenied):  # the sender sees it but does not answer it
        services.referral_accept(actor=world.users[Role.COUNSELOR], referral=referral)
    with pytest.raises(NotFound):  # 의약과 does not even see an agency referral
        services.referral_accept(actor=world.users[Role.HEALTH_MEDICAL], referral=referral)
    assert _status(referral) == Referral.Status.SENT


def test_forward_gives_new_receiver_and_due_date(
    world: World, send: Send, fixed_today: Callable[[dt.date], None]
) -> None:
    referral = send()
    _to_accepted(world, referral)
    fixed_today(dt.date(2026, 9, 23))
    services.referral_forward(
        actor=world.users[Role.AGENCY_WORKER],
        referral=referral,
        to_kind="staff",
        to_user=world.users[Role.PLANNER_POVERTY],
        reason="빈곤위기 사례",
    )
    moved = Referral.objects.get(pk=referral.pk)
    assert (moved.status, moved.to_kind, moved.to_user, moved.to_agency) == (
        "sent",
        "staff",
        world.users[Role.PLANNER_POVERTY],
        None,
    )
    assert moved.due_on == dt.date(2026, 9, 30)
    assert moved.bounce_count == 1
    assert moved.events.last().receiver == "빈곤위기가정 복지플래너 직원 (빈곤위기가정 복지플래너)"  # type: ignore[union-attr]
    with pytest.raises(NotFound):  # the agency no longer answers, nor sees, it
        services.referral_accept(actor=world.users[Role.AGENCY_WORKER], referral=moved)


def test_forward_to_the_same_receiver_is_refused(world: World, send: Send) -> None:
    referral = send()
    with pytest.raises(ValidationFailed):
        services.referral_forward(
            actor=world.users[Role.AGENCY_WORKER],
            referral=referral,
            to_kind="agency",
            to_agency=world.agency,
            reason="x",
        )
    assert Referral.objects.get(pk=referral.pk).bounce_count == 0


def test_sender_reroutes_a_returned_referral(world: World, send: Send) -> None:
    referral = send()
    _to_returned(world, referral)
    services.referral_forward(
        actor=world.users[Role.COUNSELOR], referral=referral, to_kind="health", reason="보건소로"
    )
    assert (_status(referral), Referral.objects.get(pk=referral.pk).bounce_count) == ("sent", 2)


def test_pingpong_flagged_once_past_the_limit(
    world: World, send: Send, settings: object, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    settings.CHATDONG_REFERRAL_BOUNCE_LIMIT = 2  # type: ignore[attr-defined]
    referral = send()
    health = world.users[Role.HEALTH_MEDICAL]
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        _forward(world, referral)  # 1
        services.referral_return(actor=health, referral=referral, reason="소관 아님")  # 2
    assert Notification.objects.filter(kind="referral_pingpong").count() == 0
    assert selectors.supervisor_queue(user=world.users[Role.SUPERVISOR], request=None) == []
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        services.referral_forward(
            actor=world.users[Role.COUNSELOR],
            referral=referral,
            to_kind="agency",
            to_agency=world.agency,
            reason="다시",
        )  # 3: over the limit
        services.referral_return(actor=world.users[Role.AGENCY_WORKER], referral=referral, reason="또")  # 4
    notes = Notification.objects.filter(kind="referral_pingpong")
    assert sorted(n.user.role for n in notes) == sorted([Role.DONG_HEAD, Role.TEAM_LEADER, Role.SUPERVISOR])
    queue = selectors.supervisor_queue(user=world.users[Role.SUPERVISOR], request=None)
    assert [(r.pk, r.is_pingpong, r.is_overdue) for r in queue] == [(referral.pk, True, False)]  # type: ignore[attr-defined]


def test_overdue_flag_and_idempotent_command(
    world: World, send: Send, fixed_today: Callable[[dt.date], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    referral = send("staff")  # due 2026-11-26 (3 business days)
    done = send("staff")
    services.referral_accept(actor=world.users[Role.PLANNER_POVERTY], referral=done)
    services.referral_complete(actor=world.users[Role.PLANNER_POVERTY], referral=done, result="처리")
    fixed_today(dt.date(2026, 11, 26))
    monkeypatch.setattr(
        "chatdong.referrals.management.commands.referrals_flag_overdue.today", lambda: dt.date(2026, 11, 26)
    )
    call_command("referrals_flag_overdue")
    assert Notification.objects.filter(kind="referral_overdue").count() == 0  # due today: not yet overdue
    fixed_today(dt.date(2026, 11, 27))
    monkeypatch.setattr(
        "chatdong.referrals.management.commands.referrals_flag_overdue.today", lambda: dt.date(2026, 11, 27)
    )
    call_command("referrals_flag_overdue")
    call_command("referrals_flag_overdue")
    notes = Notification.objects.filter(kind="referral_overdue")
    assert sorted(n.user.role for n in notes) == sorted(
        [Role.DONG_HEAD, Role.TEAM_LEADER, Role.SUPERVISOR, Role.COUNSELOR]
    )
    queue = selectors.supervisor_queue(user=world.users[Role.DONG_HEAD], request=None)
    assert [(r.pk, r.is_overdue) for r in queue] == [(referral.pk, True)]  # type: ignore[attr-defined]
