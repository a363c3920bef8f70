"""Cases at any step (with what the step needs on record), shared with an agency, and meetings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chatdong.accounts.models import Agency, District, User
from chatdong.casemeeting.models import AgendaItem, Meeting
from chatdong.cases.models import Assessment, Case, CaseAgency, Consent, RiskLevel, ServicePlan, ShareScope
from chatdong.core.time import today
from chatdong.registry.models import Resident
from chatdong.testing.factories import AgencyFactory
from chatdong.testing.world import make

S = Case.Step


def case_at(step: str, *, resident: Resident, actor: User, **fields: Any) -> Case:
    day = today()
    values: dict[str, Any] = {
        "district_id": resident.dong.district_id,
        "dong": resident.dong,
        "resident": resident,
        "household": resident.household,
        "summary": "생계 곤란, 월세 체납",
        "source": Case.Source.DESK,
        "step": step,
        "step_since": day,
        "opened_on": day,
        "opened_by": actor,
        "intake_on": day,
    }
    values.update(fields)
    case = Case.objects.create(**values)
    if step in (S.ASSESSMENT, S.MEETING):
        Assessment.objects.create(case=case, assessed_on=day, assessed_by=actor, overall_risk=RiskLevel.HIGH)
    return case


def plan_for(case: Case, *, actor: User, approved: bool = False) -> ServicePlan:
    day = today()
    return ServicePlan.objects.create(
        case=case,
        goals="주거 안정과 생계 회복",
        start_on=day,
        end_on=day + dt.timedelta(days=90),
        written_by=actor,
        written_on=day,
        approved_on=day if approved else None,
        approved_by=actor if approved else None,
    )


def share(case: Case, agency: Agency, *, actor: User, role: str = CaseAgency.Role.CO) -> Consent:
    CaseAgency.objects.get_or_create(case=case, agency=agency, defaults={"role": role, "since": today()})
    consent = Consent.objects.create(
        case=case, resident=case.resident, given_on=today(), scope=list(ShareScope.values), recorded_by=actor
    )
    consent.agencies.set([agency])
    return consent


def meeting_for(dong_user: User, *, held_on: dt.date | None = None, **fields: Any) -> Meeting:
    dong = dong_user.dong
    assert dong is not None
    return Meeting.objects.create(
        district_id=dong.district_id,
        dong=dong,
        held_on=held_on or today(),
        place="주민센터 2층 회의실",
        created_by=dong_user,
        **fields,
    )


def item_on(meeting: Meeting, case: Case, *, actor: User, position: int = 1, reason: str = "") -> AgendaItem:
    return AgendaItem.objects.create(
        meeting=meeting,
        case=case,
        position=position,
        origin=AgendaItem.Origin.SUGGESTED,
        reason=reason,
        added_by=actor,
    )


def agency(district: District, name: str) -> Agency:
    return make(Agency, AgencyFactory, district=district, name=name)
