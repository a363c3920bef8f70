"""Every write to the case meetings: plan a meeting, attendees, agenda, the record of each item, and the
minutes, which apply all the meeting's decisions to the cases (through cases.services) at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from chatdong.accounts.access import is_active_staff
from chatdong.accounts.models import Agency, Dong, Role, User
from chatdong.audit.models import AccessLog
from chatdong.audit.services import access_log_record
from chatdong.casemeeting import access
from chatdong.casemeeting.models import AgendaItem, Attendee, Decision, Meeting
from chatdong.cases import access as cases_access
from chatdong.cases import services as cases_services
from chatdong.cases.models import Case, CaseType, ClosureReason, ServicePlan
from chatdong.core.errors import ChatdongError, NotFound, PermissionDenied, ValidationFailed
from chatdong.core.notify import notification_send
from chatdong.core.time import today

# Cases whose management has ended cannot be put on an agenda (closed cases in 사후관리 still can: the
# cases app suggests those whose follow-up is overdue).
FINISHED_STEPS = frozenset({Case.Step.ENDED})
# Within one agenda item, decisions are applied in the order of the chain.
DECISION_ORDER = (Decision.Kind.CLASSIFY, Decision.Kind.PLAN_APPROVE, Decision.Kind.CLOSE)


def _require_run(actor: User, meeting: Meeting) -> None:
    if not access.meetings_runnable_by(actor).filter(pk=meeting.pk).exists():
        if access.meetings_visible_to(actor).filter(pk=meeting.pk).exists():
            raise PermissionDenied("이 회의를 수정할 권한이 없습니다. 동 사례관리 담당자만 수정합니다.")
        raise NotFound("회의를 찾을 수 없습니다.")


def _require_editable(meeting: Meeting) -> None:
    if not meeting.editable:
        raise ValidationFailed(
            "회의록을 기록한 회의는 고칠 수 없습니다. 바꿀 내용은 다음 회의 안건으로 올리세요.",
            {"meeting": ["회의록 기록 완료"]},
        )


def _subjects(cases: Iterable[Case]) -> list[int]:
    return [c.resident_id for c in cases if c.resident_id is not None]


# --- the meeting ----------------------------------------------------------------------------------


def meeting_plan(
    *,
    actor: User,
    dong: Dong,
    held_on: dt.date | None,
    place: str = "",
    starts_at: dt.time | None = None,
    chair: User | None = None,
) -> Meeting:
    """Put next month's meeting on the 동's calendar; the chair attends as a public member."""
    if not access.can_run_meeting_in(actor, dong):
        raise PermissionDenied("이 동의 통합사례회의를 열 권한이 없습니다.")
    errors: dict[str, list[str]] = {}
    if held_on is None:
        errors["held_on"] = ["회의일을 고르세요."]
    if chair is not None and (chair.dong_id != dong.pk or not is_active_staff(chair)):
        errors["chair"] = ["회의 주재는 이 동 직원이어야 합니다."]
    if held_on is not None and Meeting.objects.filter(dong=dong, held_on=held_on).exists():
        errors["held_on"] = ["이 날짜에 이미 회의가 있습니다."]
    if errors:
        raise ValidationFailed("회의를 만들 수 없습니다. 표시된 항목을 고치세요.", errors)
    assert held_on is not None
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                district_id=dong.district_id,
                dong=dong,
                held_on=held_on,
                starts_at=starts_at,
                place=place.strip(),
                chair=chair,
                created_by=actor,
            )
            if chair is not None:
                Attendee.objects.create(
                    meeting=meeting,
                    side=Attendee.Side.PUBLIC,
                    user=chair,
                    name=chair.full_name or chair.username,
                    organisation=f"{dong.name} 주민센터",
                    title=chair.get_role_display(),
                )
            access_log_record(
                user=actor,
                request=None,
                action=AccessLog.Action.CREATE,
                object_type="case_meeting",
                object_id=meeting.pk,
            )
    except IntegrityError as exc:  # the same day taken concurrently
        raise ValidationFailed("이 날짜에 이미 회의가 있습니다.", {"held_on": ["이미 있음"]}) from exc
    return meeting


def meeting_close(*, actor: User, meeting: Meeting) -> Meeting:
    """마감: the minutes are final (after the 동장's sign-off); nothing on the meeting changes any more."""
    _require_run(actor, meeting)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status != Meeting.Status.HELD:
            raise ValidationFailed(
                "회의록을 기록한 회의만 마감할 수 있습니다.", {"meeting": [locked.get_status_display()]}
            )
        locked.status = Meeting.Status.CLOSED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at", "updated_at"])
        access_log_record(
            user=actor,
            request=None,
            action=AccessLog.Action.CHANGE,
            object_type="case_meeting",
            object_id=locked.pk,
            detail={"status": locked.status},
        )
    return locked


# --- attendees -----------------------------------------------------------------------------------


def attendee_add(
    *,
    actor: User,
    meeting: Meeting,
    user: User | None = None,
    name: str = "",
    organisation: str = "",
    title: str = "",
) -> Attendee:
    """Public: a staff account of the meeting's 동. Private: an agency case worker of the district, or an
    outside expert by name and organisation."""
    _require_run(actor, meeting)
    _require_editable(meeting)
    errors: dict[str, list[str]] = {}
    side = Attendee.Side.PRIVATE
    agency: Agency | None = None
    if user is not None:
        if not is_active_staff(user):
            errors["user"] = ["사용 중인 계정이 아닙니다."]
        elif user.dong_id == meeting.dong_id:
            side = Attendee.Side.PUBLIC
        elif (
            user.role == Role.AGENCY_WORKER
            and user.agency is not None
            and user.agency.district_id == meeting.district_id
        ):
            agency = user.agency
        else:
            errors["user"] = ["이 동 직원이나 구 안 민간기관 사례관리자만 참석자로 고를 수 있습니다."]
        name = user.full_name or user.username
        organisation = agency.name if agency else f"{meeting.dong.name} 주민센터"
        title = title.strip() or user.get_role_display()
    else:
        if not name.strip():
            errors["name"] = ["이름을 적으세요."]
        if not organisation.strip():
            errors["organisation"] = ["소속을 적으세요."]
    if user is not None and meeting.attendees.filter(user=user).exists():
        errors["user"] = ["이미 참석자입니다."]
    if errors:
        raise ValidationFailed("참석자를 추가할 수 없습니다. 표시된 항목을 고치세요.", errors)
    try:
        with transaction.atomic():
            attendee = Attendee.objects.create(
                meeting=meeting,
                side=side,
                user=user,
                agency=agency,
                name=name.strip()[:40],
                organisation=organisation.strip()[:80],
                title=title.strip()[:40],
            )
            access_log_record(
                user=actor,
                request=None,
                action=AccessLog.Action.CHANGE,
                object_type="case_meeting",
                object_id=meeting.pk,
                detail={"attendee_added": attendee.pk},
            )
    except IntegrityError as exc:
        raise ValidationFailed("이미 참석자입니다.", {"user": ["이미 참석자입니다."]}) from exc
    return attendee


def attendee_remove(*, actor: User, attendee: Attendee) -> None:
    meeting = attendee.meeting
    _require_run(actor, meeting)
    _require_editable(meeting)
    with transaction.atomic():
        attendee.delete()
        access_log_record(
            user=actor,
            request=None,
            action=AccessLog.Action.CHANGE,
            object_type="case_meeting",
            object_id=meeting.pk,
            detail={"attendee_removed": attendee.name},
        )


# --- agenda --------------------------------------------------------------------------------------


def agenda_item_add(
    *,
    actor: User,
    meeting: Meeting,
    case: Case,
    origin: str = AgendaItem.Origin.MANUAL,
    reason: str = "",
) -> AgendaItem:
    """Put a case of the meeting's 동 on the agenda (a suggested one with one tap, or any other)."""
    _require_run(actor, meeting)
    _require_editable(meeting)
    if not cases_access.cases_visible_to(actor).filter(pk=case.pk).exists():
        raise NotFound("사례를 찾을 수 없습니다.")
    errors: dict[str, list[str]] = {}
    if case.dong_id != meeting.dong_id:
        errors["case"] = ["다른 동의 사례입니다."]
    elif case.step in FINISHED_STEPS:
        errors["case"] = [f"{case.get_step_display()} 단계의 사례는 안건으로 올릴 수 없습니다."]
    elif meeting.items.filter(case=case).exists():
        errors["case"] = ["이미 안건에 있습니다."]
    if origin not in AgendaItem.Origin.values:
        errors["origin"] = ["안건 경로가 올바르지 않습니다."]
    if errors:
        raise ValidationFailed("안건에 올릴 수 없습니다.", errors)
    try:
        with transaction.atomic():
            last = meeting.items.aggregate(last=Max("position"))["last"] or 0
            item = AgendaItem.objects.create(
                meeting=meeting,
                case=case,
                position=last + 1,
                origin=origin,
                reason=reason.strip()[:200],
                step_at_meeting=case.step,
                added_by=actor,
            )
            access_log_record(
                user=actor,
                request=None,
                action=AccessLog.Action.CHANGE,
                object_type="case_meeting",
                object_id=meeting.pk,
                subjects=_subjects([case]),
                detail={"agenda_added": case.pk},
            )
    except IntegrityError as exc:
        raise ValidationFailed("이미 안건에 있습니다.", {"case": ["이미 안건에 있습니다."]}) from exc
    return item


def agenda_item_remove(*, actor: User, item: AgendaItem) -> None:
    meeting = item.meeting
    _require_run(actor, meeting)
    _require_editable(meeting)
    case = item.case
    with transaction.atomic():
        item.delete()
        access_log_record(
            user=actor,
            request=None,
            action=AccessLog.Action.CHANGE,
            object_type="case_meeting",
            object_id=meeting.pk,
            subjects=_subjects([case]),
            detail={"agenda_removed": case.pk},
        )


@dataclass(frozen=True)
class DecisionInput:
    """What the minutes form or the API says was decided on one item (nothing is applied yet)."""

    kind: str
    case_type: str = ""
    lead_agency: Agency | None = None
    co_agencies: Sequence[Agency] = field(default_factory=tuple)
    plan: ServicePlan | None = None
    close_reason: str = ""
    follow_up_on: dt.date | None = None
    note: str = ""


def _check_decision(meeting: Meeting, case: Case, decision: DecisionInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if decision.kind == Decision.Kind.CLASSIFY:
        if decision.case_type not in CaseType.values:
            errors["case_type"] = ["대상자 구분을 고르세요."]
        agencies = [a for a in (decision.lead_agency, *decision.co_agencies) if a is not None]
        if any(a.district_id != meeting.district_id for a in agencies):
            errors["lead_agency"] = ["구 안의 기관만 고를 수 있습니다."]
        if decision.lead_agency is not None and decision.lead_agency in decision.co_agencies:
            errors["co_agencies"] = ["주사례관리 기관은 협력 기관과 겹칠 수 없습니다."]
    elif decision.kind == Decision.Kind.PLAN_APPROVE:
        if decision.plan is None or decision.plan.case_id != case.pk:
            errors["plan"] = ["승인할 서비스 제공계획을 고르세요."]
    elif decision.kind == Decision.Kind.CLOSE:
        if decision.close_reason not in ClosureReason.values:
            errors["close_reason"] = ["종결 사유를 고르세요."]
        elif decision.close_reason == ClosureReason.OTHER and not decision.note.strip():
            errors["note"] = ["기타 종결 사유를 결정 메모에 적으세요."]
    else:
        errors["kind"] = ["결정 종류가 올바르지 않습니다."]
    return errors


def agenda_item_record(
    *,
    actor: User,
    item: AgendaItem,
    discussion: str,
    decisions: Sequence[DecisionInput],
) -> AgendaItem:
    """Write down the discussion of one case and what the meeting decided (replacing what was written
    before). Decisions are applied to the case only when the minutes are recorded."""
    meeting = item.meeting
    _require_run(actor, meeting)
    _require_editable(meeting)
    errors: dict[str, list[str]] = {}
    kinds = [d.kind for d in decisions]
    if len(kinds) != len(set(kinds)):
        errors["kind"] = ["같은 종류의 결정은 한 번만 적을 수 있습니다."]
    for decision in decisions:
        for key, messages in _check_decision(meeting, item.case, decision).items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationFailed("결정을 저장할 수 없습니다. 표시된 항목을 고치세요.", errors)
    with transaction.atomic():
        item.discussion = discussion.strip()
        item.save(update_fields=["discussion"])
        item.decisions.all().delete()
        for d in decisions:
            row = Decision.objects.create(
                item=item,
                kind=d.kind,
                case_type=d.case_type if d.kind == Decision.Kind.CLASSIFY else "",
                lead_agency=d.lead_agency if d.kind == Decision.Kind.CLASSIFY else None,
                plan=d.plan if d.kind == Decision.Kind.PLAN_APPROVE else None,
                close_reason=d.close_reason if d.kind == Decision.Kind.CLOSE else "",
                follow_up_on=d.follow_up_on if d.kind == Decision.Kind.CLOSE else None,
                note=d.note.strip()[:300],
            )
            if d.kind == Decision.Kind.CLASSIFY and d.co_agencies:
                row.co_agencies.set(list(d.co_agencies))
        access_log_record(
            user=actor,
            request=None,
            action=AccessLog.Action.CHANGE,
            object_type="case_meeting_item",
            object_id=item.pk,
            subjects=_subjects([item.case]),
            detail={"decisions": kinds},
        )
    return item


# --- the minutes ---------------------------------------------------------------------------------


def meeting_summary_save(*, actor: User, meeting: Meeting, summary: str) -> Meeting:
    """The meeting's overall remarks (회의 총평), kept with the draft minutes."""
    _require_run(actor, meeting)
    _require_editable(meeting)
    with transaction.atomic():
        meeting.summary = summary.strip()
        meeting.save(update_fields=["summary", "updated_at"])
        access_log_record(
            user=actor,
            request=None,
            action=AccessLog.Action.CHANGE,
            object_type="case_meeting",
            object_id=meeting.pk,
            detail={"summary": True},
        )
    return meeting


def _apply(actor: User, case: Case, decision: Decision, meeting: Meeting) -> None:
    note = f"{meeting.held_on:%Y-%m-%d} 통합사례회의 결정" + (f": {decision.note}" if decision.note else "")
    if decision.kind == Decision.Kind.CLASSIFY:
        if case.step == Case.Step.ASSESSMENT:  # 조사 done: the meeting is its 사례회의 step
            cases_services.case_advance(actor=actor, case=case, to_step=Case.Step.MEETING, note=note)
            case.refresh_from_db()
        cases_services.case_classify(
            actor=actor,
            case=case,
            case_type=decision.case_type,
            lead_agency=decision.lead_agency,
            co_agencies=tuple(decision.co_agencies.all()),
            note=note,
            meeting_on=meeting.held_on,
        )
    elif decision.kind == Decision.Kind.PLAN_APPROVE:
        assert decision.plan is not None
        cases_services.case_plan_approve(actor=actor, case=case, plan=decision.plan)
    elif decision.kind == Decision.Kind.CLOSE:
        cases_services.case_close(
            actor=actor,
            case=case,
            reason=decision.close_reason,
            follow_up_on=decision.follow_up_on,
            note=decision.note or note,
        )


def _notify_workers(meeting: Meeting, items: Sequence[AgendaItem]) -> None:
    """Tell each case's 담당 사례관리자 that the meeting decided on the case (once per meeting and case)."""
    url = reverse("casemeeting:detail", args=[meeting.pk])
    for item in items:
        worker = item.case.worker
        if worker is None:
            continue
        notification_send(
            users=[worker],
            kind="case_meeting_decision",
            text=f"{meeting.held_on:%m.%d} 통합사례회의에서 사례 {item.case_id}의 결정이 반영되었습니다.",
            dedupe_key=f"casemeeting:{meeting.pk}:case:{item.case_id}",
            url=url,
        )


def meeting_minutes_record(*, actor: User, meeting: Meeting, summary: str = "") -> Meeting:
    """Record the minutes: every decision of every item is applied to its case through cases.services,
    all in one transaction. If any case refuses a decision, nothing at all is applied and the error of
    each refused item is returned under the key `item-<id>`."""
    _require_run(actor, meeting)
    if actor.role not in cases_access.DECISION_ROLES:
        raise PermissionDenied(
            "회의록(결정 반영)은 동장·팀장·복지수퍼바이저·빈곤위기가정 복지플래너가 기록합니다."
        )
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _require_editable(locked)
        if locked.held_on > today():
            raise ValidationFailed(
                "회의일이 지나야 회의록을 기록할 수 있습니다.",
                {"meeting": [f"회의일 {locked.held_on:%Y-%m-%d}"]},
            )
        items = list(
            locked.items.select_related("case__worker")
            .prefetch_related("decisions__co_agencies", "decisions__plan", "decisions__lead_agency")
            .order_by("position")
        )
        if not items:
            raise ValidationFailed(
                "안건이 없는 회의는 회의록을 기록할 수 없습니다.", {"items": ["안건 없음"]}
            )
        now = timezone.now()
        for item in items:
            case = Case.objects.select_for_update().get(pk=item.case_id)
            AgendaItem.objects.filter(pk=item.pk).update(step_at_meeting=case.step)
            decisions = sorted(
                item.decisions.all(), key=lambda d: DECISION_ORDER.index(Decision.Kind(d.kind))
            )
            for decision in decisions:
                try:
                    # A savepoint per decision, so that after a refusal the others can still be tried
                    # (to report every refused item at once); the whole block rolls back below.
                    with transaction.atomic():
                        _apply(actor, case, decision, locked)
                        case.refresh_from_db()
                except ChatdongError as exc:
                    detail = ""
                    if isinstance(exc, ValidationFailed) and exc.errors:
                        detail = " (" + "; ".join(m for msgs in exc.errors.values() for m in msgs) + ")"
                    errors.setdefault(f"item-{item.pk}", []).append(
                        f"{item.position}번 안건(사례 {case.pk}) {decision.get_kind_display()}: {exc}{detail}"
                    )
                    break
            else:
                Decision.objects.filter(item=item).update(applied_at=now)
        if errors:
            transaction.set_rollback(True)
        else:
            locked.status = Meeting.Status.HELD
            locked.summary = summary.strip()
            locked.minutes_recorded_at = now
            locked.minutes_recorded_by = actor
            locked.save(
                update_fields=[
                    "status",
                    "summary",
                    "minutes_recorded_at",
                    "minutes_recorded_by",
                    "updated_at",
                ]
            )
            access_log_record(
                user=actor,
                request=None,
                action=AccessLog.Action.CHANGE,
                object_type="case_meeting",
                object_id=locked.pk,
                subjects=_subjects(i.case for i in items),
                detail={"minutes": True},
            )
    if not errors:
        transaction.on_commit(lambda: _notify_workers(locked, items))
    if errors:
        raise ValidationFailed(
            "회의록을 기록하지 못했습니다. 아래 안건의 결정을 사례에 반영할 수 없어 아무 결정도 반영하지 "
            "않았습니다. 해당 안건의 결정을 고친 뒤 다시 기록하세요.",
            errors,
        )
    return locked
