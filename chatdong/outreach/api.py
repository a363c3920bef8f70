"""API under /api/v1/ for programs, target lists, assignment, advance notices, templates and pregnancy
registrations: every action of the outreach pages. Handlers only translate: access is decided in
outreach.access, writes go through outreach.services, reads through outreach.selectors (and are logged
where the page logs them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_slug
from django.http import HttpRequest
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from chatdong.accounts.access import OVERVIEW_ROLES, can_view_personal_data
from chatdong.accounts.models import User
from chatdong.core.api import ERRORS, Page, PageIn, api_user, page_body, page_of
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.outreach import access, rules, selectors, services
from chatdong.outreach.models import (
    MessageTemplate,
    Notice,
    OutboxMessage,
    PregnancyRegistration,
    Program,
    Target,
    TargetRun,
)
from chatdong.outreach.schemas import (
    AssignAutoIn,
    AssignAutoOut,
    AssignIn,
    ConsentIn,
    ExtractIn,
    MessageTemplateIn,
    MessageTemplateOut,
    NoticeIn,
    NoticeOut,
    OutboxOut,
    PregnancyImportOut,
    PregnancyIn,
    PregnancyOut,
    ProgramOut,
    ProgramUpdateIn,
    RunOut,
    StaffLoadPageOut,
    TargetAddIn,
    TargetDetailOut,
    TargetListOut,
    TargetListParams,
    TargetOut,
)
from chatdong.registry.access import residents_visible_to

router = Router(tags=["방문 대상"])


def _staff_ref(user: Any) -> dict[str, Any] | None:
    return (
        None if user is None else {"id": user.pk, "name": user.full_name or user.username, "role": user.role}
    )


def target_out(t: Target) -> dict[str, Any]:
    staff = _staff_ref

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


def _fresh(target_id: int) -> Target:
    return Target.objects.select_related("resident", "dong", "ban__tong", "assignee", "co_assignee").get(
        pk=target_id
    )


# ---------------------------------------------------------------------------------------------------
# Adding and assigning targets (the target list page's forms)


@router.post(
    "/outreach/programs/{program_id}/targets",
    response={201: TargetOut, **ERRORS},
    summary="방문 대상 등록(직원)",
)
def target_add(request: HttpRequest, program_id: int, body: TargetAddIn) -> Status:
    """직원이 찾은 주민(숨은 위기가구, 위기 아동 등)을 기간의 대상으로 등록합니다. 세대 사업은 그 주민의
    세대를 등록하고, 취소된 대상이면 되살립니다. 주민은 볼 수 있는 범위여야 합니다(아니면 404)."""
    user = api_user(request)
    if not access.can_list_import(user):
        raise PermissionDenied("방문 대상을 등록할 권한이 없습니다.")
    program = selectors.program_for(user, program_id)
    resident = residents_visible_to(user).select_related("dong").filter(pk=body.resident_id).first()
    if resident is None:
        raise NotFound("주민을 찾을 수 없습니다.")
    target = services.target_add(
        actor=user,
        program=program,
        period_start=body.period_start,
        resident=resident,
        reason=body.reason,
        request=request,
    )
    # Not _reload: a worker may add someone to a program her role does not visit (and then not see it).
    return Status(201, target_out(_fresh(target.pk)))


@router.post(
    "/outreach/programs/{program_id}/targets/upload",
    response={200: RunOut, **ERRORS},
    summary="명단으로 대상 등록",
)
def target_list_upload(
    request: HttpRequest, program_id: int, period_start: Form[dt.date], file: File[UploadedFile]
) -> dict[str, Any]:
    """CSV 명단(첫 줄 `주민등록번호,사유`, UTF-8 또는 CP949)으로 대상을 등록합니다(multipart: period_start,
    file). 한 행이라도 오류가 있으면 아무것도 등록하지 않고 422의 errors에 행마다("3행") 고칠 내용을 줍니다."""
    user = api_user(request)
    if not access.can_list_import(user):
        raise PermissionDenied("명단으로 대상을 등록할 권한이 없습니다.")
    program = selectors.program_for(user, program_id)
    run = services.targets_list_import(
        actor=user, program=program, period_start=period_start, content=file.read(), request=request
    )
    return _run_out(run)


@router.post(
    "/outreach/programs/{program_id}/assign-auto",
    response={200: AssignAutoOut, **ERRORS},
    summary="자동 배정",
)
def target_assign_auto(request: HttpRequest, program_id: int, body: AssignAutoIn) -> dict[str, int]:
    """동의 미배정 진행 대상을 반 구역 담당자(사업의 방문 역할일 때)에게, 그 밖에는 진행 대상이 가장 적은
    방문 직원에게 배정합니다(동장·팀장·복지수퍼바이저는 자기 동, 구 사업담당은 구의 모든 동)."""
    user = api_user(request)
    if not access.can_assign(user):
        raise PermissionDenied("대상을 배정할 권한이 없습니다.")
    program = selectors.program_for(user, program_id)
    start, _ = rules.period_bounds(program.period, body.period_start)
    dong = access.target_dongs(user).filter(pk=body.dong_id).first()
    if dong is None:
        raise NotFound("동을 찾을 수 없습니다.")
    return services.targets_assign_auto(
        actor=user, program=program, period_start=start, dong=dong, request=request
    )


@router.get("/outreach/load", response={200: StaffLoadPageOut, **ERRORS}, summary="담당자별 업무량")
def staff_load(request: HttpRequest, dong_id: int | None = None) -> dict[str, Any]:
    """동의 방문 직원별 진행 대상(거부·철회 제외), 이번 달 기한, 기한 지남, 동행 건수. dong_id가 없으면 볼 수
    있는 첫 동입니다(동장·팀장·복지수퍼바이저·구 사업담당)."""
    user = api_user(request)
    if not access.can_view_load(user):
        raise PermissionDenied("담당자별 업무량을 볼 권한이 없습니다(동장·팀장·복지수퍼바이저·구 사업담당).")
    dongs = list(access.load_dongs(user))
    if dong_id is None:
        dong = dongs[0] if dongs else None
    else:
        dong = next((d for d in dongs if d.pk == dong_id), None)
        if dong is None:
            raise NotFound("동을 찾을 수 없습니다.")
    rows = selectors.staff_load(user, dong) if dong is not None else []
    return {
        "dongs": [{"id": d.pk, "name": d.name} for d in dongs],
        "dong": None if dong is None else {"id": dong.pk, "name": dong.name},
        "rows": [
            {
                "staff": _staff_ref(r.user),
                "open": r.open,
                "due_this_month": r.due_this_month,
                "overdue": r.overdue,
                "co_open": r.co_open,
            }
            for r in rows
        ],
    }


# ---------------------------------------------------------------------------------------------------
# Advance notices (사전안내), the outbox and the message templates


@router.post(
    "/outreach/targets/{target_id}/notice",
    response={200: NoticeOut, **ERRORS},
    summary="사전안내 문자 보내기",
)
def target_notice(request: HttpRequest, target_id: int, body: NoticeIn) -> Notice:
    """서식을 채워 저장한 뒤(커밋 후) 문자 발송 방식으로 보냅니다. 같은 대상·서식·방문 예정일로 다시 요청하면
    같은 안내를 돌려주고 두 번 보내지 않습니다. status는 발송 결과(queued, sending, sent, failed)입니다."""
    notice = services.notice_send(
        actor=api_user(request),
        target_id=target_id,
        template_id=body.template_id,
        visit_on=body.visit_on,
        request=request,
    )
    notice.refresh_from_db()
    return notice


def _outbox_out(m: OutboxMessage) -> dict[str, Any]:
    target = m.notice.target if m.notice is not None else None
    return {
        "id": m.pk,
        "created_at": m.created_at,
        "notice_id": m.notice_id,
        "target_id": target.pk if target is not None else None,
        "name": "" if target is None else (target.resident.name if target.resident is not None else "세대"),
        "dong_name": target.dong.name if target is not None else "",
        "phone": m.phone,
        "body": m.body,
    }


@router.get("/outreach/outbox", response={200: list[OutboxOut], **ERRORS}, summary="문자 발송함")
def outbox(request: HttpRequest) -> list[dict[str, Any]]:
    """기본 문자 발송 방식이 기록한 최근 100건 중 내가 맡을 수 있는 대상의 문자. 전화번호는 개인정보라
    조회가 접속기록에 남습니다."""
    return [_outbox_out(m) for m in selectors.outbox_for(user=api_user(request), request=request)]


@router.get(
    "/outreach/message-templates",
    response={200: list[MessageTemplateOut], **ERRORS},
    summary="안내 문자 서식 목록",
)
def message_template_list(request: HttpRequest) -> list[MessageTemplate]:
    """구의 사전안내 서식. 서식을 고치는 역할(구 사업담당·시스템 관리자·동장·팀장·복지수퍼바이저)은 모두,
    사전안내를 보내는 역할은 보낼 때 고를 수 있는 사용 중인 서식만 봅니다."""
    user = api_user(request)
    if not (access.can_edit_templates(user) or access.can_work(user)):
        raise PermissionDenied("안내 문자 서식을 볼 권한이 없습니다.")
    return list(selectors.message_templates_for(user))


@router.put(
    "/outreach/message-templates/{code}",
    response={200: MessageTemplateOut, **ERRORS},
    summary="안내 문자 서식 저장",
)
def message_template_save(request: HttpRequest, code: str, body: MessageTemplateIn) -> MessageTemplate:
    """코드(영문·숫자·-·_, 40자까지)의 서식을 만들거나 고칩니다. 문안의 자리표시는
    {이름} {방문예정일} {담당자} {연락처} {사업명} {동}만 쓸 수 있습니다(아니면 422)."""
    user = api_user(request)
    if not access.can_edit_templates(user):
        raise PermissionDenied("안내 문자 서식을 고칠 권한이 없습니다.")
    try:
        validate_slug(code)
    except DjangoValidationError:
        raise ValidationFailed(
            "코드는 영문·숫자·-·_ 로 적어 주세요.", {"code": ["영문·숫자·-·_ 로 적어 주세요."]}
        ) from None
    if len(code) > 40:
        raise ValidationFailed("코드는 40자까지입니다.", {"code": ["40자까지 적어 주세요."]})
    return services.message_template_save(
        actor=user, code=code, name=body.name, body=body.body, active=body.active, request=request
    )


# ---------------------------------------------------------------------------------------------------
# Pregnancy registrations (보건소 임산부 등록)


def _pregnancy_reader(user: User) -> None:
    if not can_view_personal_data(user) or user.role not in access.PREGNANCY_ROLES:
        raise PermissionDenied("임산부 등록을 볼 권한이 없습니다.")


def _pregnancy_writer(user: User) -> None:
    _pregnancy_reader(user)
    if not services.can_register_pregnancy(user):
        raise PermissionDenied("임산부 등록 권한이 없습니다(영유아 건강간호사·구 사업담당).")


def _pregnancy_out(r: PregnancyRegistration) -> dict[str, Any]:
    return {
        "id": r.pk,
        "resident_id": r.resident_id,
        "name": r.resident.name,
        "dong_id": r.dong_id,
        "dong_name": r.dong.name,
        "expected_delivery_on": r.expected_delivery_on,
        "registered_on": r.registered_on,
        "delivered_on": r.delivered_on,
        "note": r.note,
    }


@router.get("/outreach/pregnancies", response={200: Page[PregnancyOut], **ERRORS}, summary="임산부 등록 목록")
def pregnancy_list(request: HttpRequest, paging: Query[PageIn]) -> dict[str, object]:
    """볼 수 있는 범위의 임산부 등록(최근 등록일 순). 조회한 사람은 접속기록에 남습니다."""
    user = api_user(request)
    _pregnancy_reader(user)
    queryset = (
        access.pregnancies_visible_to(user)
        .select_related("resident", "dong")
        .order_by("-registered_on", "-pk")
    )
    items, total = page_of(queryset, paging)
    selectors.pregnancies_log(user=user, request=request, registrations=items)
    return page_body([_pregnancy_out(r) for r in items], total, paging)


@router.post("/outreach/pregnancies", response={200: PregnancyOut, **ERRORS}, summary="임산부 등록")
def pregnancy_register(request: HttpRequest, body: PregnancyIn) -> dict[str, Any]:
    """한 명을 등록합니다: 주민은 resident_id 또는 본문의 rrn(주민등록번호)으로, 둘 중 하나만 보냅니다.
    같은 주민·같은 출산 예정일의 등록이 있으면 고칩니다(영유아 건강간호사·구 사업담당)."""
    user = api_user(request)
    _pregnancy_writer(user)
    if (body.resident_id is None) == (body.rrn is None):
        raise ValidationFailed(
            "resident_id와 rrn 중 하나만 보내 주세요.", {"resident_id": ["주민 또는 주민등록번호 중 하나만"]}
        )
    if body.resident_id is not None:
        found = residents_visible_to(user).filter(pk=body.resident_id).first()
        if found is None:
            raise NotFound("주민을 찾을 수 없습니다.")
        resident = found
    else:
        resident = services.resident_by_rrn(actor=user, rrn=body.rrn or "")
    registration = services.pregnancy_register(
        actor=user,
        resident=resident,
        expected_delivery_on=body.expected_delivery_on,
        registered_on=body.registered_on,
        delivered_on=body.delivered_on,
        note=body.note,
        request=request,
    )
    return _pregnancy_out(
        PregnancyRegistration.objects.select_related("resident", "dong").get(pk=registration.pk)
    )


@router.post(
    "/outreach/pregnancies/upload",
    response={200: PregnancyImportOut, **ERRORS},
    summary="임산부 등록 명단 올리기",
)
def pregnancy_upload(request: HttpRequest, file: File[UploadedFile]) -> dict[str, int]:
    """보건소 명단 CSV(첫 줄 `주민등록번호,출산예정일,등록일,출산일`, 출산일은 비워도 됨). 한 행이라도 오류가
    있으면 아무것도 등록하지 않고 422의 errors에 행마다 고칠 내용을 줍니다."""
    user = api_user(request)
    _pregnancy_writer(user)
    return services.pregnancies_import(actor=user, content=file.read(), request=request)
