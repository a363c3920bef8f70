"""Every write to cases. One path per state change: permission, validation, write and access log in one
transaction. The chain itself (which step may follow which, and each step's deadline) is in
chatdong.cases.chain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse

from chatdong.accounts.models import Agency, Dong, Role, User
from chatdong.audit.models import AccessLog
from chatdong.audit.services import access_log_record
from chatdong.cases import access, chain
from chatdong.cases.models import (
    Assessment,
    AssessmentDomain,
    Case,
    CaseAgency,
    CaseCheck,
    CaseStepChange,
    CaseType,
    ClosureReason,
    Consent,
    PlanItem,
    RiskLevel,
    ServiceLinkage,
    ServicePlan,
    ShareScope,
    Supervision,
)
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.core.needs import NeedCategory
from chatdong.core.notify import notification_send
from chatdong.core.time import today
from chatdong.registry.models import Household, Resident

S = Case.Step
NOT_FOUND = "사례를 찾을 수 없습니다."
MAX_AMOUNT = 1_000_000_000  # 10억 원: anything above is a typo


def case_open(
    *,
    actor: User,
    dong: Dong,
    summary: str,
    source: str,
    source_id: int | None = None,
    resident: Resident | None = None,
    household: Household | None = None,
    worker: User | None = None,
) -> Case:
    """Put a household on the 동's case register at 발굴 (from the desk, a visit, staff or an agency)."""
    if not access.can_open_case(actor, dong):
        raise PermissionDenied("이 동에 사례를 등록할 권한이 없습니다.")
    errors: dict[str, list[str]] = {}
    if not summary.strip():
        errors["summary"] = ["발굴 내용을 적으세요."]
    if source not in Case.Source.values:
        errors["source"] = ["발굴 경로를 고르세요."]
    if resident is None and household is None:
        errors["resident"] = ["대상 주민이나 세대를 고르세요."]
    if resident is not None and resident.dong_id != dong.pk:
        errors["resident"] = ["다른 동 주민입니다."]
    if household is not None and household.dong_id != dong.pk:
        errors["household"] = ["다른 동 세대입니다."]
    if worker is not None and not (worker.is_active and worker.dong_id == dong.pk):
        errors["worker"] = ["이 동의 직원을 담당자로 고르세요."]
    if errors:
        raise ValidationFailed("사례를 등록할 수 없습니다. 표시된 항목을 고치세요.", errors)
    day = today()
    with transaction.atomic():
        case = Case.objects.create(
            district_id=dong.district_id,
            dong=dong,
            resident=resident,
            household=household if household is not None else (resident.household if resident else None),
            summary=summary.strip(),
            source=source,
            source_id=source_id,
            step=Case.Step.DISCOVERED,
            step_since=day,
            opened_on=day,
            opened_by=actor,
            worker=worker,
        )
        CaseStepChange.objects.create(case=case, on=day, actor=actor, from_step="", to_step=S.DISCOVERED)
        if access.is_agency_worker(actor) and actor.agency is not None:
            # A case an agency finds is shared with that agency (it still needs the consent to see it).
            CaseAgency.objects.create(case=case, agency=actor.agency, role=CaseAgency.Role.CO, since=day)
        access_log_record(
            user=actor,
            request=None,
            action=AccessLog.Action.CREATE,
            object_type="case",
            object_id=case.pk,
            subjects=[resident.pk] if resident is not None else [],
        )
    return case


# --- helpers --------------------------------------------------------------------------------------


def _subjects(case: Case) -> list[int]:
    return [case.resident_id] if case.resident_id else []


def _locked(actor: User, case: Case) -> Case:
    """The case, re-read under a row lock from the actor's scope (404 when out of scope)."""
    locked = access.cases_visible_to(actor).select_for_update().filter(pk=case.pk).first()
    if locked is None:
        raise NotFound(NOT_FOUND)
    return locked


def _visible(actor: User, case: Case) -> None:
    if not access.cases_visible_to(actor).filter(pk=case.pk).exists():
        raise NotFound(NOT_FOUND)


def _log_change(
    actor: User, case: Case, what: str, request: HttpRequest | None = None, **detail: object
) -> None:
    access_log_record(
        user=actor,
        request=request,
        action=AccessLog.Action.CHANGE,
        object_type="case",
        object_id=case.pk,
        subjects=_subjects(case),
        detail={"what": what, **detail},
    )


def _move(case: Case, *, actor: User, to_step: str, note: str = "", day: dt.date | None = None) -> None:
    """Record a move (already validated) and recompute the step's due date. Caller saves the case."""
    day = day or today()
    CaseStepChange.objects.create(
        case=case, on=day, actor=actor, from_step=case.step, to_step=to_step, note=note[:500]
    )
    case.step = to_step
    case.step_since = day
    case.due_on = chain.step_due(case)


def _require_open(case: Case) -> None:
    if case.step == S.ENDED:
        raise ValidationFailed("관리가 끝난 사례입니다. 새로 발굴해 등록하세요.")


# --- the chain ------------------------------------------------------------------------------------


def _guard(case: Case, to_step: str, follow_up_on: dt.date | None) -> None:
    """Conditions beyond the table: what must be on record before a move."""
    if to_step == S.MEETING and not case.assessments.filter(assessed_on__gte=case.step_since).exists():
        raise ValidationFailed("욕구 및 위기도 조사 결과를 먼저 기록하세요.")
    if case.step == S.CLASSIFIED and to_step == S.PLANNING and case.case_type == CaseType.LINKAGE:
        raise ValidationFailed("서비스 연계 사례는 '서비스 연계' 단계로 갑니다.")
    if case.step == S.CLASSIFIED and to_step == S.LINKAGE and case.case_type != CaseType.LINKAGE:
        raise ValidationFailed("사례관리 사례는 '서비스 제공계획' 단계로 갑니다.")
    if to_step == S.SERVICE and not case.plans.filter(approved_on__isnull=False).exists():
        raise ValidationFailed("승인된 서비스 제공계획이 있어야 서비스 제공 단계로 갈 수 있습니다.")
    if case.step == S.LINKAGE and to_step == S.FOLLOW_UP:
        if not case.linkages.exists():
            raise ValidationFailed("서비스 연계 기록을 먼저 남기세요.")
        if not case.checks.filter(kind=CaseCheck.Kind.CHECK, on__gte=case.step_since).exists():
            raise ValidationFailed("연계한 서비스의 점검 기록을 먼저 남기세요.")
    if to_step == S.FOLLOW_UP:
        due = follow_up_on or case.follow_up_on
        if due is None:
            raise ValidationFailed(
                "사후관리 날짜를 정하세요.", {"follow_up_on": ["사후관리 날짜를 정하세요."]}
            )
        if due < today():
            raise ValidationFailed(
                "사후관리 날짜는 오늘 이후여야 합니다.", {"follow_up_on": ["오늘 이후 날짜"]}
            )


def case_advance(
    *,
    actor: User,
    case: Case,
    to_step: str,
    note: str = "",
    follow_up_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Move the case one step along the chain (TRANSITIONS). 구분·선정 and 종결 have their own services."""
    _visible(actor, case)
    if not access.can_advance(actor, case):
        raise PermissionDenied("이 사례의 단계를 바꿀 권한이 없습니다.")
    if to_step not in S.values:
        raise ValidationFailed("알 수 없는 단계입니다.", {"to_step": ["단계를 고르세요."]})
    with transaction.atomic():
        case = _locked(actor, case)
        if not chain.allowed(case.step, to_step):
            raise ValidationFailed(
                f"'{S(case.step).label}' 단계에서 '{S(to_step).label}' 단계로 갈 수 없습니다.",
                {"to_step": ["다음 단계로 갈 수 없습니다."]},
            )
        if to_step in chain.DECIDED_BY:
            raise ValidationFailed(chain.DECIDED_BY[to_step], {"to_step": [chain.DECIDED_BY[to_step]]})
        _guard(case, to_step, follow_up_on)
        day = today()
        if to_step == S.INTAKE:
            case.intake_on = day
        if to_step == S.ASSESSMENT and case.step in (S.SERVICE, S.LINKAGE):
            case.cycle += 1  # 재사정
            case.meeting_on = None
        if to_step == S.FOLLOW_UP and follow_up_on is not None:
            case.follow_up_on = follow_up_on
        if to_step == S.ENDED:
            case.ended_on = day
        from_step = case.step
        _move(case, actor=actor, to_step=to_step, note=note.strip(), day=day)
        case.save()
        _log_change(actor, case, "step", request, from_step=from_step, to_step=to_step)
    return case


def case_meeting_held(
    *, actor: User, case: Case, held_on: dt.date, request: HttpRequest | None = None
) -> Case:
    """The case was discussed at a 사례회의 held on `held_on`: 구분·선정 is due within the
    `classification` days after it."""
    _visible(actor, case)
    if not access.can_advance(actor, case):
        raise PermissionDenied("이 사례의 단계를 바꿀 권한이 없습니다.")
    if held_on > today():
        raise ValidationFailed("회의일은 오늘 이전이어야 합니다.", {"held_on": ["오늘 이전 날짜"]})
    with transaction.atomic():
        case = _locked(actor, case)
        if case.step != S.MEETING:
            raise ValidationFailed("사례회의 단계의 사례만 회의 날짜를 기록합니다.")
        case.meeting_on = held_on
        case.due_on = chain.step_due(case)
        case.save(update_fields=["meeting_on", "due_on", "updated_at"])
        _log_change(actor, case, "meeting_held", request, held_on=held_on.isoformat())
    return case


def _agencies_write(
    case: Case, *, lead_agency: Agency | None, co_agencies: Iterable[Agency], day: dt.date
) -> None:
    co = {a.pk: a for a in co_agencies if lead_agency is None or a.pk != lead_agency.pk}
    keep = set(co) | ({lead_agency.pk} if lead_agency else set())
    CaseAgency.objects.filter(case=case).exclude(agency_id__in=keep).delete()
    existing = {ca.agency_id: ca for ca in CaseAgency.objects.filter(case=case)}
    # Demote first so that the one-lead constraint holds at every statement.
    for agency_id, ca in existing.items():
        if ca.role == CaseAgency.Role.LEAD and (lead_agency is None or agency_id != lead_agency.pk):
            ca.role = CaseAgency.Role.CO
            ca.save(update_fields=["role"])
    for agency_id, agency in co.items():
        if agency_id not in existing:
            CaseAgency.objects.create(case=case, agency=agency, role=CaseAgency.Role.CO, since=day)
    if lead_agency is not None:
        CaseAgency.objects.update_or_create(
            case=case,
            agency=lead_agency,
            defaults={"role": CaseAgency.Role.LEAD},
            create_defaults={"role": CaseAgency.Role.LEAD, "since": day},
        )
    case.lead_agency = lead_agency


def _check_agencies(case: Case, lead_agency: Agency | None, co_agencies: Sequence[Agency]) -> None:
    for agency in [*co_agencies, *([lead_agency] if lead_agency else [])]:
        if agency.district_id != case.district_id:
            raise ValidationFailed(
                "다른 구의 기관은 참여 기관으로 정할 수 없습니다.", {"agencies": ["다른 구 기관"]}
            )


def case_agencies_set(
    *,
    actor: User,
    case: Case,
    lead_agency: Agency | None,
    co_agencies: Sequence[Agency] = (),
    request: HttpRequest | None = None,
) -> Case:
    """주사례관리 기관 and 협력 기관. Taking part does not by itself share data: the consent decides."""
    _visible(actor, case)
    if not access.can_decide(actor, case):
        raise PermissionDenied("참여 기관을 정할 권한이 없습니다.")
    _check_agencies(case, lead_agency, co_agencies)
    with transaction.atomic():
        case = _locked(actor, case)
        _require_open(case)
        _agencies_write(case, lead_agency=lead_agency, co_agencies=co_agencies, day=today())
        case.save(update_fields=["lead_agency", "updated_at"])
        _log_change(
            actor,
            case,
            "agencies",
            request,
            lead=lead_agency.pk if lead_agency else None,
            co=sorted(a.pk for a in co_agencies),
        )
    return case


def case_classify(
    *,
    actor: User,
    case: Case,
    case_type: str,
    lead_agency: Agency | None = None,
    co_agencies: Sequence[Agency] = (),
    note: str = "",
    meeting_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """대상자 구분·선정 (the case meeting's decision): the case type and the agencies. The case moves from
    사례회의 to 구분·선정; the plan (or, for 서비스 연계, the linkage) is due from today."""
    _visible(actor, case)
    if not access.can_decide(actor, case):
        raise PermissionDenied("대상자 구분·선정을 기록할 권한이 없습니다.")
    if case_type not in CaseType.values:
        raise ValidationFailed("사례 유형을 고르세요.", {"case_type": ["사례 유형을 고르세요."]})
    _check_agencies(case, lead_agency, co_agencies)
    day = today()
    if meeting_on is not None and meeting_on > day:
        raise ValidationFailed("회의일은 오늘 이전이어야 합니다.", {"meeting_on": ["오늘 이전 날짜"]})
    with transaction.atomic():
        case = _locked(actor, case)
        if not chain.allowed(case.step, S.CLASSIFIED):
            raise ValidationFailed(
                f"'{S(case.step).label}' 단계의 사례는 구분·선정할 수 없습니다. 사례회의 단계여야 합니다.",
                {"case_type": ["사례회의 단계가 아닙니다."]},
            )
        case.case_type = case_type
        case.meeting_on = meeting_on or case.meeting_on or day
        case.classified_on = day
        _agencies_write(case, lead_agency=lead_agency, co_agencies=co_agencies, day=day)
        _move(
            case, actor=actor, to_step=S.CLASSIFIED, note=note.strip() or CaseType(case_type).label, day=day
        )
        case.save()
        _log_change(actor, case, "classify", request, case_type=case_type)
    return case


def case_close(
    *,
    actor: User,
    case: Case,
    reason: str,
    follow_up_on: dt.date | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """종결, with a reason. With a follow-up date the case goes on to 사후관리, due that day."""
    _visible(actor, case)
    if not access.can_advance(actor, case):
        raise PermissionDenied("이 사례를 종결할 권한이 없습니다.")
    errors: dict[str, list[str]] = {}
    if reason not in ClosureReason.values:
        errors["reason"] = ["종결 사유를 고르세요."]
    if reason == ClosureReason.OTHER and not note.strip():
        errors["note"] = ["기타 사유를 적으세요."]
    day = today()
    if follow_up_on is not None:
        if follow_up_on < day:
            errors["follow_up_on"] = ["사후관리 날짜는 오늘 이후여야 합니다."]
        if reason in (ClosureReason.DECEASED, ClosureReason.MOVED, ClosureReason.TRANSFERRED):
            errors["follow_up_on"] = ["사망·이사·이관으로 종결한 사례는 사후관리를 두지 않습니다."]
    if errors:
        raise ValidationFailed("종결할 수 없습니다. 표시된 항목을 고치세요.", errors)
    with transaction.atomic():
        case = _locked(actor, case)
        if not chain.allowed(case.step, S.CLOSED):
            raise ValidationFailed(f"'{S(case.step).label}' 단계의 사례는 종결할 수 없습니다.")
        case.closed_on = day
        case.closure_reason = reason
        case.closure_note = note.strip()
        case.follow_up_on = follow_up_on
        case.closure_proposed_on = None
        case.closure_proposal = ""
        _move(case, actor=actor, to_step=S.CLOSED, note=ClosureReason(reason).label, day=day)
        if follow_up_on is not None:
            _move(case, actor=actor, to_step=S.FOLLOW_UP, day=day)
        case.save()
        _log_change(actor, case, "close", request, reason=reason)
    return case


def case_propose_closure(*, actor: User, case: Case, reason: str, request: HttpRequest | None = None) -> Case:
    """Put the case on the next meeting's agenda for closure."""
    _visible(actor, case)
    if not access.can_work_on(actor, case):
        raise PermissionDenied("이 사례에 기록할 권한이 없습니다.")
    if not reason.strip():
        raise ValidationFailed("종결을 제안하는 이유를 적으세요.", {"reason": ["이유를 적으세요."]})
    with transaction.atomic():
        case = _locked(actor, case)
        if case.step not in chain.OPEN_STEPS:
            raise ValidationFailed("이미 종결한 사례입니다.")
        case.closure_proposed_on = today()
        case.closure_proposal = reason.strip()[:300]
        case.save(update_fields=["closure_proposed_on", "closure_proposal", "updated_at"])
        _log_change(actor, case, "propose_closure", request)
    return case


def case_assign(*, actor: User, case: Case, worker: User | None, request: HttpRequest | None = None) -> Case:
    """담당 사례관리자."""
    _visible(actor, case)
    if not access.can_decide(actor, case) and not (
        actor.pk == getattr(worker, "pk", None) and access.can_advance(actor, case)
    ):
        raise PermissionDenied("담당자를 정할 권한이 없습니다.")
    if worker is not None and not (
        worker.is_active and worker.dong_id == case.dong_id and worker.role in access.CASE_ROLES
    ):
        raise ValidationFailed("이 동의 사례관리 직원을 고르세요.", {"worker": ["이 동의 직원이 아닙니다."]})
    with transaction.atomic():
        case = _locked(actor, case)
        case.worker = worker
        case.save(update_fields=["worker", "updated_at"])
        _log_change(actor, case, "assign", request, worker=worker.pk if worker else None)
    return case


# --- records on the case --------------------------------------------------------------------------


@dataclass(frozen=True)
class DomainIn:
    category: str
    risk: str
    need: str = ""


def case_assessment_record(
    *,
    actor: User,
    case: Case,
    domains: Sequence[DomainIn],
    overall_risk: str,
    summary: str = "",
    assessed_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Assessment:
    """욕구 및 위기도 조사: a risk level per need domain and overall (at the 조사 step)."""
    _visible(actor, case)
    if not access.can_work_on(actor, case, ShareScope.ASSESSMENT):
        raise PermissionDenied("이 사례의 조사를 기록할 권한이 없습니다.")
    day = today()
    assessed_on = assessed_on or day
    errors: dict[str, list[str]] = {}
    if not domains:
        errors["domains"] = ["영역을 하나 이상 조사하세요."]
    categories = [d.category for d in domains]
    if any(c not in NeedCategory.values for c in categories) or len(set(categories)) != len(categories):
        errors["domains"] = ["영역은 목록에서 한 번씩 고르세요."]
    if any(d.risk not in RiskLevel.values for d in domains):
        errors["domains"] = ["영역마다 위기도(상·중·하)를 고르세요."]
    if overall_risk not in RiskLevel.values:
        errors["overall_risk"] = ["종합 위기도를 고르세요."]
    if assessed_on > day:
        errors["assessed_on"] = ["조사일은 오늘 이전이어야 합니다."]
    if errors:
        raise ValidationFailed("조사를 기록할 수 없습니다. 표시된 항목을 고치세요.", errors)
    with transaction.atomic():
        case = _locked(actor, case)
        if case.step != S.ASSESSMENT:
            raise ValidationFailed(
                "욕구 및 위기도 조사 단계에서 기록합니다. 재사정이면 먼저 조사 단계로 옮기세요."
            )
        if assessed_on < case.step_since:
            raise ValidationFailed("조사일이 조사 단계 시작일보다 앞섭니다.", {"assessed_on": ["날짜 확인"]})
        assessment = Assessment.objects.create(
            case=case,
            assessed_on=assessed_on,
            assessed_by=actor,
            overall_risk=overall_risk,
            summary=summary.strip(),
        )
        AssessmentDomain.objects.bulk_create(
            AssessmentDomain(
                assessment=assessment, category=d.category, risk=d.risk, need=d.need.strip()[:300]
            )
            for d in domains
        )
        case.risk_level = overall_risk
        case.save(update_fields=["risk_level", "updated_at"])
        _log_change(actor, case, "assessment", request, assessment=assessment.pk)
    return assessment


@dataclass(frozen=True)
class PlanItemIn:
    category: str
    service: str
    start_on: dt.date
    end_on: dt.date
    agency: Agency | None = None
    agency_name: str = ""
    person: str = ""


def case_plan_save(
    *,
    actor: User,
    case: Case,
    goals: str,
    start_on: dt.date,
    end_on: dt.date,
    items: Sequence[PlanItemIn],
    request: HttpRequest | None = None,
) -> ServicePlan:
    """Write a service plan (it awaits approval). At 구분·선정 the case moves on to 서비스 제공계획."""
    _visible(actor, case)
    if not access.can_work_on(actor, case, ShareScope.PLAN):
        raise PermissionDenied("이 사례의 계획을 작성할 권한이 없습니다.")
    errors: dict[str, list[str]] = {}
    if not goals.strip():
        errors["goals"] = ["목표를 적으세요."]
    if end_on < start_on:
        errors["end_on"] = ["종료일이 시작일보다 앞섭니다."]
    if not items:
        errors["items"] = ["서비스를 하나 이상 적으세요."]
    for item in items:
        if item.category not in NeedCategory.values or not item.service.strip():
            errors["items"] = ["서비스마다 영역과 서비스명을 적으세요."]
        elif item.end_on < item.start_on:
            errors["items"] = ["서비스의 종료일이 시작일보다 앞섭니다."]
        elif item.agency is None and not item.agency_name.strip():
            errors["items"] = ["서비스마다 담당 기관을 정하세요."]
        elif item.agency is not None and item.agency.district_id != case.district_id:
            errors["items"] = ["다른 구의 기관입니다."]
    if errors:
        raise ValidationFailed("계획을 저장할 수 없습니다. 표시된 항목을 고치세요.", errors)
    with transaction.atomic():
        case = _locked(actor, case)
        if case.step not in (S.CLASSIFIED, S.PLANNING, S.SERVICE):
            raise ValidationFailed("서비스 제공계획은 구분·선정 뒤에 작성합니다.")
        if case.case_type == CaseType.LINKAGE:
            raise ValidationFailed("서비스 연계 사례는 계획 대신 연계 기록을 남깁니다.")
        day = today()
        plan = ServicePlan.objects.create(
            case=case, goals=goals.strip(), start_on=start_on, end_on=end_on, written_by=actor, written_on=day
        )
        PlanItem.objects.bulk_create(
            PlanItem(
                plan=plan,
                category=i.category,
                service=i.service.strip()[:200],
                agency=i.agency,
                agency_name="" if i.agency else i.agency_name.strip()[:80],
                person=i.person.strip()[:40],
                start_on=i.start_on,
                end_on=i.end_on,
            )
            for i in items
        )
        if case.step == S.CLASSIFIED:
            _move(case, actor=actor, to_step=S.PLANNING, day=day)
            case.save()
        _log_change(actor, case, "plan", request, plan=plan.pk)
    return plan


def case_plan_approve(
    *, actor: User, case: Case, plan: ServicePlan, request: HttpRequest | None = None
) -> ServicePlan:
    """Approve the plan (the meeting or the supervisor). A case at 서비스 제공계획 moves on to 서비스
    제공 및 점검."""
    _visible(actor, case)
    if not access.can_decide(actor, case):
        raise PermissionDenied("계획을 승인할 권한이 없습니다.")
    with transaction.atomic():
        case = _locked(actor, case)
        plan = ServicePlan.objects.select_for_update().filter(pk=plan.pk, case=case).first()  # type: ignore[assignment]
        if plan is None:
            raise NotFound("계획을 찾을 수 없습니다.")
        if plan.approved_on is not None:
            raise ValidationFailed("이미 승인한 계획입니다.")
        if case.step not in (S.PLANNING, S.SERVICE):
            raise ValidationFailed("서비스 제공계획 단계의 계획만 승인합니다.")
        day = today()
        plan.approved_on = day
        plan.approved_by = actor
        plan.save(update_fields=["approved_on", "approved_by"])
        if case.step == S.PLANNING:
            _move(case, actor=actor, to_step=S.SERVICE, note="계획 승인", day=day)
            case.save()
        _log_change(actor, case, "plan_approve", request, plan=plan.pk)
    return plan


def case_linkage_record(
    *,
    actor: User,
    case: Case,
    kind: str,
    category: str,
    service: str,
    provided_on: dt.date,
    provider: Agency | None = None,
    provider_name: str = "",
    amount: int | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> ServiceLinkage:
    """서비스 연계 실적 (public or private; an amount in 원 for cash/in-kind help such as 서울형 긴급복지).
    Any open step: fast help does not wait for the plan."""
    _visible(actor, case)
    if not access.can_work_on(actor, case, ShareScope.SERVICES):
        raise PermissionDenied("이 사례의 서비스 연계를 기록할 권한이 없습니다.")
    errors: dict[str, list[str]] = {}
    if kind not in ServiceLinkage.Kind.values:
        errors["kind"] = ["공공·민간을 고르세요."]
    if category not in NeedCategory.values:
        errors["category"] = ["영역을 고르세요."]
    if not service.strip():
        errors["service"] = ["서비스명을 적으세요."]
    if provider is None and not provider_name.strip():
        errors["provider"] = ["제공기관을 고르거나 적으세요."]
    if provider is not None and provider.district_id != case.district_id:
        errors["provider"] = ["다른 구의 기관입니다."]
    if amount is not None and not 0 <= amount <= MAX_AMOUNT:
        errors["amount"] = ["금액을 확인하세요(0원 ~ 10억 원)."]
    if provided_on > today():
        errors["provided_on"] = ["제공일은 오늘 이전이어야 합니다."]
    if errors:
        raise ValidationFailed("연계를 기록할 수 없습니다. 표시된 항목을 고치세요.", errors)
    with transaction.atomic():
        case = _locked(actor, case)
        _require_open(case)
        linkage = ServiceLinkage.objects.create(
            case=case,
            kind=kind,
            category=category,
            service=service.strip()[:100],
            provider=provider,
            provider_name="" if provider else provider_name.strip()[:80],
            amount=amount,
            provided_on=provided_on,
            linked_by=actor,
            note=note.strip()[:300],
        )
        _log_change(actor, case, "linkage", request, linkage=linkage.pk)
    return linkage


def case_check_record(
    *,
    actor: User,
    case: Case,
    text: str,
    kind: str = CaseCheck.Kind.CHECK,
    on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> CaseCheck:
    """점검 or a progress note (contact, memo), dated."""
    _visible(actor, case)
    if not access.can_work_on(actor, case, ShareScope.SERVICES):
        raise PermissionDenied("이 사례에 기록할 권한이 없습니다.")
    on = on or today()
    errors: dict[str, list[str]] = {}
    if kind not in CaseCheck.Kind.values:
        errors["kind"] = ["구분을 고르세요."]
    if not text.strip():
        errors["text"] = ["내용을 적으세요."]
    if on > today():
        errors["on"] = ["날짜는 오늘 이전이어야 합니다."]
    if errors:
        raise ValidationFailed("기록할 수 없습니다. 표시된 항목을 고치세요.", errors)
    with transaction.atomic():
        case = _locked(actor, case)
        _require_open(case)
        check = CaseCheck.objects.create(case=case, kind=kind, on=on, by=actor, text=text.strip())
        _log_change(actor, case, "check", request, check=check.pk)
    return check


def case_supervision_record(
    *,
    actor: User,
    case: Case,
    kind: str,
    notes: str,
    on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Supervision:
    """복지수퍼바이저's supervision: 교육적 / 행정적 / 지지적."""
    _visible(actor, case)
    if not access.can_supervise(actor, case):
        raise PermissionDenied("수퍼비전을 기록할 권한이 없습니다(복지수퍼바이저).")
    on = on or today()
    errors: dict[str, list[str]] = {}
    if kind not in Supervision.Kind.values:
        errors["kind"] = ["수퍼비전 유형을 고르세요."]
    if not notes.strip():
        errors["notes"] = ["내용을 적으세요."]
    if on > today():
        errors["on"] = ["날짜는 오늘 이전이어야 합니다."]
    if errors:
        raise ValidationFailed("수퍼비전을 기록할 수 없습니다. 표시된 항목을 고치세요.", errors)
    with transaction.atomic():
        case = _locked(actor, case)
        supervision = Supervision.objects.create(
            case=case, supervisor=actor, kind=kind, on=on, notes=notes.strip()
        )
        _log_change(actor, case, "supervision", request, supervision=supervision.pk)
    return supervision


# --- consent to share -------------------------------------------------------------------------------


def consent_record(
    *,
    actor: User,
    case: Case,
    given_on: dt.date,
    agencies: Sequence[Agency],
    scope: Sequence[str],
    note: str = "",
    request: HttpRequest | None = None,
) -> Consent:
    """정보제공동의: the resident agreed on `given_on` that the named agencies may see the named parts of
    the case. Recorded by the 동 (the signed form stays on paper)."""
    _visible(actor, case)
    if not access.can_record_consent(actor, case):
        raise PermissionDenied("정보제공동의를 기록할 권한이 없습니다.")
    errors: dict[str, list[str]] = {}
    if not agencies:
        errors["agencies"] = ["정보를 제공받을 기관을 고르세요."]
    if any(a.district_id != case.district_id for a in agencies):
        errors["agencies"] = ["다른 구의 기관입니다."]
    scopes = list(dict.fromkeys(scope))
    if any(s not in ShareScope.values for s in scopes):
        errors["scope"] = ["제공 범위를 목록에서 고르세요."]
    if ShareScope.BASIC not in scopes:
        scopes.insert(0, ShareScope.BASIC)
    if given_on > today():
        errors["given_on"] = ["동의일은 오늘 이전이어야 합니다."]
    if errors:
        raise ValidationFailed("동의를 기록할 수 없습니다. 표시된 항목을 고치세요.", errors)
    with transaction.atomic():
        case = _locked(actor, case)
        consent = Consent.objects.create(
            case=case,
            resident_id=case.resident_id,
            given_on=given_on,
            scope=scopes,
            recorded_by=actor,
            note=note.strip()[:300],
        )
        consent.agencies.set(agencies)
        _log_change(
            actor, case, "consent", request, consent=consent.pk, agencies=sorted(a.pk for a in agencies)
        )
    return consent


def consent_withdraw(
    *, actor: User, case: Case, consent: Consent, request: HttpRequest | None = None
) -> Consent:
    """The resident withdrew the consent: from now on the agencies it named no longer see the case
    (unless another consent in force names them)."""
    _visible(actor, case)
    if not access.can_withdraw_consent(actor, case):
        raise PermissionDenied("정보제공동의를 철회 처리할 권한이 없습니다.")
    with transaction.atomic():
        case = _locked(actor, case)
        locked = Consent.objects.select_for_update().filter(pk=consent.pk, case=case).first()
        if locked is None:
            raise NotFound("동의 기록을 찾을 수 없습니다.")
        if locked.withdrawn_on is not None:
            raise ValidationFailed("이미 철회된 동의입니다.")
        locked.withdrawn_on = today()
        locked.withdrawn_by = actor
        locked.save(update_fields=["withdrawn_on", "withdrawn_by"])
        _log_change(actor, case, "consent_withdraw", request, consent=locked.pk)
    return locked


# --- overdue steps --------------------------------------------------------------------------------


def cases_flag_overdue(*, day: dt.date | None = None) -> int:
    """Tell the 동's supervisors, once per case, step and due date, about every step past its due date.
    Safe to run any number of times (the notification's dedupe key holds it single)."""
    from chatdong.cases.selectors import cases_overdue

    day = day or today()
    sent = 0
    supervisors: dict[int, list[User]] = {}
    for case in cases_overdue(day=day).select_related("dong"):
        if case.dong_id not in supervisors:
            supervisors[case.dong_id] = list(
                User.objects.filter(dong_id=case.dong_id, role=Role.SUPERVISOR, is_active=True)
            )
        assert case.due_on is not None
        sent += notification_send(
            users=supervisors[case.dong_id],
            kind="case_overdue",
            text=(
                f"사례 {case.pk}번의 '{case.get_step_display()}' 단계 처리기한({case.due_on:%m월 %d일})이 "
                "지났습니다."
            ),
            dedupe_key=f"case-overdue:{case.pk}:{case.step}:{case.due_on.isoformat()}",
            url=reverse("cases:detail", kwargs={"case_id": case.pk}),
        )
    return sent
