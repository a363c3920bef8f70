"""Every write to cases. One path per state change: permission, validation, write and access log in one
transaction."""

from __future__ import annotations

from django.db import transaction

from chatdong.accounts.models import Dong, User
from chatdong.audit.models import AccessLog
from chatdong.audit.services import access_log_record
from chatdong.cases import access
from chatdong.cases.models import Case
from chatdong.core.errors import PermissionDenied, ValidationFailed
from chatdong.core.time import today
from chatdong.registry.models import Household, Resident


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
        access_log_record(
            user=actor,
            request=None,
            action=AccessLog.Action.CREATE,
            object_type="case",
            object_id=case.pk,
            subjects=[resident.pk] if resident is not None else [],
        )
    return case
