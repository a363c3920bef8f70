"""API under /api/v1/ for referrals, the counseling desk and the agency directory. Handlers only
translate; scoping, logging and the rules are in referrals.selectors / services / access."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from chatdong.accounts.access import DONG_ROLES
from chatdong.accounts.models import Agency, Dong, Role, User
from chatdong.core.api import ERRORS, Page, PageIn, api_user, page_body, page_of
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.referrals import access, selectors, services
from chatdong.referrals.models import DeskConsultation, DeskNeed, Referral
from chatdong.referrals.schemas import (
    AgencyFindingIn,
    AgencyOut,
    ConsultationIn,
    ConsultationOut,
    ForwardIn,
    NoteIn,
    OpenCaseIn,
    OpenCaseOut,
    ReasonIn,
    ReferralDetailOut,
    ReferralOut,
    ResultIn,
    RouteIn,
)
from chatdong.registry.access import residents_visible_to

router = Router(tags=["의뢰"])


class ReferralListIn(PageIn):
    box: Literal["inbox", "sent"] = "inbox"
    open_only: bool = True


class AgencyListIn(Schema):
    q: str = ""
    category: str = ""


@router.get("/referrals", response={200: Page[ReferralOut], **ERRORS}, summary="받은 의뢰·보낸 의뢰")
def referral_list(request: HttpRequest, params: Query[ReferralListIn]) -> dict[str, object]:
    """box=inbox: 내가(내 기관·의약과가) 처리할 의뢰(긴급 먼저, 기한 순); box=sent: 내가 보낸 의뢰와 결과."""
    user = api_user(request)
    if params.box == "inbox":
        queryset = selectors.inbox_queryset(user=user, open_only=params.open_only)
    else:
        queryset = selectors.sent_queryset(user=user)
    rows, total = page_of(queryset, params)
    selectors.log_referral_list(user=user, request=request, rows=rows, what=params.box)
    return page_body(rows, total, params)


@router.post(
    "/referrals/agency-finding",
    response={201: ReferralDetailOut, **ERRORS},
    summary="민간기관 발굴 의뢰 보내기",
)
def agency_finding(request: HttpRequest, body: AgencyFindingIn) -> Status[Referral]:
    """기관 사례관리자만: 구 안의 동 주민센터(빈곤위기가정 복지플래너, 없으면 팀장·동장)로 보냅니다.
    결과는 box=sent 목록과 알림으로 돌아옵니다."""
    user = api_user(request)
    if not access.can_send_agency_finding(user):
        raise PermissionDenied("민간기관 사례관리자만 발굴 의뢰를 보냅니다.")
    dong = Dong.objects.filter(pk=body.dong_id).select_related("district").first()
    if dong is None:
        raise ValidationFailed("동을 고르세요.", {"dong_id": ["없는 동입니다."]})
    referral = services.referral_agency_finding(
        actor=user,
        dong=dong,
        name=body.name,
        need_category=body.need_category,
        summary=body.summary,
        urgent=body.urgent,
        birth_date=body.birth_date,
        phone=body.phone,
        address=body.address,
    )
    return Status(201, _after(user, request, referral.pk))


@router.get("/referrals/{referral_id}", response={200: ReferralDetailOut, **ERRORS}, summary="의뢰 상세")
def referral_detail(request: HttpRequest, referral_id: int) -> Referral:
    """범위 밖이면 404. 조회는 접속기록에 남습니다."""
    return selectors.referral_get(user=api_user(request), request=request, referral_id=referral_id)


def _scoped(user: User, request: HttpRequest, referral_id: int) -> Referral:
    return selectors.referral_get(user=user, request=request, referral_id=referral_id, log=False)


def _after(user: User, request: HttpRequest, referral_id: int) -> Referral:
    return selectors.referral_get(user=user, request=request, referral_id=referral_id, log=False)


@router.post("/referrals/{referral_id}/accept", response={200: ReferralDetailOut, **ERRORS}, summary="접수")
def referral_accept(request: HttpRequest, referral_id: int, body: NoteIn) -> Referral:
    user = api_user(request)
    services.referral_accept(actor=user, referral=_scoped(user, request, referral_id), note=body.note)
    return _after(user, request, referral_id)


@router.post("/referrals/{referral_id}/decline", response={200: ReferralDetailOut, **ERRORS}, summary="거절")
def referral_decline(request: HttpRequest, referral_id: int, body: ReasonIn) -> Referral:
    user = api_user(request)
    services.referral_decline(actor=user, referral=_scoped(user, request, referral_id), reason=body.reason)
    return _after(user, request, referral_id)


@router.post(
    "/referrals/{referral_id}/complete",
    response={200: ReferralDetailOut, **ERRORS},
    summary="처리 완료(결과 회신)",
)
def referral_complete(request: HttpRequest, referral_id: int, body: ResultIn) -> Referral:
    user = api_user(request)
    services.referral_complete(actor=user, referral=_scoped(user, request, referral_id), result=body.result)
    return _after(user, request, referral_id)


@router.post("/referrals/{referral_id}/return", response={200: ReferralDetailOut, **ERRORS}, summary="반송")
def referral_return(request: HttpRequest, referral_id: int, body: ReasonIn) -> Referral:
    user = api_user(request)
    services.referral_return(actor=user, referral=_scoped(user, request, referral_id), reason=body.reason)
    return _after(user, request, referral_id)


@router.post(
    "/referrals/{referral_id}/open-case",
    response={200: OpenCaseOut, **ERRORS},
    summary="발굴 의뢰를 사례로 등록",
)
def referral_open_case(request: HttpRequest, referral_id: int, body: OpenCaseIn) -> dict[str, object]:
    """민간기관 발굴 의뢰를 받은 담당자만: 이 동의 주민을 골라 사례관리 대장에 올리고(발굴 경로 agency),
    의뢰는 접수·처리 완료되어 결과가 기관에 갑니다. 하나라도 실패하면 아무것도 바뀌지 않습니다."""
    user = api_user(request)
    referral = _scoped(user, request, referral_id)
    if not access.is_receiver(user, referral):
        raise PermissionDenied("이 의뢰를 받은 담당자만 사례로 등록할 수 있습니다.")
    resident = residents_visible_to(user).filter(pk=body.resident_id).first()
    if resident is None:
        raise NotFound("주민을 찾을 수 없습니다.")
    _, case = services.referral_open_case(
        actor=user, referral=referral, resident=resident, summary=body.summary
    )
    return {"case_id": case.pk, "referral": _after(user, request, referral_id)}


def _receiver_user(referral_district_id: int, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    return User.objects.filter(pk=user_id, dong__district_id=referral_district_id).first() or (
        User.objects.filter(pk=user_id, district_id=referral_district_id, role=Role.DISTRICT_STAFF).first()
    )


def _agency(district_id: int, agency_id: int | None) -> Agency | None:
    if agency_id is None:
        return None
    return Agency.objects.filter(pk=agency_id, district_id=district_id).first()


@router.post(
    "/referrals/{referral_id}/forward", response={200: ReferralDetailOut, **ERRORS}, summary="재의뢰"
)
def referral_forward(request: HttpRequest, referral_id: int, body: ForwardIn) -> Referral:
    """다른 곳으로 넘깁니다: 새 회신 기한, 반송·재의뢰 횟수 +1."""
    user = api_user(request)
    referral = _scoped(user, request, referral_id)
    moved = services.referral_forward(
        actor=user,
        referral=referral,
        to_kind=body.to_kind,
        to_user=_receiver_user(referral.district_id, body.to_user_id),
        to_agency=_agency(referral.district_id, body.to_agency_id),
        reason=body.reason,
    )
    # A receiver who hands the referral on no longer sees it; they get the state they left it in.
    if access.referrals_visible_to(user).filter(pk=moved.pk).exists():
        return _after(user, request, referral_id)
    return moved


# --- desk ------------------------------------------------------------------------------------------


@router.post(
    "/desk/consultations",
    response={201: ConsultationOut, **ERRORS},
    tags=["복지상담"],
    summary="복지상담 기록",
)
def consultation_create(request: HttpRequest, body: ConsultationIn) -> Status[DeskConsultation]:
    user = api_user(request)
    if not access.can_use_desk(user):
        raise PermissionDenied("복지상담은 동 직원이 기록합니다.")
    resident = None
    if body.resident_id is not None:
        resident = residents_visible_to(user).filter(pk=body.resident_id).first()
        if resident is None:
            raise NotFound("주민을 찾을 수 없습니다.")
    consultation = services.desk_consultation_create(
        actor=user,
        needs=[(n.category, n.note) for n in body.needs],
        resident=resident,
        name=body.name,
        phone=body.phone,
        birth_date=body.birth_date,
        note=body.note,
    )
    return Status(201, consultation)


@router.get(
    "/desk/consultations/{consultation_id}",
    response={200: ConsultationOut, **ERRORS},
    tags=["복지상담"],
    summary="복지상담 상세",
)
def consultation_detail(request: HttpRequest, consultation_id: int) -> DeskConsultation:
    return selectors.consultation_get(
        user=api_user(request), request=request, consultation_id=consultation_id
    )


@router.post(
    "/desk/needs/{need_id}/route",
    response={200: ConsultationOut, **ERRORS},
    tags=["복지상담"],
    summary="욕구 연계",
)
def need_route(request: HttpRequest, need_id: int, body: RouteIn) -> DeskConsultation:
    """staff: 동 담당자 인계 · planner: 빈곤위기가정 플래너 의뢰 + 사례 등록 · agency: 기관 의뢰 · desk: 상담 종결."""
    user = api_user(request)
    need = (
        DeskNeed.objects.filter(consultation__in=access.consultations_visible_to(user), pk=need_id)
        .select_related("consultation", "consultation__dong", "consultation__resident")
        .first()
    )
    if need is None:
        raise NotFound("상담 기록을 찾을 수 없습니다.")
    dong_id = need.consultation.dong_id
    to_user = (
        User.objects.filter(pk=body.to_user_id, dong_id=dong_id, role__in=DONG_ROLES).first()
        if body.to_user_id is not None
        else None
    )
    if body.to_user_id is not None and to_user is None:
        raise ValidationFailed("이 동의 직원을 고르세요.", {"to_user_id": ["이 동의 직원을 고르세요."]})
    services.desk_need_route(
        actor=user,
        need=need,
        route=body.route,
        to_user=to_user,
        to_agency=_agency(need.consultation.district_id, body.to_agency_id),
        summary=body.summary,
    )
    return selectors.consultation_get(user=user, request=request, consultation_id=need.consultation_id)


# --- agency directory ------------------------------------------------------------------------------


@router.get("/agencies", response={200: list[AgencyOut], **ERRORS}, tags=["기관 안내"], summary="기관 목록")
def agency_list(request: HttpRequest, params: Query[AgencyListIn]) -> list[Agency]:
    """구 안의 기관; q(이름·서비스), category(욕구 영역 코드)로 거릅니다."""
    return selectors.agency_search(user=api_user(request), query=params.q, category=params.category)


@router.get(
    "/agencies/{agency_id}", response={200: AgencyOut, **ERRORS}, tags=["기관 안내"], summary="기관 상세"
)
def agency_detail(request: HttpRequest, agency_id: int) -> Agency:
    return selectors.agency_get(user=api_user(request), agency_id=agency_id)
