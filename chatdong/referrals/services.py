"""Every write to referrals. One path per state change: permission, validation, write and access log in
one transaction; notifications after commit."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from chatdong.accounts.models import Agency, Dong, User
from chatdong.audit.models import AccessLog
from chatdong.audit.services import access_log_record
from chatdong.core.calendar import add_business_days
from chatdong.core.errors import PermissionDenied, ValidationFailed
from chatdong.core.needs import NeedCategory
from chatdong.core.time import today
from chatdong.referrals import access
from chatdong.referrals.models import Referral, ReferralEvent
from chatdong.registry.models import Household, Resident


def referral_due_days(*, to_kind: str, urgent: bool) -> int:
    """Business days the receiver has to answer (settings CHATDONG_REFERRAL_DUE_DAYS)."""
    days: dict[str, int] = settings.CHATDONG_REFERRAL_DUE_DAYS
    if urgent:
        return days["urgent"]
    return days.get(to_kind, days["default"])


def referral_send(
    *,
    actor: User,
    dong: Dong,
    need_category: str,
    summary: str,
    to_kind: str,
    source: str,
    source_id: int | None = None,
    to_user: User | None = None,
    to_agency: Agency | None = None,
    resident: Resident | None = None,
    household: Household | None = None,
    urgent: bool = False,
) -> Referral:
    """Send a referral. The due date is counted in Korean business days from today."""
    if not access.can_send_referral(actor, dong):
        raise PermissionDenied("이 동에서 의뢰를 보낼 권한이 없습니다.")
    errors: dict[str, list[str]] = {}
    if need_category not in NeedCategory.values:
        errors["need_category"] = ["욕구 영역을 고르세요."]
    if not summary.strip():
        errors["summary"] = ["의뢰 내용을 적으세요."]
    if to_kind == Referral.To.STAFF and (to_user is None or not to_user.is_active):
        errors["to_user"] = ["받을 담당자를 고르세요."]
    elif to_kind == Referral.To.AGENCY and (to_agency is None or to_agency.district_id != dong.district_id):
        errors["to_agency"] = ["받을 기관을 고르세요."]
    elif to_kind not in Referral.To.values:
        errors["to_kind"] = ["의뢰처를 고르세요."]
    if resident is not None and resident.dong_id != dong.pk:
        errors["resident"] = ["다른 동 주민입니다."]
    if errors:
        raise ValidationFailed("의뢰를 보낼 수 없습니다. 표시된 항목을 고치세요.", errors)
    with transaction.atomic():
        referral = Referral.objects.create(
            district_id=dong.district_id,
            dong=dong,
            resident=resident,
            household=household if household is not None else (resident.household if resident else None),
            need_category=need_category,
            summary=summary.strip(),
            sender=actor,
            to_kind=to_kind,
            to_user=to_user if to_kind == Referral.To.STAFF else None,
            to_agency=to_agency if to_kind == Referral.To.AGENCY else None,
            source=source,
            source_id=source_id,
            urgent=urgent,
            due_on=add_business_days(today(), referral_due_days(to_kind=to_kind, urgent=urgent)),
        )
        ReferralEvent.objects.create(referral=referral, actor=actor, to_status=Referral.Status.SENT, note="")
        access_log_record(
            user=actor,
            request=None,
            action=AccessLog.Action.CREATE,
            object_type="referral",
            object_id=referral.pk,
            subjects=[resident.pk] if resident is not None else [],
        )
    return referral
