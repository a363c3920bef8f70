"""API: the 동's monthly integrated case meetings, their attendees, agenda items, decisions, the minutes
(which apply every decision to its case at once) and the minutes export. Handlers only translate;
scoping is in casemeeting.access (agency visibility of cases in cases.access), writes in services."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from chatdong.accounts.access import agencies_visible_to
from chatdong.accounts.models import Agency, Role, User
from chatdong.audit.models import AccessLog
from chatdong.audit.services import access_log_record
from chatdong.casemeeting import access, selectors, services
from chatdong.casemeeting.models import AgendaItem, Meeting
from chatdong.casemeeting.schemas import (
    AgendaItemIn,
    AttendeeIn,
    AttendeeOut,
    DecisionIn,
    ExportIn,
    ItemRecordIn,
    MeetingDetailOut,
    MeetingIn,
    MeetingListOut,
    MeetingOut,
    MinutesIn,
    SuggestionOut,
)
from chatdong.cases import access as cases_access
from chatdong.cases.models import ServicePlan
from chatdong.core.api import ERRORS, Page, PageIn, api_user, page_body, page_of
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed

router = Router(tags=["통합사례회의"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _viewer(request: HttpRequest) -> User:
    user = api_user(request)
    if not access.can_view_meetings(user):
        raise PermissionDenied("통합사례회의를 볼 권한이 없습니다.")
    return user


def _runner(request: HttpRequest) -> User:
    user = api_user(request)
    if not access.can_run_meetings(user):
        if access.can_view_meetings(user):
            raise PermissionDenied("통합사례회의를 준비할 권한이 없습니다. 동 사례관리 담당자만 준비합니다.")
        raise PermissionDenied("통합사례회의를 볼 권한이 없습니다.")
    return user


def _detail(user: User, request: HttpRequest, meeting_id: int) -> selectors.MeetingView:
    return selectors.meeting_view(user=user, request=request, meeting_id=meeting_id)


def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = meeting.items.select_related("case", "meeting__dong").filter(pk=item_id).first()
    if item is None:
        raise NotFound("안건을 찾을 수 없습니다.")
    return item


@router.get("/case-meetings", response={200: Page[MeetingListOut], **ERRORS}, summary="통합사례회의 목록")
def meeting_list(
    request: HttpRequest, paging: Query[PageIn], dong_id: int | None = None
) -> dict[str, object]:
    """볼 수 있는 회의(동 사례관리 담당자: 자기 동, 구 사업담당: 구 전체, 민간기관: 참석한 회의), 최근 것부터."""
    rows, total = page_of(selectors.meeting_list(user=_viewer(request), dong_id=dong_id), paging)
    return page_body(rows, total, paging)


@router.post("/case-meetings", response={201: MeetingOut, **ERRORS}, summary="통합사례회의 만들기")
def meeting_create(request: HttpRequest, body: MeetingIn) -> Status[Any]:
    """자기 동의 회의를 만듭니다. 회의 주재(chair_id)는 이 동 직원이어야 하며, 참석자(공공)로 들어갑니다."""
    user = _runner(request)
    assert user.dong is not None
    chair = None
    if body.chair_id is not None:
        chair = User.objects.filter(pk=body.chair_id, dong=user.dong, is_active=True).first()
        if chair is None:
            raise ValidationFailed("회의 주재를 찾을 수 없습니다.", {"chair_id": ["이 동 직원이 아닙니다."]})
    meeting = services.meeting_plan(
        actor=user,
        dong=user.dong,
        held_on=body.held_on,
        place=body.place,
        starts_at=body.starts_at,
        chair=chair,
    )
    return Status(201, meeting)


@router.get(
    "/case-meetings/{meeting_id}", response={200: MeetingDetailOut, **ERRORS}, summary="통합사례회의 상세"
)
def meeting_detail(request: HttpRequest, meeting_id: int) -> selectors.MeetingView:
    """참석자와 안건·결정. 민간기관 사례관리자에게는 자기 기관에 공유된 사례의 안건만 나옵니다.
    안건의 대상자는 가린 이름으로만 나오며, 조회는 접속기록에 남습니다."""
    return _detail(_viewer(request), request, meeting_id)


@router.get(
    "/case-meetings/{meeting_id}/suggestions",
    response={200: list[SuggestionOut], **ERRORS},
    summary="안건 후보(결정이 필요한 사례)",
)
def meeting_suggestions(request: HttpRequest, meeting_id: int) -> list[selectors.Suggestion]:
    """사례회의 단계, 계획 승인 대기, 종결 제안, 처리기한 경과 사례 중 아직 안건에 없는 것."""
    user = _runner(request)
    meeting = selectors.meeting_runnable(user=user, meeting_id=meeting_id)
    suggestions = selectors.agenda_suggestions(user=user, meeting=meeting)
    access_log_record(
        user=user,
        request=request,
        action=AccessLog.Action.VIEW,
        object_type="case_meeting_suggestions",
        object_id=meeting.pk,
        subjects=[s.case.resident_id for s in suggestions if s.case.resident_id is not None],
    )
    return suggestions


@router.post(
    "/case-meetings/{meeting_id}/attendees", response={201: AttendeeOut, **ERRORS}, summary="참석자 추가"
)
def attendee_add(request: HttpRequest, meeting_id: int, body: AttendeeIn) -> Status[Any]:
    """user_id(동 직원 → 공공, 민간기관 사례관리자 → 민간) 또는 이름·소속(외부 전문가, 민간)."""
    user = api_user(request)
    meeting = selectors.meeting_for(user=_viewer(request), meeting_id=meeting_id)
    person = None
    if body.user_id is not None:
        person = (
            User.objects.filter(
                Q(dong_id=meeting.dong_id)
                | Q(role=Role.AGENCY_WORKER, agency__district_id=meeting.district_id),
                pk=body.user_id,
            )
            .select_related("agency")
            .first()
        )
        if person is None:
            raise ValidationFailed(
                "참석자 계정을 찾을 수 없습니다.", {"user_id": ["이 동 직원이나 구 안 기관 계정이 아닙니다."]}
            )
    attendee = services.attendee_add(
        actor=user,
        meeting=meeting,
        user=person,
        name=body.name,
        organisation=body.organisation,
        title=body.title,
    )
    return Status(201, attendee)


@router.delete(
    "/case-meetings/{meeting_id}/attendees/{attendee_id}",
    response={204: None, **ERRORS},
    summary="참석자 빼기",
)
def attendee_remove(request: HttpRequest, meeting_id: int, attendee_id: int) -> Status[Any]:
    user = api_user(request)
    meeting = selectors.meeting_for(user=_viewer(request), meeting_id=meeting_id)
    attendee = meeting.attendees.select_related("meeting").filter(pk=attendee_id).first()
    if attendee is None:
        raise NotFound("참석자를 찾을 수 없습니다.")
    services.attendee_remove(actor=user, attendee=attendee)
    return Status(204, None)


@router.post(
    "/case-meetings/{meeting_id}/items", response={201: MeetingDetailOut, **ERRORS}, summary="안건 추가"
)
def item_add(request: HttpRequest, meeting_id: int, body: AgendaItemIn) -> Status[Any]:
    """이 동의 사례(종결 전)를 안건에 올립니다. 답은 갱신된 회의 상세입니다."""
    user = api_user(request)
    meeting = selectors.meeting_for(user=_viewer(request), meeting_id=meeting_id)
    case = cases_access.cases_visible_to(user).filter(pk=body.case_id).first()
    if case is None:
        raise NotFound("사례를 찾을 수 없습니다.")
    services.agenda_item_add(
        actor=user,
        meeting=meeting,
        case=case,
        origin=AgendaItem.Origin.SUGGESTED if body.suggested else AgendaItem.Origin.MANUAL,
        reason=body.reason,
    )
    return Status(201, _detail(user, request, meeting.pk))


@router.delete(
    "/case-meetings/{meeting_id}/items/{item_id}", response={204: None, **ERRORS}, summary="안건 빼기"
)
def item_remove(request: HttpRequest, meeting_id: int, item_id: int) -> Status[Any]:
    user = api_user(request)
    meeting = selectors.meeting_for(user=_viewer(request), meeting_id=meeting_id)
    services.agenda_item_remove(actor=user, item=_item(meeting, item_id))
    return Status(204, None)


def _decision_input(
    body: DecisionIn, item: AgendaItem, agencies: dict[int, Agency]
) -> services.DecisionInput:
    missing = [
        pk for pk in [body.lead_agency_id, *body.co_agency_ids] if pk is not None and pk not in agencies
    ]
    if missing:
        raise ValidationFailed("기관을 찾을 수 없습니다.", {"agencies": [f"기관 {pk}" for pk in missing]})
    plan = None
    if body.plan_id is not None:
        plan = ServicePlan.objects.filter(pk=body.plan_id, case_id=item.case_id).first()
        if plan is None:
            raise ValidationFailed("계획을 찾을 수 없습니다.", {"plan_id": ["이 사례의 계획이 아닙니다."]})
    return services.DecisionInput(
        kind=body.kind,
        case_type=body.case_type,
        lead_agency=agencies[body.lead_agency_id] if body.lead_agency_id is not None else None,
        co_agencies=tuple(agencies[pk] for pk in body.co_agency_ids),
        plan=plan,
        close_reason=body.close_reason,
        follow_up_on=body.follow_up_on,
        note=body.note,
    )


@router.put(
    "/case-meetings/{meeting_id}/items/{item_id}",
    response={200: MeetingDetailOut, **ERRORS},
    summary="안건의 논의 내용과 결정 저장",
)
def item_record(
    request: HttpRequest, meeting_id: int, item_id: int, body: ItemRecordIn
) -> selectors.MeetingView:
    """논의 내용과 결정(대상자 구분·주사례관리 기관, 계획 승인, 종결)을 저장합니다(전에 적은 결정을
    바꿈). 사례에는 아직 반영하지 않습니다: POST …/minutes 로 회의록을 기록할 때 한꺼번에 반영합니다."""
    user = api_user(request)
    meeting = selectors.meeting_for(user=_viewer(request), meeting_id=meeting_id)
    item = _item(meeting, item_id)
    agencies = {a.pk: a for a in agencies_visible_to(user)}
    decisions = [_decision_input(d, item, agencies) for d in body.decisions]
    services.agenda_item_record(actor=user, item=item, discussion=body.discussion, decisions=decisions)
    return _detail(user, request, meeting.pk)


@router.post(
    "/case-meetings/{meeting_id}/minutes",
    response={200: MeetingDetailOut, **ERRORS},
    summary="회의록 기록(모든 결정 반영)",
)
def minutes_record(request: HttpRequest, meeting_id: int, body: MinutesIn) -> selectors.MeetingView:
    """모든 안건의 결정을 한 트랜잭션으로 사례에 반영합니다. 한 사례라도 거절되면 아무것도 반영하지
    않고 422와 함께 errors 에 `item-<안건 id>`별 사유를 돌려줍니다."""
    user = api_user(request)
    meeting = selectors.meeting_for(user=_viewer(request), meeting_id=meeting_id)
    services.meeting_minutes_record(actor=user, meeting=meeting, summary=body.summary)
    return _detail(user, request, meeting.pk)


@router.post("/case-meetings/{meeting_id}/close", response={200: MeetingOut, **ERRORS}, summary="회의 마감")
def meeting_close(request: HttpRequest, meeting_id: int) -> Meeting:
    user = api_user(request)
    meeting = selectors.meeting_for(user=_viewer(request), meeting_id=meeting_id)
    return services.meeting_close(actor=user, meeting=meeting)


@router.post(
    "/case-meetings/{meeting_id}/minutes.xlsx",
    response={**ERRORS},
    summary="회의록 내려받기(XLSX)",
    openapi_extra={"responses": {"200": {"description": "회의록 XLSX", "content": {XLSX: {}}}}},
)
def minutes_export(request: HttpRequest, meeting_id: int, body: ExportIn) -> HttpResponse:
    """회의 개요, 참석자, 안건별 사례번호·가린 이름·결정. 사유(reason)와 함께 다운로드로 접속기록에
    남습니다. 민간기관 사례관리자의 파일에는 공유된 사례의 안건만 들어갑니다."""
    user = _viewer(request)
    view = selectors.meeting_view(
        user=user,
        request=request,
        meeting_id=meeting_id,
        action=AccessLog.Action.DOWNLOAD,
        reason=body.reason,
    )
    response = HttpResponse(selectors.minutes_xlsx(view), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="case-meeting-{view.meeting.pk}-{view.meeting.held_on:%Y%m%d}.xlsx"'
    )
    return response
