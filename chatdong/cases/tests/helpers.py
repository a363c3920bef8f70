"""Row counts of everything a case action may write, to assert that a denied request changed nothing."""

from __future__ import annotations

from chatdong.audit.models import AccessLog
from chatdong.cases.models import (
    Assessment,
    Case,
    CaseAgency,
    CaseCheck,
    CaseStepChange,
    Consent,
    ServiceLinkage,
    ServicePlan,
    Supervision,
)
from chatdong.core.models import Notification

TABLES = (
    Case,
    CaseStepChange,
    CaseAgency,
    Assessment,
    ServicePlan,
    ServiceLinkage,
    CaseCheck,
    Supervision,
    Consent,
    AccessLog,
    Notification,
)


def snapshot() -> dict[str, object]:
    counts: dict[str, object] = {model.__name__: model.objects.count() for model in TABLES}
    counts["steps"] = sorted(Case.objects.values_list("pk", "step", "updated_at"))
    counts["consents"] = sorted(Consent.objects.values_list("pk", "withdrawn_on"))
    counts["plans"] = sorted(ServicePlan.objects.values_list("pk", "approved_on"))
    return counts
