"""API schemas for cases. A case names its resident by id, name and birth date (no identity number)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from chatdong.accounts.schemas import DongRef
from chatdong.cases.models import (
    Assessment,
    Consent,
    PlanItem,
    ServiceLinkage,
    ServicePlan,
)


class PersonRef(Schema):
    id: int
    full_name: str


class AgencyRef(Schema):
    id: int
    name: str


class ResidentRef(Schema):
    id: int
    name: str
    birth_date: dt.date


class CaseOut(Schema):
    id: int
    dong: DongRef
    resident: ResidentRef | None
    household_id: int | None
    step: str
    step_label: str
    step_since: dt.date
    due_on: dt.date | None = Field(None, description="현 단계 처리기한(없으면 null)")
    overdue: bool
    case_type: str = Field(..., description="intensive | general | linkage | ''(구분 전)")
    risk_level: str = Field(..., description="high | medium | low | ''(조사 전)")
    source: str
    opened_on: dt.date
    worker: PersonRef | None
    lead_agency: AgencyRef | None


class StepChangeOut(Schema):
    on: dt.date
    from_step: str
    to_step: str
    actor: PersonRef
    note: str


class CaseAgencyOut(Schema):
    agency: AgencyRef
    role: str
    since: dt.date


class ConsentOut(Schema):
    id: int
    given_on: dt.date
    agencies: list[AgencyRef]
    scope: list[str]
    withdrawn_on: dt.date | None
    note: str

    @staticmethod
    def resolve_agencies(obj: Consent) -> list[object]:
        return list(obj.agencies.all())


class DomainOut(Schema):
    category: str
    risk: str
    need: str


class AssessmentOut(Schema):
    id: int
    assessed_on: dt.date
    overall_risk: str
    summary: str
    domains: list[DomainOut]

    @staticmethod
    def resolve_domains(obj: Assessment) -> list[object]:
        return list(obj.domains.all())


class PlanItemOut(Schema):
    category: str
    service: str
    agency: AgencyRef | None
    agency_name: str
    person: str
    start_on: dt.date
    end_on: dt.date


class PlanOut(Schema):
    id: int
    goals: str
    start_on: dt.date
    end_on: dt.date
    written_on: dt.date
    approved_on: dt.date | None
    items: list[PlanItemOut]

    @staticmethod
    def resolve_items(obj: ServicePlan) -> list[PlanItem]:
        return list(obj.items.all())


class LinkageOut(Schema):
    id: int
    kind: str
    category: str
    service: str
    provider: str
    amount: int | None = Field(None, description="원")
    provided_on: dt.date
    linked_by: PersonRef
    note: str

    @staticmethod
    def resolve_provider(obj: ServiceLinkage) -> str:
        return obj.provider_label


class CheckOut(Schema):
    id: int
    kind: str
    on: dt.date
    text: str
    by: PersonRef


class SupervisionOut(Schema):
    id: int
    kind: str
    on: dt.date
    notes: str
    supervisor: PersonRef


class CaseDetailOut(CaseOut):
    summary: str
    intake_on: dt.date | None
    meeting_on: dt.date | None
    classified_on: dt.date | None
    cycle: int = Field(..., description="재사정 횟수")
    closed_on: dt.date | None
    closure_reason: str
    follow_up_on: dt.date | None
    shared_scope: list[str] = Field(
        ..., description="이 사용자가 볼 수 있는 범위(basic/assessment/plan/services)"
    )
    timeline: list[StepChangeOut]
    agencies: list[CaseAgencyOut]
    consents: list[ConsentOut]
    assessments: list[AssessmentOut]
    plans: list[PlanOut]
    linkages: list[LinkageOut]
    checks: list[CheckOut]
    supervisions: list[SupervisionOut]


class CaseListFilter(Schema):
    step: str = Field("", description="단계 코드(비우면 관리 끝을 뺀 전체)")
    overdue: bool = False
    risk: str = ""
    worker_id: int | None = None
    agency_id: int | None = None
    dong_id: int | None = None


class CaseOpenIn(Schema):
    resident_id: int
    summary: str = Field(..., min_length=1, max_length=2000)
    source: str = Field("staff", description="desk | visit | staff | agency")


class AdvanceIn(Schema):
    to_step: str
    note: str = ""
    follow_up_on: dt.date | None = None


class ClassifyIn(Schema):
    case_type: str = Field(..., description="intensive | general | linkage")
    lead_agency_id: int | None = None
    co_agency_ids: list[int] = []
    note: str = ""
    meeting_on: dt.date | None = None


class AgenciesIn(Schema):
    lead_agency_id: int | None = None
    co_agency_ids: list[int] = []


class DomainIn(Schema):
    category: str
    risk: str
    need: str = ""


class AssessmentIn(Schema):
    domains: list[DomainIn]
    overall_risk: str
    summary: str = ""
    assessed_on: dt.date | None = None


class PlanItemIn(Schema):
    category: str
    service: str
    start_on: dt.date
    end_on: dt.date
    agency_id: int | None = None
    agency_name: str = ""
    person: str = ""


class PlanIn(Schema):
    goals: str
    start_on: dt.date
    end_on: dt.date
    items: list[PlanItemIn]


class LinkageIn(Schema):
    kind: str = Field(..., description="public | private")
    category: str
    service: str
    provided_on: dt.date
    provider_id: int | None = None
    provider_name: str = ""
    amount: int | None = Field(None, description="원")
    note: str = ""


class CheckIn(Schema):
    text: str
    kind: str = "check"
    on: dt.date | None = None


class CloseIn(Schema):
    reason: str = Field(
        ...,
        description="goal_met | moved | deceased | refused | transferred | not_eligible | no_contact | other",
    )
    follow_up_on: dt.date | None = None
    note: str = ""


class SupervisionIn(Schema):
    kind: str = Field(..., description="educational | administrative | supportive")
    notes: str
    on: dt.date | None = None


class ConsentIn(Schema):
    given_on: dt.date
    agency_ids: list[int]
    scope: list[str] = Field(["basic"], description="basic | assessment | plan | services")
    note: str = ""
