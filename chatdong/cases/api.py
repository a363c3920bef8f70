"""API under /api/v1/ for case management: the register, a case, and every action of the chain.
Handlers only translate; scope, permissions and the access log are in cases.access / services /
selectors. Out of scope: 404; a visible case the role may not act on: 403; a refused move: 422."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from chatdong.accounts.models import Agency, User
from chatdong.cases import access, selectors, services
from chatdong.cases.models import Case, Consent, ServicePlan
from chatdong.cases.schemas import (
    AdvanceIn,
    AgenciesIn,
    AssessmentIn,
    AssessmentOut,
    CaseDetailOut,
    CaseListFilter,
    CaseOpenIn,
    CaseOut,
    CheckIn,
    CheckOut,
    ClassifyIn,
    CloseIn,
    ConsentIn,
    ConsentOut,
    LinkageIn,
    LinkageOut,
    PlanIn,
    PlanOut,
    SupervisionIn,
    SupervisionOut,
)
from chatdong.core.api import ERRORS, Page, PageIn, api_user, page_body
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.core.time import today
from chatdong.registry.access import residents_visible_to

router = Router(tags=["사례관리"])
# Plain columns of Case that the schemas copy as they are.
_CASE_FIELDS = frozenset(f.name for f in Case._meta.concrete_fields if not f.is_relation)


def _user(request: HttpRequest) -> User:
    user = api_user(request)
    if not access.can_use_cases(user):
        raise PermissionDenied("사례관리를 쓸 권한이 없습니다.")
    return user


def _case(user: User, case_id: int) -> Case:
    return selectors.case_get(user=user, case_id=case_id)


def _agency(case: Case, agency_id: int | None) -> Agency | None:
    if agency_id is None:
        return None
    agency = Agency.objects.filter(pk=agency_id, district_id=case.district_id).first()
    if agency is None:
        raise ValidationFailed("기관을 찾을 수 없습니다.", {"agency": [f"기관 {agency_id}번이 없습니다."]})
    return agency


def _agencies(case: Case, ids: list[int]) -> list[Agency]:
    return [a for a in (_agency(case, i) for i in dict.fromkeys(ids)) if a is not None]


def _summary(case: Case) -> dict[str, object]:
    day = today()
    return {
        **{f: getattr(case, f) for f in CaseOut.model_fields if f in _CASE_FIELDS},
        "dong": case.dong,
        "resident": case.resident,
        "household_id": case.household_id,
        "worker": case.worker,
        "lead_agency": case.lead_agency,
        "step_label": case.get_step_display(),
        "overdue": bool(case.due_on and case.due_on < day),
    }


def _detail(user: User, request: HttpRequest, case_id: int, *, log: bool = True) -> dict[str, object]:
    p = selectors.case_profile(user=user, request=request, case_id=case_id, log=log)
    case = p.case
    return {
        **_summary(case),
        **{
            f: getattr(case, f)
            for f in CaseDetailOut.model_fields
            if f in _CASE_FIELDS and f not in CaseOut.model_fields
        },
        "shared_scope": sorted(p.scopes),
        "timeline": p.timeline,
        "agencies": p.agencies,
        "consents": p.consents,
        "assessments": p.assessments,
        "plans": p.plans,
        "linkages": p.linkages,
        "checks": p.checks,
        "supervisions": p.supervisions,
    }


@router.get("/cases", response={200: Page[CaseOut], **ERRORS}, summary="사례 목록")
def case_list(
    request: HttpRequest, filters: Query[CaseListFilter], paging: Query[PageIn]
) -> dict[str, object]:
    """볼 수 있는 사례(동 직원: 자기 동, 구 사업담당: 구 전체, 민간기관: 공유되고 정보제공동의가 유효한
    사례). 검색으로 접속기록에 남습니다."""
    user = _user(request)
    queryset = selectors.case_list(
        user=user,
        request=request,
        filters=selectors.CaseFilter(
            step=filters.step if filters.step in Case.Step.values else "",
            overdue=filters.overdue,
            risk=filters.risk,
            worker_id=filters.worker_id,
            agency_id=filters.agency_id,
            dong_id=filters.dong_id,
        ),
    )
    total = queryset.count()
    rows = [_summary(c) for c in queryset[paging.offset : paging.offset + paging.page_size]]
    return page_body(rows, total, paging)


@router.get("/cases/{case_id}", response={200: CaseDetailOut, **ERRORS}, summary="사례 상세")
def case_detail(request: HttpRequest, case_id: int) -> dict[str, object]:
    """진행 경과, 참여 기관, 동의, 조사, 계획, 연계, 점검, 수퍼비전. 민간기관은 동의 범위의 부분만 받습니다.
    접속기록에 남습니다."""
    user = _user(request)
    return _detail(user, request, case_id)


@router.post("/cases", response={201: CaseDetailOut, **ERRORS}, summary="사례 등록(발굴)")
def case_open(request: HttpRequest, body: CaseOpenIn) -> Status[dict[str, object]]:
    """자기 동 주민을 발굴 단계의 사례로 등록합니다."""
    user = _user(request)
    resident = residents_visible_to(user).select_related("dong").filter(pk=body.resident_id).first()
    if resident is None:
        raise NotFound("주민을 찾을 수 없습니다.")
    case = services.case_open(
        actor=user, dong=resident.dong, summary=body.summary, source=body.source, resident=resident
    )
    return Status(201, _detail(user, request, case.pk, log=False))


@router.post("/cases/{case_id}/advance", response={200: CaseDetailOut, **ERRORS}, summary="다음 단계로")
def case_advance(request: HttpRequest, case_id: int, body: AdvanceIn) -> dict[str, object]:
    """사례관리 단계표에 있는 이동만 됩니다. 구분·선정(classify)과 종결(close)은 따로 있습니다."""
    user = _user(request)
    services.case_advance(
        actor=user,
        case=_case(user, case_id),
        to_step=body.to_step,
        note=body.note,
        follow_up_on=body.follow_up_on,
        request=request,
    )
    return _detail(user, request, case_id, log=False)


@router.post("/cases/{case_id}/classify", response={200: CaseDetailOut, **ERRORS}, summary="대상자 구분·선정")
def case_classify(request: HttpRequest, case_id: int, body: ClassifyIn) -> dict[str, object]:
    user = _user(request)
    case = _case(user, case_id)
    services.case_classify(
        actor=user,
        case=case,
        case_type=body.case_type,
        lead_agency=_agency(case, body.lead_agency_id),
        co_agencies=_agencies(case, body.co_agency_ids),
        note=body.note,
        meeting_on=body.meeting_on,
        request=request,
    )
    return _detail(user, request, case_id, log=False)


@router.put("/cases/{case_id}/agencies", response={200: CaseDetailOut, **ERRORS}, summary="참여 기관")
def case_agencies(request: HttpRequest, case_id: int, body: AgenciesIn) -> dict[str, object]:
    user = _user(request)
    case = _case(user, case_id)
    services.case_agencies_set(
        actor=user,
        case=case,
        lead_agency=_agency(case, body.lead_agency_id),
        co_agencies=_agencies(case, body.co_agency_ids),
        request=request,
    )
    return _detail(user, request, case_id, log=False)


@router.post(
    "/cases/{case_id}/assessments", response={201: AssessmentOut, **ERRORS}, summary="욕구 및 위기도 조사"
)
def case_assessment(request: HttpRequest, case_id: int, body: AssessmentIn) -> Status[object]:
    user = _user(request)
    assessment = services.case_assessment_record(
        actor=user,
        case=_case(user, case_id),
        domains=[services.DomainIn(d.category, d.risk, d.need) for d in body.domains],
        overall_risk=body.overall_risk,
        summary=body.summary,
        assessed_on=body.assessed_on,
        request=request,
    )
    return Status(201, assessment)


@router.post("/cases/{case_id}/plans", response={201: PlanOut, **ERRORS}, summary="서비스 제공계획 작성")
def case_plan(request: HttpRequest, case_id: int, body: PlanIn) -> Status[object]:
    user = _user(request)
    case = _case(user, case_id)
    plan = services.case_plan_save(
        actor=user,
        case=case,
        goals=body.goals,
        start_on=body.start_on,
        end_on=body.end_on,
        items=[
            services.PlanItemIn(
                category=i.category,
                service=i.service,
                start_on=i.start_on,
                end_on=i.end_on,
                agency=_agency(case, i.agency_id),
                agency_name=i.agency_name,
                person=i.person,
            )
            for i in body.items
        ],
        request=request,
    )
    return Status(201, plan)


@router.post(
    "/cases/{case_id}/plans/{plan_id}/approve", response={200: PlanOut, **ERRORS}, summary="계획 승인"
)
def case_plan_approve(request: HttpRequest, case_id: int, plan_id: int) -> ServicePlan:
    user = _user(request)
    case = _case(user, case_id)
    plan = case.plans.filter(pk=plan_id).first()
    if plan is None:
        raise NotFound("계획을 찾을 수 없습니다.")
    return services.case_plan_approve(actor=user, case=case, plan=plan, request=request)


@router.post("/cases/{case_id}/linkages", response={201: LinkageOut, **ERRORS}, summary="서비스 연계 기록")
def case_linkage(request: HttpRequest, case_id: int, body: LinkageIn) -> Status[object]:
    user = _user(request)
    case = _case(user, case_id)
    linkage = services.case_linkage_record(
        actor=user,
        case=case,
        kind=body.kind,
        category=body.category,
        service=body.service,
        provided_on=body.provided_on,
        provider=_agency(case, body.provider_id),
        provider_name=body.provider_name,
        amount=body.amount,
        note=body.note,
        request=request,
    )
    return Status(201, linkage)


@router.post("/cases/{case_id}/checks", response={201: CheckOut, **ERRORS}, summary="점검·기록")
def case_check(request: HttpRequest, case_id: int, body: CheckIn) -> Status[object]:
    user = _user(request)
    check = services.case_check_record(
        actor=user, case=_case(user, case_id), text=body.text, kind=body.kind, on=body.on, request=request
    )
    return Status(201, check)


@router.post("/cases/{case_id}/close", response={200: CaseDetailOut, **ERRORS}, summary="종결")
def case_close(request: HttpRequest, case_id: int, body: CloseIn) -> dict[str, object]:
    user = _user(request)
    services.case_close(
        actor=user,
        case=_case(user, case_id),
        reason=body.reason,
        follow_up_on=body.follow_up_on,
        note=body.note,
        request=request,
    )
    return _detail(user, request, case_id, log=False)


@router.post(
    "/cases/{case_id}/supervisions", response={201: SupervisionOut, **ERRORS}, summary="수퍼비전 기록"
)
def case_supervision(request: HttpRequest, case_id: int, body: SupervisionIn) -> Status[object]:
    user = _user(request)
    supervision = services.case_supervision_record(
        actor=user, case=_case(user, case_id), kind=body.kind, notes=body.notes, on=body.on, request=request
    )
    return Status(201, supervision)


@router.post("/cases/{case_id}/consents", response={201: ConsentOut, **ERRORS}, summary="정보제공동의 기록")
def case_consent(request: HttpRequest, case_id: int, body: ConsentIn) -> Status[object]:
    user = _user(request)
    case = _case(user, case_id)
    consent = services.consent_record(
        actor=user,
        case=case,
        given_on=body.given_on,
        agencies=_agencies(case, body.agency_ids),
        scope=body.scope,
        note=body.note,
        request=request,
    )
    return Status(201, consent)


@router.post(
    "/cases/{case_id}/consents/{consent_id}/withdraw",
    response={200: ConsentOut, **ERRORS},
    summary="정보제공동의 철회",
)
def case_consent_withdraw(request: HttpRequest, case_id: int, consent_id: int) -> Consent:
    """철회하는 즉시 그 동의로 사례를 보던 기관은 사례를 볼 수 없습니다(404)."""
    user = _user(request)
    case = _case(user, case_id)
    consent = case.consents.filter(pk=consent_id).first()
    if consent is None:
        raise NotFound("동의 기록을 찾을 수 없습니다.")
    return services.consent_withdraw(actor=user, case=case, consent=consent, request=request)
