"""Every write to referrals. One path per state change: permission, validation, write and access log in
one transaction; notifications after commit (idempotent through their dedupe keys).

The lifecycle (anything else raises ValidationFailed):

    sent ──accept──▶ accepted ──complete──▶ done
     │  ──decline──▶ declined                 │
     │  ──return───▶ returned ◀──return───────┤ (accepted)
     └──forward──▶ sent (new receiver) ◀──forward── accepted / returned (by the sender's 동)

Return and forward count a bounce; more than CHATDONG_REFERRAL_BOUNCE_LIMIT bounces flag the referral to
the 동's supervisors (the seed's "ping-pong").

A private agency brings a case in with a 민간기관 발굴 의뢰 (referral_agency_finding): a referral to the
동's poverty-crisis planner, who matches the person against the registry and registers the case
(referral_open_case: case opened, referral accepted and done, in one transaction)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from chatdong.accounts.access import DONG_ROLES
from chatdong.accounts.models import Agency, Dong, Role, User
from chatdong.audit.models import AccessLog
from chatdong.audit.services import access_log_record
from chatdong.core.calendar import add_business_days
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.core.needs import NeedCategory
from chatdong.core.notify import notification_send
from chatdong.core.time import today
from chatdong.referrals import access
from chatdong.referrals.models import DeskConsultation, DeskNeed, Referral, ReferralEvent
from chatdong.registry.models import Household, Resident

if TYPE_CHECKING:
    from chatdong.cases.models import Case

OPEN_STATUSES = (Referral.Status.SENT, Referral.Status.ACCEPTED)


def referral_due_days(*, to_kind: str, urgent: bool) -> int:
    """Business days the receiver has to answer (settings CHATDONG_REFERRAL_DUE_DAYS)."""
    days: dict[str, int] = settings.CHATDONG_REFERRAL_DUE_DAYS
    if urgent:
        return days["urgent"]
    return days.get(to_kind, days["default"])


def bounce_limit() -> int:
    return int(getattr(settings, "CHATDONG_REFERRAL_BOUNCE_LIMIT", 2))


def receiver_label(referral: Referral) -> str:
    if referral.to_kind == Referral.To.STAFF and referral.to_user is not None:
        return f"{referral.to_user.full_name} ({referral.to_user.get_role_display()})"
    if referral.to_kind == Referral.To.AGENCY and referral.to_agency is not None:
        return referral.to_agency.name
    return str(Referral.To.HEALTH.label)


def _receiver_errors(
    *, district_id: int, to_kind: str, to_user: User | None, to_agency: Agency | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if to_kind == Referral.To.STAFF:
        in_district = to_user is not None and (
            (to_user.dong is not None and to_user.dong.district_id == district_id)
            or (to_user.role == Role.DISTRICT_STAFF and to_user.district_id == district_id)
        )
        staff_role = to_user is not None and (
            to_user.role in DONG_ROLES or to_user.role == Role.DISTRICT_STAFF
        )
        if to_user is None or not to_user.is_active or not in_district or not staff_role:
            errors["to_user"] = ["받을 담당자를 고르세요(같은 구의 동·구 직원)."]
    elif to_kind == Referral.To.AGENCY:
        if to_agency is None or to_agency.district_id != district_id:
            errors["to_agency"] = ["받을 기관을 고르세요."]
        elif not to_agency.accepts_referrals:
            errors["to_agency"] = ["이 기관은 지금 의뢰를 받지 않습니다. 기관 안내를 확인하세요."]
    elif to_kind != Referral.To.HEALTH:
        errors["to_kind"] = ["의뢰처를 고르세요."]
    return errors


def _url(referral: Referral) -> str:
    return reverse("referrals:detail", args=[referral.pk])


def _notify_arrival(referral: Referral, event_id: int) -> None:
    kind = "referral_urgent" if referral.urgent else "referral_new"
    prefix = "[긴급] " if referral.urgent else ""
    notification_send(
        users=list(access.receivers_of(referral)),
        kind=kind,
        text=f"{prefix}의뢰 {referral.pk}번({referral.get_need_category_display()})이 도착했습니다. "
        f"회신 기한 {referral.due_on:%m.%d}.",
        dedupe_key=f"referral-{referral.pk}-arrive-{event_id}",
        url=_url(referral),
        urgent=referral.urgent,
    )


def _notify_sender(referral: Referral, event: ReferralEvent) -> None:
    notification_send(
        users=[referral.sender],
        kind="referral_result",
        text=f"보낸 의뢰 {referral.pk}번: {event.get_action_display()} — 결과를 확인하세요.",
        dedupe_key=f"referral-{referral.pk}-result-{event.pk}",
        url=_url(referral),
    )


def _notify_pingpong(referral: Referral) -> None:
    notification_send(
        users=list(access.supervisors_of(referral.dong)),
        kind="referral_pingpong",
        text=f"의뢰 {referral.pk}번이 {referral.bounce_count}번 반송·재의뢰되었습니다. 받을 곳을 정해 주세요.",
        dedupe_key=f"referral-{referral.pk}-pingpong",
        url=_url(referral),
        urgent=referral.urgent,
    )


def referral_send(
    *,
    actor: User,
    dong: Dong,
    need_category: str,
    summary: str,
    to_kind: str,
    source: str,
    source_id: int | None = None,
    to_user: User | None = None,
    to_agency: Agency | None = None,
    resident: Resident | None = None,
    household: Household | None = None,
    urgent: bool = False,
    client_name: str = "",
    client_phone: str = "",
    client_birth_date: dt.date | None = None,
    client_address: str = "",
) -> Referral:
    """Send a referral. The due date is counted in Korean business days from today. The receivers are
    notified after commit; an urgent referral (e.g. PHQ-9 item 9 > 0) as urgent."""
    if not access.can_send_referral(actor, dong, source=source):
        raise PermissionDenied("이 동에서 의뢰를 보낼 권한이 없습니다.")
    if access.is_agency_sender(actor) and not (
        to_kind == Referral.To.STAFF
        and to_user is not None
        and to_user.dong_id == dong.pk
        and resident is None
        and household is None
    ):
        # An agency never reads the registry and never picks receivers: its finding goes to the 동.
        raise PermissionDenied("민간기관은 동 주민센터로 발굴 의뢰만 보낼 수 있습니다.")
    errors: dict[str, list[str]] = {}
    if need_category not in NeedCategory.values:
        errors["need_category"] = ["욕구 영역을 고르세요."]
    if not summary.strip():
        errors["summary"] = ["의뢰 내용을 적으세요."]
    if source not in Referral.Source.values:
        errors["source"] = ["의뢰 경로를 고르세요."]
    errors |= _receiver_errors(
        district_id=dong.district_id, to_kind=to_kind, to_user=to_user, to_agency=to_agency
    )
    if resident is not None and resident.dong_id != dong.pk:
        errors["resident"] = ["다른 동 주민입니다."]
    if errors:
        raise ValidationFailed("의뢰를 보낼 수 없습니다. 표시된 항목을 고치세요.", errors)
    with transaction.atomic():
        referral = Referral.objects.create(
            district_id=dong.district_id,
            dong=dong,
            resident=resident,
            household=household if household is not None else (resident.household if resident else None),
            need_category=need_category,
            summary=summary.strip(),
            sender=actor,
            to_kind=to_kind,
            to_user=to_user if to_kind == Referral.To.STAFF else None,
            to_agency=to_agency if to_kind == Referral.To.AGENCY else None,
            source=source,
            source_id=source_id,
            urgent=urgent,
            due_on=add_business_days(today(), referral_due_days(to_kind=to_kind, urgent=urgent)),
            client_name=(client_name or (resident.name if resident else "")).strip()[:40],
            client_phone=(client_phone or (resident.phone if resident else "")).strip()[:20],
            client_birth_date=client_birth_date,
            client_address=client_address.strip()[:200],
        )
        event = ReferralEvent.objects.create(
            referral=referral,
            actor=actor,
            to_status=Referral.Status.SENT,
            action=ReferralEvent.Action.SEND,
            receiver=receiver_label(referral),
            note="",
        )
        access_log_record(
            user=actor,
            request=None,
            action=AccessLog.Action.CREATE,
            object_type="referral",
            object_id=referral.pk,
            subjects=[resident.pk] if resident is not None else [],
        )
        transaction.on_commit(lambda: _notify_arrival(referral, event.pk))
    return referral


def _locked(referral: Referral) -> Referral:
    """The referral row, locked for the rest of the transaction (two receivers pressing at once)."""
    try:
        return Referral.objects.select_for_update().select_related("dong", "sender").get(pk=referral.pk)
    except Referral.DoesNotExist as exc:
        raise NotFound("의뢰를 찾을 수 없습니다.") from exc


def _refuse(current: Referral, what: str) -> ValidationFailed:
    return ValidationFailed(
        f"'{current.get_status_display()}' 상태의 의뢰는 {what}할 수 없습니다. 화면을 새로 고쳐 상태를 확인하세요.",
        {"status": [f"지금 상태: {current.get_status_display()}"]},
    )


def _record(
    *,
    actor: User,
    referral: Referral,
    from_status: str,
    action: str,
    note: str,
    log_action: str = AccessLog.Action.CHANGE,
) -> ReferralEvent:
    event = ReferralEvent.objects.create(
        referral=referral,
        actor=actor,
        from_status=from_status,
        to_status=referral.status,
        action=action,
        note=note,
        receiver=receiver_label(referral),
    )
    access_log_record(
        user=actor,
        request=None,
        action=log_action,
        object_type="referral",
        object_id=referral.pk,
        subjects=[referral.resident_id] if referral.resident_id else [],
        detail={"action": action},
    )
    return event


def _require_receiver(actor: User, referral: Referral) -> None:
    """Checked on the stored row (the caller's object may be stale): out of scope 404, in scope but not
    the receiver 403. Checked again under the lock."""
    fresh = access.referrals_visible_to(actor).filter(pk=referral.pk).first()
    if fresh is None:
        raise NotFound("의뢰를 찾을 수 없습니다.")
    if not access.is_receiver(actor, fresh):
        raise PermissionDenied("이 의뢰를 받은 담당자(기관)만 처리할 수 있습니다.")


def referral_accept(*, actor: User, referral: Referral, note: str = "") -> Referral:
    """The receiver takes the referral on (접수)."""
    _require_receiver(actor, referral)
    with transaction.atomic():
        current = _locked(referral)
        if not access.is_receiver(actor, current):
            raise PermissionDenied("이 의뢰를 받은 담당자(기관)만 처리할 수 있습니다.")
        if current.status != Referral.Status.SENT:
            raise _refuse(current, "접수")
        current.status = Referral.Status.ACCEPTED
        current.accepted_at = timezone.now()
        current.accepted_by = actor
        current.save(update_fields=["status", "accepted_at", "accepted_by", "updated_at"])
        _record(
            actor=actor,
            referral=current,
            from_status=Referral.Status.SENT,
            action="accept",
            note=note.strip(),
        )
    return current


def referral_decline(*, actor: User, referral: Referral, reason: str) -> Referral:
    """The receiver will not take it (거절, with the reason); the sender is told."""
    return _answer(
        actor=actor,
        referral=referral,
        text=reason,
        field="reason",
        missing="거절 사유를 적으세요.",
        expected=Referral.Status.SENT,
        to_status=Referral.Status.DECLINED,
        action="decline",
        verb="거절",
    )


def referral_complete(*, actor: User, referral: Referral, result: str) -> Referral:
    """The receiver reports what was done (처리 결과, required): the loop closes at the sender."""
    return _answer(
        actor=actor,
        referral=referral,
        text=result,
        field="result",
        missing="처리 결과를 적으세요.",
        expected=Referral.Status.ACCEPTED,
        to_status=Referral.Status.DONE,
        action="complete",
        verb="완료",
    )


def _answer(
    *,
    actor: User,
    referral: Referral,
    text: str,
    field: str,
    missing: str,
    expected: str,
    to_status: str,
    action: str,
    verb: str,
) -> Referral:
    """The receiver's final answer (declined or done): the text is required, becomes the result the
    sender sees, and the sender is told after commit."""
    _require_receiver(actor, referral)
    if not text.strip():
        raise ValidationFailed(missing, {field: [missing]})
    with transaction.atomic():
        current = _locked(referral)
        if not access.is_receiver(actor, current):
            raise PermissionDenied("이 의뢰를 받은 담당자(기관)만 처리할 수 있습니다.")
        if current.status != expected:
            raise _refuse(current, verb)
        current.status = to_status
        current.result = text.strip()
        current.responded_at = timezone.now()
        current.save(update_fields=["status", "result", "responded_at", "updated_at"])
        event = _record(actor=actor, referral=current, from_status=expected, action=action, note=text.strip())
        transaction.on_commit(lambda: _notify_sender(current, event))
    return current


def _bounced(current: Referral) -> bool:
    """Count one bounce; True when this one takes the referral over the limit."""
    current.bounce_count += 1
    return current.bounce_count == bounce_limit() + 1


def referral_return(*, actor: User, referral: Referral, reason: str) -> Referral:
    """The receiver sends it back to the sender (반송: not theirs, or needs more information)."""
    _require_receiver(actor, referral)
    if not reason.strip():
        raise ValidationFailed("반송 사유를 적으세요.", {"reason": ["반송 사유를 적으세요."]})
    with transaction.atomic():
        current = _locked(referral)
        if not access.is_receiver(actor, current):
            raise PermissionDenied("이 의뢰를 받은 담당자(기관)만 처리할 수 있습니다.")
        if current.status not in OPEN_STATUSES:
            raise _refuse(current, "반송")
        from_status = current.status
        over = _bounced(current)
        current.status = Referral.Status.RETURNED
        current.result = reason.strip()
        current.responded_at = timezone.now()
        current.save(update_fields=["status", "result", "responded_at", "bounce_count", "updated_at"])
        event = _record(
            actor=actor, referral=current, from_status=from_status, action="return", note=reason.strip()
        )
        transaction.on_commit(lambda: _notify_sender(current, event))
        if over:
            transaction.on_commit(lambda: _notify_pingpong(current))
    return current


def referral_forward(
    *,
    actor: User,
    referral: Referral,
    to_kind: str,
    to_user: User | None = None,
    to_agency: Agency | None = None,
    reason: str,
) -> Referral:
    """Hand the referral to another receiver (재의뢰): by its receiver while sent or accepted, or by the
    sender's 동 after it came back (returned). It starts again as sent with a new due date; a bounce."""
    visible = access.referrals_visible_to(actor).filter(pk=referral.pk).exists()
    if not visible:
        raise NotFound("의뢰를 찾을 수 없습니다.")
    if not reason.strip():
        raise ValidationFailed("재의뢰 사유를 적으세요.", {"reason": ["재의뢰 사유를 적으세요."]})
    errors = _receiver_errors(
        district_id=referral.district_id, to_kind=to_kind, to_user=to_user, to_agency=to_agency
    )
    if errors:
        raise ValidationFailed("재의뢰할 수 없습니다. 표시된 항목을 고치세요.", errors)
    with transaction.atomic():
        current = _locked(referral)
        if current.status in OPEN_STATUSES:
            if not access.is_receiver(actor, current):
                raise PermissionDenied("이 의뢰를 받은 담당자(기관)만 재의뢰할 수 있습니다.")
        elif current.status == Referral.Status.RETURNED:
            if not access.can_reroute(actor, current):
                raise PermissionDenied("반송된 의뢰는 보낸 동에서 다시 보낼 수 있습니다.")
        else:
            raise _refuse(current, "재의뢰")
        same = (
            to_kind == current.to_kind
            and (to_user.pk if to_user and to_kind == Referral.To.STAFF else None) == current.to_user_id
            and (to_agency.pk if to_agency and to_kind == Referral.To.AGENCY else None)
            == current.to_agency_id
        )
        if same:
            raise ValidationFailed(
                "지금 받는 곳과 같은 곳으로는 재의뢰할 수 없습니다.",
                {"to_kind": ["다른 받을 곳을 고르세요."]},
            )
        from_status = current.status
        over = _bounced(current)
        current.status = Referral.Status.SENT
        current.to_kind = to_kind
        current.to_user = to_user if to_kind == Referral.To.STAFF else None
        current.to_agency = to_agency if to_kind == Referral.To.AGENCY else None
        current.due_on = add_business_days(today(), referral_due_days(to_kind=to_kind, urgent=current.urgent))
        current.accepted_at = None
        current.accepted_by = None
        current.save(
            update_fields=[
                "status",
                "to_kind",
                "to_user",
                "to_agency",
                "due_on",
                "accepted_at",
                "accepted_by",
                "bounce_count",
                "updated_at",
            ]
        )
        event = _record(
            actor=actor, referral=current, from_status=from_status, action="forward", note=reason.strip()
        )
        transaction.on_commit(lambda: _notify_arrival(current, event.pk))
        if over:
            transaction.on_commit(lambda: _notify_pingpong(current))
    return current


# --- 민간기관 발굴 의뢰 (a private agency brings a case in) ------------------------------------------

# Who receives an agency's finding at the 동, in order: the poverty-crisis planner (who runs case
# management), else the team leader, else the 동장.
FINDING_RECEIVER_ROLES = (Role.PLANNER_POVERTY, Role.TEAM_LEADER, Role.DONG_HEAD)


def agency_finding_receiver(dong: Dong) -> User | None:
    """The active 빈곤위기가정 복지플래너 of the 동 (the first by name when there are several); if it has
    none, its 팀장, then its 동장; None when it has none of them."""
    for role in FINDING_RECEIVER_ROLES:
        found = User.objects.filter(is_active=True, dong=dong, role=role).order_by("full_name", "pk").first()
        if found is not None:
            return found
    return None


def referral_agency_finding(
    *,
    actor: User,
    dong: Dong,
    name: str,
    need_category: str,
    summary: str,
    urgent: bool = False,
    birth_date: dt.date | None = None,
    phone: str = "",
    address: str = "",
) -> Referral:
    """민간기관 발굴 의뢰: an agency worker tells a 동 of the agency's district about a person the agency
    found (as the agency knows them: name required, birth date, phone and address if known). It is a
    referral to the 동's receiver (agency_finding_receiver) like any other: due date, notifications,
    answers and bounces."""
    if not access.can_send_agency_finding(actor, dong):
        raise PermissionDenied("우리 기관이 있는 구의 동에만 발굴 의뢰를 보낼 수 있습니다.")
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["대상자 성명을 적으세요."]
    if birth_date is not None and birth_date > today():
        errors["birth_date"] = ["생년월일이 오늘보다 뒤입니다."]
    receiver = agency_finding_receiver(dong)
    if receiver is None:
        errors["dong"] = ["이 동에는 의뢰를 받을 담당자가 없습니다. 동 주민센터에 전화로 알려 주세요."]
    if errors:
        raise ValidationFailed("의뢰를 보낼 수 없습니다. 표시된 항목을 고치세요.", errors)
    return referral_send(
        actor=actor,
        dong=dong,
        need_category=need_category,
        summary=summary,
        to_kind=Referral.To.STAFF,
        to_user=receiver,
        source=Referral.Source.AGENCY,
        source_id=actor.agency_id,
        urgent=urgent,
        client_name=name,
        client_phone=phone,
        client_birth_date=birth_date,
        client_address=address,
    )


def referral_open_case(
    *, actor: User, referral: Referral, resident: Resident, summary: str = ""
) -> tuple[Referral, Case]:
    """사례로 등록: the receiver of a 민간기관 발굴 의뢰 puts the resident it picked from the 동's registry on
    the case register (source AGENCY, source_id the referral), and the referral is accepted (if it was
    only sent) and done, its result naming the case. All or nothing: if the case cannot be opened the
    referral is left as it was."""
    from chatdong.cases.models import Case
    from chatdong.cases.services import case_open
    from chatdong.registry.access import residents_visible_to

    _require_receiver(actor, referral)
    errors: dict[str, list[str]] = {}
    if referral.source != Referral.Source.AGENCY:
        errors["referral"] = ["민간기관 발굴 의뢰만 여기서 사례로 등록합니다. 사례관리 대장에서 등록하세요."]
    if resident.dong_id != referral.dong_id:
        errors["resident_id"] = ["이 동 주민이 아닙니다. 주민이 사는 동으로 재의뢰하거나 반송하세요."]
    elif not residents_visible_to(actor).filter(pk=resident.pk).exists():
        errors["resident_id"] = ["담당 범위의 주민을 고르세요."]
    if errors:
        raise ValidationFailed("사례로 등록할 수 없습니다. 표시된 항목을 고치세요.", errors)
    with transaction.atomic():
        current = _locked(referral)
        if not access.is_receiver(actor, current):
            raise PermissionDenied("이 의뢰를 받은 담당자(기관)만 처리할 수 있습니다.")
        if current.status not in OPEN_STATUSES:
            raise _refuse(current, "사례로 등록")
        sender_agency = (
            Agency.objects.filter(pk=current.source_id).values_list("name", flat=True).first()
            if current.source_id is not None
            else None
        )
        case = case_open(
            actor=actor,
            dong=current.dong,
            summary=f"[민간기관 발굴{f' · {sender_agency}' if sender_agency else ''}] "
            f"{summary.strip() or current.summary}",
            source=Case.Source.AGENCY,
            source_id=current.pk,
            resident=resident,
            worker=actor,
        )
        now = timezone.now()
        if current.status == Referral.Status.SENT:
            current.status = Referral.Status.ACCEPTED
            current.accepted_at = now
            current.accepted_by = actor
            _record(
                actor=actor,
                referral=current,
                from_status=Referral.Status.SENT,
                action=ReferralEvent.Action.ACCEPT,
                note="",
            )
        result = f"사례관리 대상으로 등록했습니다(사례 #{case.pk})."
        current.status = Referral.Status.DONE
        current.result = result
        current.responded_at = now
        # The referral now points at the registry resident (shown only to roles that may see it).
        current.resident = resident
        current.household = resident.household
        current.save(
            update_fields=[
                "status",
                "accepted_at",
                "accepted_by",
                "result",
                "responded_at",
                "resident",
                "household",
                "updated_at",
            ]
        )
        event = _record(
            actor=actor,
            referral=current,
            from_status=Referral.Status.ACCEPTED,
            action=ReferralEvent.Action.COMPLETE,
            note=result,
        )
        transaction.on_commit(lambda: _notify_sender(current, event))
    return current, case


def referrals_flag_overdue(*, day: dt.date | None = None) -> int:
    """Tell the 동's supervisors (and the sender) about every open referral past its due date, once per
    referral and due date. Safe to run again (cron): returns how many notifications were new."""
    from chatdong.referrals.selectors import overdue_referrals

    written = 0
    for referral in overdue_referrals(day=today() if day is None else day).select_related("dong", "sender"):
        users = [*access.supervisors_of(referral.dong), referral.sender]
        written += notification_send(
            users=users,
            kind="referral_overdue",
            text=f"의뢰 {referral.pk}번({referral.get_need_category_display()})이 회신 기한 "
            f"{referral.due_on:%Y.%m.%d}을 넘겼습니다.",
            dedupe_key=f"referral-{referral.pk}-overdue-{referral.due_on:%Y%m%d}",
            url=_url(referral),
            urgent=referral.urgent,
        )
    return written


# --- counseling desk (복지상담전문관) -------------------------------------------------------------------


def desk_consultation_create(
    *,
    actor: User,
    needs: list[tuple[str, str]],
    resident: Resident | None = None,
    name: str = "",
    phone: str = "",
    birth_date: dt.date | None = None,
    note: str = "",
) -> DeskConsultation:
    """Record a walk-in at the actor's 동: a registered resident (from the registry search) or an
    unregistered person (name required, phone and birth date as told), and one or more needs."""
    if not access.can_use_desk(actor) or actor.dong is None:
        raise PermissionDenied("동 직원만 복지상담을 기록할 수 있습니다.")
    dong = actor.dong
    errors: dict[str, list[str]] = {}
    if resident is not None and resident.dong_id != dong.pk:
        errors["resident"] = ["다른 동 주민입니다. 주민이 사는 동에서 상담을 기록하세요."]
    if resident is None and not name.strip():
        errors["name"] = ["등록 주민을 고르거나 성명을 적으세요."]
    clean_needs = [(category, text.strip()) for category, text in needs if category]
    if not clean_needs:
        errors["needs"] = ["필요한 도움을 하나 이상 고르세요."]
    elif any(category not in NeedCategory.values for category, _ in clean_needs):
        errors["needs"] = ["욕구 영역을 목록에서 고르세요."]
    if errors:
        raise ValidationFailed("상담을 기록할 수 없습니다. 표시된 항목을 고치세요.", errors)
    with transaction.atomic():
        consultation = DeskConsultation.objects.create(
            district_id=dong.district_id,
            dong=dong,
            counselor=actor,
            resident=resident,
            name=(resident.name if resident else name.strip())[:40],
            phone=(resident.phone if resident and resident.phone else phone.strip())[:20],
            birth_date=resident.birth_date if resident else birth_date,
            note=note.strip(),
            consulted_on=today(),
        )
        DeskNeed.objects.bulk_create(
            [
                DeskNeed(consultation=consultation, category=category, note=text)
                for category, text in clean_needs
            ]
        )
        access_log_record(
            user=actor,
            request=None,
            action=AccessLog.Action.CREATE,
            object_type="desk_consultation",
            object_id=consultation.pk,
            subjects=[resident.pk] if resident else [],
        )
    return consultation


def poverty_planners(dong: Dong) -> list[User]:
    return list(
        User.objects.filter(is_active=True, dong=dong, role=Role.PLANNER_POVERTY).order_by("full_name")
    )


def desk_need_route(
    *,
    actor: User,
    need: DeskNeed,
    route: str,
    to_user: User | None = None,
    to_agency: Agency | None = None,
    summary: str = "",
) -> DeskNeed:
    """Route one need: to the staff member in charge (hand over and close), to the poverty-crisis planner
    with a case on the register (case management intake), to an outside agency, or settle it at the desk.
    Each route but the last sends a referral whose result comes back to the counselor."""
    consultation = need.consultation
    if not access.consultations_visible_to(actor).filter(pk=consultation.pk).exists():
        raise NotFound("상담 기록을 찾을 수 없습니다.")
    if not access.can_use_desk(actor) or actor.dong_id != consultation.dong_id:
        raise PermissionDenied("이 동의 직원만 상담 욕구를 연계할 수 있습니다.")
    text = summary.strip() or need.note or need.get_category_display()
    if route not in DeskNeed.Route.values or route == DeskNeed.Route.OPEN:
        raise ValidationFailed("연계 방법을 고르세요.", {"route": ["연계 방법을 고르세요."]})
    if route == DeskNeed.Route.PLANNER:
        planners = poverty_planners(consultation.dong)
        if to_user is None and planners:
            to_user = planners[0]
        if to_user is None or to_user.pk not in {p.pk for p in planners}:
            raise ValidationFailed(
                "이 동의 빈곤위기가정 복지플래너를 고르세요.",
                {"to_user": ["빈곤위기가정 복지플래너를 고르세요."]},
            )
        if consultation.resident is None:
            raise ValidationFailed(
                "사례관리는 주민등록이 확인된 주민만 올릴 수 있습니다. 주민을 찾아 상담에 연결하거나 "
                "기관 의뢰로 보내세요.",
                {"route": ["등록 주민이 아닙니다."]},
            )
    if route == DeskNeed.Route.DESK and not summary.strip():
        raise ValidationFailed("상담으로 끝낸 내용을 적으세요.", {"summary": ["상담 결과를 적으세요."]})
    with transaction.atomic():
        current = DeskNeed.objects.select_for_update().get(pk=need.pk)
        if current.route != DeskNeed.Route.OPEN:
            raise ValidationFailed(
                f"이미 연계한 욕구입니다({current.get_route_display()}).", {"route": ["이미 연계했습니다."]}
            )
        referral: Referral | None = None
        if route == DeskNeed.Route.PLANNER:
            from chatdong.cases.services import case_open

            current.case = case_open(
                actor=actor,
                dong=consultation.dong,
                summary=f"[복지상담] {current.get_category_display()}: {text}",
                source="desk",
                source_id=consultation.pk,
                resident=consultation.resident,
                worker=to_user,
            )
        if route != DeskNeed.Route.DESK:
            to_kind = Referral.To.AGENCY if route == DeskNeed.Route.AGENCY else Referral.To.STAFF
            referral = referral_send(
                actor=actor,
                dong=consultation.dong,
                need_category=current.category,
                summary=text,
                to_kind=to_kind,
                source=Referral.Source.DESK,
                source_id=consultation.pk,
                to_user=to_user if to_kind == Referral.To.STAFF else None,
                to_agency=to_agency if to_kind == Referral.To.AGENCY else None,
                resident=consultation.resident,
                client_name=consultation.name,
                client_phone=consultation.phone,
            )
        else:
            current.note = f"{current.note}\n[상담 종결] {summary.strip()}".strip()
        current.route = route
        current.referral = referral
        current.routed_at = timezone.now()
        current.save(update_fields=["route", "referral", "case", "routed_at", "note"])
        access_log_record(
            user=actor,
            request=None,
            action=AccessLog.Action.CHANGE,
            object_type="desk_consultation",
            object_id=consultation.pk,
            subjects=[consultation.resident_id] if consultation.resident_id else [],
            detail={"need": current.pk, "route": route},
        )
    return current


# --- agency directory ------------------------------------------------------------------------------

AGENCY_FIELDS = (
    "name",
    "kind",
    "phone",
    "address",
    "services",
    "need_categories",
    "contact_person",
    "email",
    "hours",
    "accepts_referrals",
)


def agency_save(*, actor: User, agency: Agency | None = None, **values: object) -> Agency:
    """Add an agency to the district's directory or change one (동장, 팀장, 구 사업담당, 관리자)."""
    from chatdong.accounts.access import user_district_id

    if not access.can_edit_directory(actor):
        raise PermissionDenied("기관 안내는 동장·팀장·구 사업담당·관리자가 고칩니다.")
    district_id = user_district_id(actor)
    if district_id is None or (agency is not None and agency.district_id != district_id):
        raise NotFound("기관을 찾을 수 없습니다.")
    unknown = set(values) - set(AGENCY_FIELDS)
    if unknown:
        raise ValueError(f"unknown agency fields: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    name = str(values.get("name", agency.name if agency else "")).strip()
    if not name:
        errors["name"] = ["기관명을 적으세요."]
    elif (
        Agency.objects.filter(district_id=district_id, name=name)
        .exclude(pk=agency.pk if agency is not None else 0)
        .exists()
    ):
        errors["name"] = ["같은 이름의 기관이 이미 있습니다."]
    categories = values.get("need_categories", agency.need_categories if agency else [])
    if not isinstance(categories, list) or any(c not in NeedCategory.values for c in categories):
        errors["need_categories"] = ["욕구 영역을 목록에서 고르세요."]
    kind = values.get("kind", agency.kind if agency else Agency.Kind.OTHER)
    if kind not in Agency.Kind.values:
        errors["kind"] = ["기관 유형을 고르세요."]
    if errors:
        raise ValidationFailed("기관을 저장할 수 없습니다. 표시된 항목을 고치세요.", errors)
    with transaction.atomic():
        target = agency if agency is not None else Agency(district_id=district_id)
        for field, value in values.items():
            setattr(target, field, value.strip() if isinstance(value, str) else value)
        target.name = name
        target.save()
        access_log_record(
            user=actor,
            request=None,
            action=AccessLog.Action.CHANGE if agency is not None else AccessLog.Action.CREATE,
            object_type="agency",
            object_id=target.pk,
        )
    return target
