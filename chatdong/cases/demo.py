"""Demo data for case management: in every 동 of the demo district, cases at every step of the chain
(both tracks, some past their deadline), with their timeline, assessments, plans, service linkages with
amounts, checks, supervision, agencies and consents (some shared with private agencies, one withdrawn).

Synthetic and deterministic for a given rng; bulk writes (no access log: seeding is nobody's access)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from chatdong.accounts.models import Agency, District, Dong, Role, User
from chatdong.cases import chain
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
from chatdong.core.needs import NeedCategory
from chatdong.registry.models import Resident

S = Case.Step
N = NeedCategory
MAIN = (
    S.DISCOVERED,
    S.INITIAL_CONSULT,
    S.INTAKE,
    S.ASSESSMENT,
    S.MEETING,
    S.CLASSIFIED,
    S.PLANNING,
    S.SERVICE,
    S.CLOSED,
    S.FOLLOW_UP,
    S.ENDED,
)
SHORT = (
    S.DISCOVERED,
    S.INITIAL_CONSULT,
    S.INTAKE,
    S.ASSESSMENT,
    S.MEETING,
    S.CLASSIFIED,
    S.LINKAGE,
    S.FOLLOW_UP,
    S.ENDED,
)
# Cases per 동 at each step (track, step, count).
MIX: tuple[tuple[tuple[str, ...], str, int], ...] = (
    (MAIN, S.DISCOVERED, 2),
    (MAIN, S.INITIAL_CONSULT, 2),
    (MAIN, S.INTAKE, 2),
    (MAIN, S.ASSESSMENT, 3),
    (MAIN, S.MEETING, 3),
    (MAIN, S.CLASSIFIED, 1),
    (MAIN, S.PLANNING, 2),
    (MAIN, S.SERVICE, 5),
    (SHORT, S.LINKAGE, 2),
    (MAIN, S.CLOSED, 1),
    (MAIN, S.FOLLOW_UP, 1),
    (SHORT, S.FOLLOW_UP, 1),
    (MAIN, S.ENDED, 1),
    (SHORT, S.ENDED, 1),
)
SUMMARIES = (
    "실직 뒤 월세 3개월 체납, 전기요금 독촉장. 이웃이 통장에게 알림.",
    "홀로 사는 어르신, 최근 식사를 거르고 외출하지 않음. 우울감 호소.",
    "한부모 가정, 자녀 돌봄 공백과 생계 곤란. 복지상담 창구 방문.",
    "반지하 주택 곰팡이·누수, 기저질환 악화. 방문간호사 발굴.",
    "알코올 문제와 가족 갈등, 가정 내 폭언 신고 이력.",
    "질병으로 일을 못 하게 된 중년 1인 가구, 건강보험료 체납.",
    "조손가정, 손자녀 학업 중단 위기. 학교 사회복지사 의뢰.",
)
# (kind, category, service, provider is a private agency, amount range in 원 or None)
LINKS: tuple[tuple[str, str, str, bool, tuple[int, int] | None], ...] = (
    (ServiceLinkage.Kind.PUBLIC, N.DAILY_LIVING, "서울형 긴급복지 생계지원", False, (300_000, 1_000_000)),
    (ServiceLinkage.Kind.PUBLIC, N.HEALTH, "서울형 긴급복지 의료지원", False, (500_000, 1_000_000)),
    (ServiceLinkage.Kind.PUBLIC, N.HOUSING, "주거급여 신청 연계", False, None),
    (ServiceLinkage.Kind.PUBLIC, N.CARE, "노인맞춤돌봄서비스", False, None),
    (ServiceLinkage.Kind.PRIVATE, N.DAILY_LIVING, "푸드뱅크 식품 지원", True, None),
    (ServiceLinkage.Kind.PRIVATE, N.DAILY_LIVING, "밑반찬 배달", True, None),
    (ServiceLinkage.Kind.PRIVATE, N.HOUSING, "주거환경 개선(도배·장판)", True, (800_000, 2_000_000)),
    (ServiceLinkage.Kind.PRIVATE, N.DAILY_LIVING, "공동모금회 긴급지원금", True, (300_000, 1_000_000)),
    (ServiceLinkage.Kind.PRIVATE, N.JOBS, "취업 상담·직업훈련 연계", True, None),
)
PUBLIC_PROVIDERS = ("성북구청 복지정책과", "동 주민센터", "성북구 보건소")
CHECKS = (
    "가정 방문, 지원 물품 전달 확인. 건강 상태 양호.",
    "전화 상담: 구직 활동 중, 면접 1건.",
    "방문: 주거 정리 상태 개선, 식사 규칙적으로 함.",
    "연계 기관과 통화, 서비스 이용 중임을 확인.",
)
SUPERVISION_NOTES: dict[str, str] = {
    Supervision.Kind.EDUCATIONAL: "욕구 사정 기록 방법과 목표 설정(SMART) 안내.",
    Supervision.Kind.ADMINISTRATIVE: "처리기한과 계획 승인 절차 점검, 행복e음 입력 확인.",
    Supervision.Kind.SUPPORTIVE: "고난도 사례로 인한 담당자 소진 예방 면담.",
}
RISKS = (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW)


def demo_seed(*, district: District, today: dt.date, rng: random.Random) -> dict[str, int]:
    counts = {"cases": 0, "shared": 0, "linkages": 0, "amount_won": 0, "supervisions": 0, "overdue": 0}
    agencies = list(
        Agency.objects.filter(district=district).exclude(kind=Agency.Kind.PUBLIC).order_by("name")
    )
    with transaction.atomic():
        for dong in Dong.objects.filter(district=district).order_by("code"):
            made = _dong_cases(dong=dong, today=today, rng=rng, agencies=agencies)
            for key, value in made.items():
                counts[key] += value
    return counts


def _path(track: tuple[str, ...], step: str) -> list[str]:
    return list(track[: track.index(step) + 1])


def _dong_cases(*, dong: Dong, today: dt.date, rng: random.Random, agencies: list[Agency]) -> dict[str, int]:
    staff: dict[str, User] = {}
    for user in User.objects.filter(dong=dong, is_active=True).order_by("username"):
        staff.setdefault(user.role, user)
    worker = staff.get(Role.PLANNER_POVERTY)
    supervisor = staff.get(Role.SUPERVISOR) or staff.get(Role.TEAM_LEADER)
    finder = staff.get(Role.COUNSELOR) or worker
    if worker is None or supervisor is None or finder is None:
        return {}
    wanted = sum(n for _track, _step, n in MIX)
    adults = Resident.objects.filter(
        dong=dong, status=Resident.Status.RESIDENT, birth_date__lte=today - dt.timedelta(days=365 * 20)
    )
    pool = list(
        adults.filter(basic_livelihood=True).order_by("pk").values_list("pk", "household_id")[: wanted * 4]
    )
    if len(pool) < wanted:
        pool += list(
            adults.filter(basic_livelihood=False)
            .order_by("pk")
            .values_list("pk", "household_id")[: wanted * 4]
        )
    chosen = rng.sample(pool, wanted) if len(pool) >= wanted else pool
    plans: list[tuple[Case, list[str], list[dt.date]]] = []
    cases: list[Case] = []
    for (track, step, count), start in zip(MIX, _offsets(MIX), strict=True):
        for i in range(count):
            if start + i >= len(chosen):
                break
            resident_id, household_id = chosen[start + i]
            path = _path(track, step)
            # Dates of each move, oldest first; one in four cases lingers so that its step runs late.
            days = [rng.randint(2, 7) for _ in path]
            days[-1] = rng.randint(12, 25) if rng.random() < 0.25 else rng.randint(0, 6)
            dates: list[dt.date] = []
            day = today
            for gap in reversed(days):
                day -= dt.timedelta(days=gap)
                dates.append(day)
            dates.reverse()
            dates = [min(d, today) for d in dates]
            on = dict(zip(path, dates, strict=True))
            case = Case(
                district_id=dong.district_id,
                dong=dong,
                resident_id=resident_id,
                household_id=household_id,
                summary=rng.choice(SUMMARIES),
                source=rng.choice(Case.Source.values[:3]),
                step=step,
                step_since=on[step],
                opened_on=on[S.DISCOVERED],
                opened_by=finder,
                worker=worker if S.INTAKE in on else None,
                intake_on=on.get(S.INTAKE),
                meeting_on=on.get(S.CLASSIFIED) or (on[S.MEETING] if step == S.MEETING and i == 0 else None),
                classified_on=on.get(S.CLASSIFIED),
                case_type=(
                    CaseType.LINKAGE if track is SHORT else rng.choice((CaseType.GENERAL, CaseType.INTENSIVE))
                )
                if S.CLASSIFIED in on
                else "",
                risk_level=rng.choice(RISKS) if S.MEETING in on or (step == S.ASSESSMENT and i) else "",
            )
            if S.CLOSED in on or (track is SHORT and S.FOLLOW_UP in on):
                case.closed_on = on.get(S.CLOSED) or on[S.FOLLOW_UP]
                case.closure_reason = ClosureReason.GOAL_MET if rng.random() < 0.7 else ClosureReason.REFUSED
                case.follow_up_on = case.closed_on + dt.timedelta(days=rng.choice((30, 60, 90)))
            if step == S.ENDED:
                case.ended_on = on[S.ENDED]
            case.due_on = chain.step_due(case)
            cases.append(case)
            plans.append((case, path, dates))
    Case.objects.bulk_create(cases)
    return _records(
        plans=plans, today=today, rng=rng, agencies=agencies, worker=worker, supervisor=supervisor
    )


def _offsets(mix: tuple[tuple[tuple[str, ...], str, int], ...]) -> list[int]:
    out, total = [], 0
    for _track, _step, count in mix:
        out.append(total)
        total += count
    return out


def _records(
    *,
    plans: list[tuple[Case, list[str], list[dt.date]]],
    today: dt.date,
    rng: random.Random,
    agencies: list[Agency],
    worker: User,
    supervisor: User,
) -> dict[str, int]:
    changes: list[CaseStepChange] = []
    assessments: list[tuple[Assessment, list[AssessmentDomain]]] = []
    service_plans: list[tuple[ServicePlan, list[PlanItem]]] = []
    linkages: list[ServiceLinkage] = []
    checks: list[CaseCheck] = []
    supervisions: list[Supervision] = []
    roles: list[CaseAgency] = []
    consents: list[tuple[Consent, Agency]] = []
    for case, path, dates in plans:
        on = dict(zip(path, dates, strict=True))
        previous = ""
        for step, day in zip(path, dates, strict=True):
            changes.append(
                CaseStepChange(case=case, on=day, actor=worker, from_step=previous, to_step=step, note="")
            )
            previous = step
        if S.MEETING in on or (case.step == S.ASSESSMENT and case.risk_level):
            start = on[S.ASSESSMENT]
            assessed_on = min(start + dt.timedelta(days=rng.randint(1, 4)), on.get(S.MEETING, today))
            categories = rng.sample(N.values[:6], 3)
            domains = [
                AssessmentDomain(category=c, risk=rng.choice(RISKS), need=f"{N(c).label} 관련 어려움")
                for c in categories
            ]
            assessments.append(
                (
                    Assessment(
                        case=case,
                        assessed_on=max(start, assessed_on),
                        assessed_by=worker,
                        overall_risk=case.risk_level or RiskLevel.MEDIUM,
                        summary="생계·주거 욕구가 크고 사회적 관계가 약함.",
                    ),
                    domains,
                )
            )
        classified = on.get(S.CLASSIFIED)
        if classified and case.case_type != CaseType.LINKAGE and S.PLANNING in on:
            approved = on.get(S.SERVICE)
            plan = ServicePlan(
                case=case,
                goals="1) 3개월 안에 생계 안정(긴급지원·수급 신청) 2) 주거 환경 개선 3) 지지 체계 만들기",
                start_on=on[S.PLANNING],
                end_on=on[S.PLANNING] + dt.timedelta(days=180),
                written_by=worker,
                written_on=on[S.PLANNING],
                approved_on=approved,
                approved_by=supervisor if approved else None,
            )
            partner = rng.choice(agencies) if agencies else None
            items = [
                PlanItem(
                    category=N.DAILY_LIVING,
                    service="서울형 긴급복지 생계지원",
                    agency_name="동 주민센터",
                    person=worker.full_name,
                    start_on=plan.start_on,
                    end_on=plan.start_on + dt.timedelta(days=90),
                ),
                PlanItem(
                    category=N.CARE,
                    service="정기 안부 확인·밑반찬",
                    agency=partner,
                    agency_name="" if partner else "동 주민센터",
                    person="",
                    start_on=plan.start_on,
                    end_on=plan.end_on,
                ),
            ]
            service_plans.append((plan, items))
        served = on.get(S.SERVICE) or on.get(S.LINKAGE)
        if served:
            for _ in range(rng.randint(1, 3)):
                kind, category, service, private, amounts = rng.choice(LINKS)
                provider = rng.choice(agencies) if private and agencies else None
                provided = min(served + dt.timedelta(days=rng.randint(0, 10)), today)
                linkages.append(
                    ServiceLinkage(
                        case=case,
                        kind=kind,
                        category=category,
                        service=service,
                        provider=provider,
                        provider_name="" if provider else rng.choice(PUBLIC_PROVIDERS),
                        amount=rng.randrange(amounts[0], amounts[1] + 1, 10_000) if amounts else None,
                        provided_on=provided,
                        linked_by=worker,
                    )
                )
            for _ in range(rng.randint(1, 2)):
                checks.append(
                    CaseCheck(
                        case=case,
                        kind=CaseCheck.Kind.CHECK,
                        on=min(served + dt.timedelta(days=rng.randint(3, 20)), today),
                        by=worker,
                        text=rng.choice(CHECKS),
                    )
                )
        if S.MEETING in on and rng.random() < 0.4:
            kind = rng.choice(Supervision.Kind.values)
            supervisions.append(
                Supervision(
                    case=case,
                    supervisor=supervisor,
                    kind=kind,
                    on=min(on[S.MEETING], today),
                    notes=SUPERVISION_NOTES[kind],
                )
            )
        if classified and agencies and rng.random() < 0.6:
            lead = rng.choice(agencies)
            others = [a for a in agencies if a.pk != lead.pk]
            co = rng.choice(others) if others else None
            roles.append(CaseAgency(case=case, agency=lead, role=CaseAgency.Role.LEAD, since=classified))
            case.lead_agency = lead
            consent_day = on.get(S.INTAKE, classified)
            withdrawn = case.step == S.ENDED and rng.random() < 0.5
            consents.append(
                (
                    Consent(
                        case=case,
                        resident_id=case.resident_id,
                        given_on=consent_day,
                        scope=list(ShareScope.values),
                        recorded_by=worker,
                        withdrawn_on=today if withdrawn else None,
                        withdrawn_by=worker if withdrawn else None,
                    ),
                    lead,
                )
            )
            if co is not None:
                roles.append(CaseAgency(case=case, agency=co, role=CaseAgency.Role.CO, since=classified))
                consents.append(
                    (
                        Consent(
                            case=case,
                            resident_id=case.resident_id,
                            given_on=consent_day,
                            scope=[ShareScope.BASIC, ShareScope.SERVICES],
                            recorded_by=worker,
                        ),
                        co,
                    )
                )
    CaseStepChange.objects.bulk_create(changes)
    Assessment.objects.bulk_create([a for a, _ in assessments])
    for assessment, domains in assessments:
        for domain in domains:
            domain.assessment = assessment
    AssessmentDomain.objects.bulk_create([d for _a, domains in assessments for d in domains])
    ServicePlan.objects.bulk_create([p for p, _ in service_plans])
    for plan, items in service_plans:
        for item in items:
            item.plan = plan
    PlanItem.objects.bulk_create([i for _p, items in service_plans for i in items])
    ServiceLinkage.objects.bulk_create(linkages)
    CaseCheck.objects.bulk_create(checks)
    Supervision.objects.bulk_create(supervisions)
    CaseAgency.objects.bulk_create(roles)
    Consent.objects.bulk_create([c for c, _ in consents])
    Through = Consent.agencies.through
    Through.objects.bulk_create([Through(consent_id=c.pk, agency_id=a.pk) for c, a in consents])
    leads = [c for c, _p, _d in plans if c.lead_agency_id]
    Case.objects.bulk_update(leads, ["lead_agency"])
    return {
        "cases": len(plans),
        "shared": len(leads),
        "linkages": len(linkages),
        "amount_won": sum(link.amount or 0 for link in linkages),
        "supervisions": len(supervisions),
        "overdue": sum(1 for c, _p, _d in plans if c.due_on and c.due_on < today),
    }
