"""API under /api/v1/ for programs and target lists. Handlers only translate: access is decided in
outreach.access, writes go through outreach.services, reads through outreach.selectors."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from chatdong.accounts.access import OVERVIEW_ROLES, can_view_personal_data
from chatdong.core.api import ERRORS, api_user
from chatdong.core.errors import NotFound, PermissionDenied
from chatdong.outreach import access, selectors, services
from chatdong.outreach.models import Program, Target, TargetRun
from chatdong.outreach.schemas import (
    AssignIn,
    ConsentIn,
    ExtractIn,
    ProgramOut,
    ProgramUpdateIn,
    RunOut,
    TargetDetailOut,
    TargetListOut,
    TargetListParams,
    TargetOut,
)

router = Router(tags=["방문 대상"])


def target_out(t: Target) -> dict[str, Any]:
    def staff(user: Any) -> dict[str, Any] | None:
        return (
            None
            if user is None
            else {"id": user.pk, "name": user.full_name or user.username, "role": user.role}
        )

    name = t.resident.name if t.resident is not None else _household_head_name(t)
    return {
        "id": t.pk,
        "program_id": t.program_id,
        "period_start": t.period_start,
        "period_end": t.period_end,
        "dong_id": t.dong_id,
        "dong_name": t.dong.name,
        "tong": t.ban.tong.number if t.ban else None,
        "ban": t.ban.number if t.ban else None,
        "resident_id": t.resident_id,
        "household_id": t.household_id,
        "name": name,
        "reason": t.reason,
        "source": t.source,
        "status": t.status,
        "status_note": t.status_note,
        "consent": t.consent,
        "consent_on": t.consent_on,
        "due_on": t.due_on,
        "visits_planned": t.visits_planned,
        "assignee": staff(t.assignee),
        "co_assignee": staff(t.co_assignee),
    }


def _household_head_name(t: Target) -> str:
    from chatdong.outreach.services import target_contact

    return target_contact(t)[1]


def _run_out(run: TargetRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "kind": run.kind,
        "program_id": run.program_id,
        "period_start": run.period_start,
        "counts": run.counts,
    }


@router.get("/outreach/programs", response={200: list[ProgramOut], **ERRORS}, summary="방문 사업 목록")
def program_list(request: HttpRequest) -> list[Program]:
    """구의 방문 사업과 대상 규칙. 사업 정보에는 개인정보가 없습니다."""
    user = api_user(request)
    if user.role not in OVERVIEW_ROLES:
        raise PermissionDenied("방문 사업을 볼 권한이 없습니다.")
    return list(access.programs_visible_to(user))


@router.get("/outreach/programs/{program_id}", response={200: ProgramOut, **ERRORS}, summary="방문 사업")
def program_detail(request: HttpRequest, program_id: int) -> Program:
    return selectors.program_for(api_user(request), program_id)


@router.patch(
    "/outreach/programs/{program_id}", response={200: ProgramOut, **ERRORS}, summary="방문 사업 규칙 수정"
)
def program_update(request: HttpRequest, program_id: int, body: ProgramUpdateIn) -> Program:
    """나이·기간·운영 여부·방문 역할을 고칩니다(구 사업담당·시스템 관리자)."""
    return services.program_update(
        actor=api_user(request),
        program_id=program_id,
        name=body.name,
        rule=body.rule,
        visit_roles=body.visit_roles,
        active=body.active,
        period=body.period,
        request=request,
    )


@router.post("/outreach/programs/{program_id}/extract", response={200: RunOut, **ERRORS}, summary="대상 추출")
def program_extract(request: HttpRequest, program_id: int, body: ExtractIn) -> dict[str, Any]:
    """기간의 대상 명단을 만들거나 다시 만듭니다(같은 사람은 중복되지 않음)."""
    user = api_user(request)
    if not access.can_extract(user):
        raise PermissionDenied("대상을 추출할 권한이 없습니다(구 사업담당·시스템 관리자).")
    program = selectors.program_for(user, program_id)
    return _run_out(
        services.targets_extract(actor=user, program=program, period_start=body.period_start, request=request)
    )


@router.get(
    "/outreach/programs/{program_id}/targets",
    response={200: TargetListOut, **ERRORS},
    summary="방문 대상 명단",
)
def target_list(request: HttpRequest, program_id: int, params: Query[TargetListParams]) -> dict[str, Any]:
    """볼 수 있는 범위의 대상 명단(기본: 거부·철회 제외 업무 목록). counts에는 거부·철회도 셉니다."""
    user = api_user(request)
    program = selectors.program_for(user, program_id)
    if not can_view_personal_data(user):
        raise PermissionDenied("방문 대상 명단을 볼 권한이 없습니다.")
    filters = selectors.Filters(
        dong_id=params.dong_id, consent=params.consent, status=params.status, assignee_id=params.assignee_id
    )
    queryset = selectors.targets_for_list(user, program, params.period_start, filters)
    total = queryset.count()
    offset = (params.page - 1) * params.page_size
    items = list(queryset[offset : offset + params.page_size])
    selectors.targets_list_log(
        user=user, request=request, program=program, period_start=params.period_start, targets=items
    )
    scope = access.targets_visible_to(user).filter(program=program, period_start=params.period_start)
    if params.dong_id:
        scope = scope.filter(dong_id=params.dong_id)
    return {
        "count": total,
        "page": params.page,
        "page_size": params.page_size,
        "counts": selectors.consent_counts(scope),
        "items": [target_out(t) for t in items],
    }


def _detail(user: Any, request: HttpRequest, target_id: int) -> dict[str, Any]:
    target = selectors.target_detail(user=user, target_id=target_id, request=request)
    body = target_out(target)
    body["changes"] = [{"at": c.at, "kind": c.kind, "reason": c.reason} for c in target.changes.all()]
    body["consents"] = [
        {"state": c.state, "on": c.on, "channel": c.channel, "note": c.note} for c in target.consents.all()
    ]
    return body


@router.get("/outreach/targets/{target_id}", response={200: TargetDetailOut, **ERRORS}, summary="방문 대상")
def target_detail(request: HttpRequest, target_id: int) -> dict[str, Any]:
    user = api_user(request)
    if not can_view_personal_data(user):
        raise PermissionDenied("방문 대상을 볼 권한이 없습니다.")
    return _detail(user, request, target_id)


@router.post(
    "/outreach/targets/{target_id}/consent", response={200: TargetOut, **ERRORS}, summary="방문 동의 기록"
)
def target_consent(request: HttpRequest, target_id: int, body: ConsentIn) -> dict[str, Any]:
    user = api_user(request)
    target = services.target_consent_record(
        actor=user,
        target_id=target_id,
        state=body.state,
        on=body.on,
        channel=body.channel,
        note=body.note,
        request=request,
    )
    return target_out(_reload(user, target.pk))


@router.post(
    "/outreach/targets/{target_id}/assign", response={200: TargetOut, **ERRORS}, summary="담당자 배정"
)
def target_assign(request: HttpRequest, target_id: int, body: AssignIn) -> dict[str, Any]:
    user = api_user(request)
    target = services.target_assign(
        actor=user,
        target_id=target_id,
        assignee_id=body.assignee_id,
        co_assignee_id=body.co_assignee_id,
        request=request,
    )
    return target_out(_reload(user, target.pk))


def _reload(user: Any, target_id: int) -> Target:
    target = (
        access.targets_visible_to(user)
        .select_related("resident", "dong", "ban__tong", "assignee", "co_assignee")
        .filter(pk=target_id)
        .first()
    )
    if target is None:
        raise NotFound("방문 대상을 찾을 수 없습니다.")
    return target
