"""API under /api/v1/ for visits: list/plan/record visits, screenings (scored on the server), health
assessments and the 서울아기 건강첫걸음 schedule. Handlers only translate; scope, permission and the
access log are in visits.access / selectors / services."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router

from chatdong.accounts.models import User
from chatdong.core.api import ERRORS, Page, PageIn, api_user, page_body
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.referrals.models import Referral
from chatdong.visits import access, selectors, services
from chatdong.visits.models import (
    HealthAssessment,
    HomeVisitSchedule,
    HomeVisitScheduleItem,
    Screening,
    Visit,
)
from chatdong.visits.schemas import (
    HealthIn,
    HealthOut,
    ScheduleIn,
    ScheduleOut,
    ScreeningIn,
    ScreeningOut,
    VisitDetailOut,
    VisitOut,
    VisitPlanIn,
    VisitRecordIn,
    VisitRecordOut,
)

router = Router(tags=["방문"])


def _lister(request: HttpRequest) -> User:
    user = api_user(request)
    if not access.can_list_visits(user):
        raise PermissionDenied("방문 기록을 볼 권한이 없습니다.")
    return user


def _colleague(user: User, staff_id: int | None, field: str) -> User | None:
    if staff_id is None:
        return None
    colleague = User.objects.filter(pk=staff_id, dong_id=user.dong_id or 0, is_active=True).first()
    if colleague is None:
        raise ValidationFailed("직원을 찾을 수 없습니다.", {field: ["이 동의 직원을 고르세요."]})
    return colleague


@router.get("/visits", response={200: Page[VisitOut], **ERRORS}, summary="방문 목록")
def visit_list(
    request: HttpRequest,
    paging: Query[PageIn],
    dong_id: int | None = None,
    staff_id: int | None = None,
    outcome: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    mine: bool = False,
) -> dict[str, object]:
    """볼 수 있는 방문(복지플래너·간호사: 자기 동의 자기 방문, 동장·팀장·수퍼바이저: 자기 동, 구 사업담당: 구),
    예정일 최근 것부터. 검색으로 접속기록에 남습니다."""
    rows, total = selectors.visit_list(
        user=_lister(request),
        request=request,
        dong_id=dong_id,
        staff_id=staff_id,
        outcome=outcome,
        date_from=date_from,
        date_to=date_to,
        mine=mine,
        offset=paging.offset,
        limit=paging.page_size,
    )
    return page_body(rows, total, paging)


@router.post("/visits", response={201: VisitOut, **ERRORS}, summary="방문 계획")
def visit_plan(request: HttpRequest, body: VisitPlanIn) -> tuple[int, Visit]:
    """대상(target_id)의 방문을 계획합니다. 동행자를 두면 복지플래너+간호사 공동 방문입니다."""
    user = api_user(request)
    if not access.can_plan_visits(user):
        raise PermissionDenied("방문을 계획할 권한이 없습니다.")
    target = (
        selectors.plannable_targets(user)
        .select_related("program", "resident")
        .filter(pk=body.target_id)
        .first()
    )
    if target is None:
        raise NotFound("대상을 찾을 수 없습니다.")
    item = None
    if body.schedule_item_id is not None:
        item = HomeVisitScheduleItem.objects.filter(
            pk=body.schedule_item_id, schedule__district_id=target.program.district_id
        ).first()
        if item is None:
            raise ValidationFailed(
                "일정 항목을 찾을 수 없습니다.", {"schedule_item_id": ["이 구의 일정 항목이 아닙니다."]}
            )
    visit = services.visit_plan(
        actor=user,
        target=target,
        scheduled_on=body.scheduled_on,
        staff=_colleague(user, body.staff_id, "staff_id"),
        co_staff=_colleague(user, body.co_staff_id, "co_staff_id"),
        schedule_item=item,
        request=request,
    )
    return 201, selectors.visit_scoped(user=user, visit_id=visit.pk)


@router.get("/visits/{visit_id}", response={200: VisitDetailOut, **ERRORS}, summary="방문 상세")
def visit_detail(request: HttpRequest, visit_id: int) -> Visit:
    """방문, 복지욕구 확인표, 마음건강 평가 번호(민감정보를 볼 수 있는 사람에게만), 보낸 의뢰. 접속기록에 남습니다."""
    detail = selectors.visit_get(user=_lister(request), visit_id=visit_id, request=request)
    visit = detail.visit
    visit.detail_needs = detail.needs  # type: ignore[attr-defined]  # read by VisitDetailOut
    visit.detail_screening_ids = [s.pk for s in detail.screenings]  # type: ignore[attr-defined]
    visit.detail_referral_ids = [r.pk for r in detail.referrals]  # type: ignore[attr-defined]
    return visit


@router.post("/visits/{visit_id}/record", response={200: VisitRecordOut, **ERRORS}, summary="방문 기록")
def visit_record(request: HttpRequest, visit_id: int, body: VisitRecordIn) -> dict[str, object]:
    """예정된 방문의 결과와 확인표·건강 평가·마음건강 평가를 한 번에 기록합니다(방문자·동행자만).
    양성(또는 긴급) 평가는 보건소 의약과 의뢰를 엽니다."""
    user = api_user(request)
    visit = selectors.visit_scoped(user=user, visit_id=visit_id)
    recorded = services.visit_record(
        actor=user,
        visit=visit,
        outcome=body.outcome,
        notes=body.notes,
        needs={k: v.dict() for k, v in body.needs.items()},
        health=body.health.dict() if body.health else None,
        screenings=[(s.kind, s.answers) for s in body.screenings],
        next_on=body.next_on,
        request=request,
    )
    next_visit = (
        selectors.visit_scoped(user=user, visit_id=recorded.next_visit.pk) if recorded.next_visit else None
    )
    return {
        "visit": selectors.visit_scoped(user=user, visit_id=visit_id),
        "next_visit": next_visit,
        "screenings": recorded.screenings,
        "referral_ids": [r.pk for r in recorded.referrals],
        "target_status": recorded.target_status,
    }


@router.post(
    "/visits/{visit_id}/screenings",
    response={201: ScreeningOut, **ERRORS},
    tags=["마음건강 평가"],
    summary="마음건강 평가 기록",
)
def screening_create(request: HttpRequest, visit_id: int, body: ScreeningIn) -> tuple[int, Screening]:
    """방문 완료된 방문에 평가를 더합니다(예: GDS-15 뒤의 SBQ-R). 점수·판정은 서버가 계산합니다."""
    user = api_user(request)
    visit = selectors.visit_scoped(user=user, visit_id=visit_id)
    return 201, services.screening_record(
        actor=user, visit=visit, kind=body.kind, answers=body.answers, request=request
    )


@router.get(
    "/screenings/{screening_id}",
    response={200: ScreeningOut, **ERRORS},
    tags=["마음건강 평가"],
    summary="마음건강 평가 상세",
)
def screening_detail(request: HttpRequest, screening_id: int) -> Screening:
    """민감정보: 방문자·동행자, 그 동의 간호사·수퍼바이저, 의뢰받은 보건소 의약과만. 접속기록에 남습니다."""
    return selectors.screening_get(user=api_user(request), screening_id=screening_id, request=request)


@router.get(
    "/referrals/{referral_id}/screening",
    response={200: dict[str, str], **ERRORS},
    tags=["마음건강 평가"],
    summary="의뢰의 마음건강 평가 요약",
)
def referral_screening(request: HttpRequest, referral_id: int) -> dict[str, str]:
    """보건소 의약과 의뢰 화면용 요약(평가 도구, 총점, 판정, 긴급, 문항별 점수). 접속기록에 남습니다."""
    user = api_user(request)
    referral = Referral.objects.filter(pk=referral_id, source=Referral.Source.SCREENING).first()
    summary = (
        selectors.screening_for_referral(user=user, referral=referral, request=request) if referral else None
    )
    if summary is None:
        raise NotFound("마음건강 평가를 찾을 수 없습니다.")
    return summary


@router.get(
    "/visits/{visit_id}/health-assessment",
    response={200: HealthOut, **ERRORS},
    tags=["건강 평가"],
    summary="건강 평가",
)
def health_detail(request: HttpRequest, visit_id: int) -> HealthAssessment:
    """민감정보: 방문자·동행자, 그 동의 간호사·수퍼바이저만. 접속기록에 남습니다."""
    return selectors.health_assessment_get(user=api_user(request), visit_id=visit_id, request=request)


@router.put(
    "/visits/{visit_id}/health-assessment",
    response={200: HealthOut, **ERRORS},
    tags=["건강 평가"],
    summary="건강 평가 기록",
)
def health_save(request: HttpRequest, visit_id: int, body: HealthIn) -> HealthAssessment:
    """방문 완료된 방문의 건강 평가를 기록하거나 바꿉니다(그 방문의 방문간호사만)."""
    user = api_user(request)
    visit = selectors.visit_scoped(user=user, visit_id=visit_id)
    return services.health_assessment_save(actor=user, visit=visit, data=body.dict(), request=request)


@router.get(
    "/home-visit-schedule",
    response={200: ScheduleOut, **ERRORS},
    tags=["서울아기 건강첫걸음"],
    summary="영유아 방문 일정",
)
def schedule_detail(request: HttpRequest) -> HomeVisitSchedule:
    """구의 서울아기 건강첫걸음 일정(보편 방문과 지속 방문 항목). 처음 부를 때 기본 일정이 만들어집니다."""
    return selectors.schedule_for_user(api_user(request))


@router.put(
    "/home-visit-schedule",
    response={200: ScheduleOut, **ERRORS},
    tags=["서울아기 건강첫걸음"],
    summary="영유아 방문 일정 고치기",
)
def schedule_replace(request: HttpRequest, body: ScheduleIn) -> HomeVisitSchedule:
    """항목 전체를 바꿉니다(id가 있는 항목은 유지·수정, 없는 항목은 추가, 빠진 항목은 삭제). 구 사업담당·보건소만."""
    user = api_user(request)
    schedule = selectors.schedule_for_user(user)
    services.schedule_items_replace(
        actor=user, schedule=schedule, items=[item.dict() for item in body.items], request=request
    )
    return schedule
