"""Helpers that put cases on the register at any step, with what each step needs already on record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chatdong.accounts.models import Agency, User
from chatdong.cases.models import (
    Assessment,
    Case,
    CaseAgency,
    CaseCheck,
    CaseType,
    Consent,
    RiskLevel,
    ServiceLinkage,
    ServicePlan,
    ShareScope,
)
from chatdong.core.needs import NeedCategory
from chatdong.core.time import today
from chatdong.registry.models import Resident

S = Case.Step


def make_case(*, resident: Resident, actor: User, step: str = S.DISCOVERED, **fields: Any) -> Case:
    day = today()
    values: dict[str, Any] = {
        "district_id": resident.dong.district_id,
        "dong": resident.dong,
        "resident": resident,
        "household": resident.household,
        "summary": "생계 곤란, 월세 체납",
        "source": Case.Source.STAFF,
        "step": step,
        "step_since": day,
        "opened_on": day,
        "opened_by": actor,
    }
    values.update(fields)
    return Case.objects.create(**values)


def ready_case(*, resident: Resident, actor: User, step: str, to_step: str) -> Case:
    """A case at `step` with everything any move out of it needs on record (assessment, approved
    plan, linkage and check, follow-up date, matching type)."""
    day = today()
    case = make_case(
        resident=resident,
        actor=actor,
        step=step,
        intake_on=day,
        case_type=CaseType.LINKAGE if to_step == S.LINKAGE or step == S.LINKAGE else CaseType.GENERAL,
        follow_up_on=day + dt.timedelta(days=30),
    )
    Assessment.objects.create(case=case, assessed_on=day, assessed_by=actor, overall_risk=RiskLevel.MEDIUM)
    ServicePlan.objects.create(
        case=case,
        goals="주거 안정",
        start_on=day,
        end_on=day + dt.timedelta(days=90),
        written_by=actor,
        written_on=day,
        approved_on=day,
        approved_by=actor,
    )
    ServiceLinkage.objects.create(
        case=case,
        kind=ServiceLinkage.Kind.PUBLIC,
        category=NeedCategory.DAILY_LIVING,
        service="서울형 긴급복지 생계지원",
        provider_name="성북구청",
        amount=300000,
        provided_on=day,
        linked_by=actor,
    )
    CaseCheck.objects.create(case=case, kind=CaseCheck.Kind.CHECK, on=day, by=actor, text="지원 확인")
    return case


def share(
    case: Case,
    agency: Agency,
    *,
    actor: User,
    role: str = CaseAgency.Role.CO,
    scope: list[str] | None = None,
    given_on: dt.date | None = None,
) -> Consent:
    CaseAgency.objects.get_or_create(case=case, agency=agency, defaults={"role": role, "since": today()})
    consent = Consent.objects.create(
        case=case,
        resident=case.resident,
        given_on=given_on or today(),
        scope=scope if scope is not None else list(ShareScope.values),
        recorded_by=actor,
    )
    consent.agencies.set([agency])
    return consent
