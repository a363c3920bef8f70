"""Reads of programs and target lists, always starting from outreach.access; reads of personal data
record themselves in the access log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from chatdong.accounts.access import user_district_id
from chatdong.accounts.models import Dong, Scope, User
from chatdong.audit.models import AccessLog
from chatdong.audit.services import access_log_record
from chatdong.core.errors import NotFound, PermissionDenied
from chatdong.core.time import today
from chatdong.outreach import access, rules
from chatdong.outreach.models import MessageTemplate, OutboxMessage, Program, Target, TargetChange, TargetRun


def program_for(user: User, program_id: int) -> Program:
    program = access.programs_visible_to(user).filter(pk=program_id).first()
    if program is None:
        raise NotFound("방문 사업을 찾을 수 없습니다.")
    return program


def program_period_counts(user: User, period_day: dt.date | None = None) -> list[dict[str, Any]]:
    """Each program of the user's district with its current period's counts (no personal data): the
    whole district for district roles, the user's 동 otherwise."""
    day = period_day or today()
    rows = []
    for program in access.programs_visible_to(user):
        start = rules.current_period_start(program.period, day)
        queryset = Target.objects.filter(program=program, period_start=start)
        if user.scope != Scope.DISTRICT:
            queryset = queryset.filter(dong_id=user.dong_id or 0)
        rows.append({"program": program, "period_start": start, "counts": consent_counts(queryset)})
    return rows


@dataclass(frozen=True)
class Filters:
    dong_id: int | None = None
    consent: str = ""  # "" work list (refused/withdrawn left out), or a consent state, or "all"
    status: str = "open"  # open / done / cancelled / all
    assignee_id: int | None = None  # 0: unassigned
    q: str = ""


def targets_for_list(
    user: User, program: Program, period_start: dt.date, filters: Filters
) -> QuerySet[Target]:
    queryset = access.targets_visible_to(user).filter(program=program, period_start=period_start)
    if filters.dong_id:
        queryset = queryset.filter(dong_id=filters.dong_id)
    if filters.status != "all":
        queryset = queryset.filter(status=filters.status or Target.Status.OPEN)
    if filters.consent == "":
        queryset = queryset.exclude(consent__in=Target.CONSENT_OUT)
    elif filters.consent != "all":
        queryset = queryset.filter(consent=filters.consent)
    if filters.assignee_id == 0:
        queryset = queryset.filter(assignee__isnull=True)
    elif filters.assignee_id:
        queryset = queryset.filter(Q(assignee_id=filters.assignee_id) | Q(co_assignee_id=filters.assignee_id))
    if filters.q:
        queryset = queryset.filter(Q(resident__name__startswith=filters.q) | Q(reason__contains=filters.q))
    return queryset.select_related(
        "resident", "household", "dong", "ban__tong", "assignee", "co_assignee"
    ).order_by("dong__code", "ban__tong__number", "ban__number", "pk")


def consent_counts(queryset: QuerySet[Target]) -> dict[str, int]:
    """Counts by consent state and status: refused/withdrawn are out of the work lists but counted."""
    counts = {state: 0 for state in Target.Consent.values} | {status: 0 for status in Target.Status.values}
    for row in queryset.values("consent", "status").annotate(n=Count("pk")):
        counts[row["status"]] += row["n"]
        if row["status"] != Target.Status.CANCELLED:
            counts[row["consent"]] += row["n"]
    counts["total"] = sum(counts[s] for s in Target.Status.values)
    counts["work"] = counts["open"] - (
        queryset.filter(status=Target.Status.OPEN, consent__in=Target.CONSENT_OUT).count()
        if counts["open"]
        else 0
    )
    return counts


def targets_list_log(
    *, user: User, request: HttpRequest | None, program: Program, period_start: dt.date, targets: list[Target]
) -> None:
    access_log_record(
        user=user,
        request=request,
        action=AccessLog.Action.VIEW,
        object_type="outreach.target_list",
        object_id=f"{program.pk}:{period_start.isoformat()}",
        subjects=[t.resident_id for t in targets if t.resident_id is not None],
        reason="방문 대상 명단 조회",
    )


def latest_follow_changes(user: User, program: Program, period_start: dt.date) -> list[TargetChange]:
    """이번 반영으로 바뀐 대상: the changes the latest registry follow made to this list (in scope)."""
    run = (
        TargetRun.objects.filter(kind=TargetRun.Kind.FOLLOW, changes__target__program=program)
        .order_by("-at", "-pk")
        .first()
    )
    if run is None:
        return []
    visible = access.targets_visible_to(user).filter(program=program, period_start=period_start)
    return list(
        TargetChange.objects.filter(run=run, target__in=visible)
        .select_related("target__resident", "target__household", "target__dong")
        .order_by("kind", "pk")[:200]
    )


def target_detail(*, user: User, target_id: int, request: HttpRequest | None) -> Target:
    target = (
        access.targets_visible_to(user)
        .select_related("program", "resident", "household", "dong", "ban__tong", "assignee", "co_assignee")
        .filter(pk=target_id)
        .first()
    )
    if target is None:
        raise NotFound("방문 대상을 찾을 수 없습니다.")
    from chatdong.outreach.services import target_subjects

    access_log_record(
        user=user,
        request=request,
        action=AccessLog.Action.VIEW,
        object_type="outreach.target",
        object_id=target.pk,
        subjects=target_subjects(target),
        reason="방문 대상 상세 조회",
    )
    return target


@dataclass(frozen=True)
class StaffLoad:
    user: User
    open: int
    due_this_month: int
    overdue: int
    co_open: int


def staff_load(user: User, dong: Dong) -> list[StaffLoad]:
    """Load per visiting staff member of the 동: open targets (refused left out), due this month, overdue."""
    if not access.can_view_load(user):
        raise PermissionDenied("담당자별 업무량을 볼 권한이 없습니다(동장·팀장·복지수퍼바이저·구 사업담당).")
    if not access.load_dongs(user).filter(pk=dong.pk).exists():
        raise NotFound("동을 찾을 수 없습니다.")
    day = today()
    month_start = day.replace(day=1)
    month_end = rules.period_bounds("month", month_start)[1]
    staff = list(
        User.objects.filter(dong=dong, is_active=True, role__in=access.VISIT_ROLES).order_by(
            "role", "full_name"
        )
    )
    base = Target.objects.filter(status=Target.Status.OPEN, dong=dong).exclude(consent__in=Target.CONSENT_OUT)
    rows = (
        base.filter(assignee__in=staff)
        .values("assignee_id")
        .annotate(
            open=Count("pk"),
            due=Count("pk", filter=Q(due_on__range=(month_start, month_end))),
            overdue=Count("pk", filter=Q(due_on__lt=day)),
        )
    )
    by_user = {r["assignee_id"]: r for r in rows}
    co = dict(
        base.filter(co_assignee__in=staff)
        .values("co_assignee_id")
        .annotate(n=Count("pk"))
        .values_list("co_assignee_id", "n")
    )
    return [
        StaffLoad(
            user=s,
            open=by_user.get(s.pk, {}).get("open", 0),
            due_this_month=by_user.get(s.pk, {}).get("due", 0),
            overdue=by_user.get(s.pk, {}).get("overdue", 0),
            co_open=co.get(s.pk, 0),
        )
        for s in staff
    ]


def outbox_for(*, user: User, request: HttpRequest | None, limit: int = 100) -> list[OutboxMessage]:
    if not access.can_work(user):
        raise PermissionDenied("발송함을 볼 권한이 없습니다.")
    messages = list(
        access.outbox_visible_to(user).select_related("notice__target__resident", "notice__target__dong")[
            :limit
        ]
    )
    access_log_record(
        user=user,
        request=request,
        action=AccessLog.Action.VIEW,
        object_type="outreach.outbox",
        subjects=[m.notice.target.resident_id for m in messages if m.notice and m.notice.target.resident_id],
        reason="사전안내 발송함 조회",
        detail={"count": len(messages)},
    )
    return messages


def pregnancies_log(*, user: User, request: HttpRequest | None, registrations: list[Any]) -> None:
    access_log_record(
        user=user,
        request=request,
        action=AccessLog.Action.VIEW,
        object_type="outreach.pregnancy_list",
        subjects=[r.resident_id for r in registrations],
        reason="임산부 등록 명단 조회",
    )


def message_templates_for(user: User) -> QuerySet[MessageTemplate]:
    """The district's advance-notice templates the user may see: all of them for those who edit them,
    the active ones (to pick when sending) for those who send notices, none for anyone else."""
    templates = MessageTemplate.objects.filter(district_id=user_district_id(user) or 0).order_by("code")
    if access.can_edit_templates(user):
        return templates
    if access.can_work(user):
        return templates.filter(active=True)
    return MessageTemplate.objects.none()
