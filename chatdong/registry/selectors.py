"""Reads of the registry. Every read that returns personal data records itself in the access log."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from chatdong.accounts.models import User
from chatdong.audit.models import AccessLog
from chatdong.audit.services import access_log_record
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.core.rrn import InvalidRRN, blind_index, decrypt_rrn, looks_like_rrn, parse_rrn
from chatdong.core.time import today, years_before
from chatdong.registry import access
from chatdong.registry.models import Household, Resident

SearchKind = Literal["auto", "name", "phone", "address", "rrn"]
_ADDRESS_RE = re.compile(r"^\s*(\S+(?:로|길)(?:\s*\d+(?:번)?(?:가|길))?)\s+(\d+)(?:-(\d+))?\s*(.*)$")
_DIGITS_RE = re.compile(r"\D")


@dataclass(frozen=True)
class SearchResult:
    kind: str
    query: str
    residents: list[Resident]
    truncated: bool


def detect_kind(query: str) -> str:
    text = query.strip()
    digits = _DIGITS_RE.sub("", text)
    if looks_like_rrn(text):
        return "rrn"
    if (
        digits
        and len(digits) == len(text.replace("-", "").replace(" ", ""))
        and len(digits) in (4, 7, 8, 9, 10, 11)
    ):
        return "phone"
    if _ADDRESS_RE.match(text):
        return "address"
    return "name"


def _name_prefix(queryset: QuerySet[Resident], prefix: str) -> QuerySet[Resident]:
    if connection.vendor == "sqlite":
        # SQLite's LIKE is case-insensitive and so cannot use the index; a range on the binary
        # (code-point) collation selects exactly the names that start with the prefix, via the index.
        return queryset.filter(name__gte=prefix, name__lt=prefix + "\U0010ffff")
    return queryset.filter(name__startswith=prefix)  # LIKE 'x%' served by the text_pattern_ops index


def resident_search(
    *,
    user: User,
    request: HttpRequest | None,
    query: str,
    kind: SearchKind = "auto",
    include_inactive: bool = False,
    limit: int = 50,
) -> SearchResult:
    """Search residents the user may see, by name (prefix), phone (full or last 4 digits), road
    address ("성북로 12") or 주민등록번호 (exact, through the blind index). Logged as a search."""
    if not access.can_view_personal_data(user):
        raise PermissionDenied("주민 정보를 조회할 권한이 없습니다.")
    query = query.strip()
    if not query:
        raise ValidationFailed("검색어를 입력해 주세요.")
    chosen = detect_kind(query) if kind == "auto" else kind
    qs = access.residents_visible_to(user)
    if not include_inactive:
        qs = qs.filter(status=Resident.Status.RESIDENT)
    if chosen == "rrn":
        try:
            rrn = parse_rrn(query)
        except InvalidRRN as exc:
            raise ValidationFailed(str(exc)) from exc
        qs = qs.filter(rrn_index=blind_index(rrn.digits))
    elif chosen == "phone":
        digits = _DIGITS_RE.sub("", query)
        if len(digits) == 4:
            qs = qs.filter(phone_last4=digits)
        elif len(digits) >= 9:
            qs = qs.filter(phone=digits)
        else:
            raise ValidationFailed("전화번호는 전체 번호나 끝 4자리로 검색해 주세요.")
    elif chosen == "address":
        match = _ADDRESS_RE.match(query)
        if not match:
            raise ValidationFailed("주소는 '도로명 건물번호'(예: 성북로 12) 형식으로 검색해 주세요.")
        road, main, sub, _detail = match.groups()
        qs = qs.filter(road_name=road.replace(" ", ""), building_main=int(main))
        if sub:
            qs = qs.filter(building_sub=int(sub))
    elif chosen == "name":
        if len(query) < 1:
            raise ValidationFailed("이름을 한 글자 이상 입력해 주세요.")
        qs = _name_prefix(qs, query)
    else:
        raise ValidationFailed(f"알 수 없는 검색 종류입니다: {chosen}")
    rows = list(qs.select_related("dong", "ban__tong").order_by("name", "birth_date", "id")[: limit + 1])
    truncated = len(rows) > limit
    rows = rows[:limit]
    access_log_record(
        user=user,
        request=request,
        action=AccessLog.Action.SEARCH,
        object_type="resident",
        subjects=[r.pk for r in rows],
        # The query itself may be an identity number: log only its kind and length.
        detail={"kind": chosen, "query": query if chosen in ("name", "address") else f"({len(query)}자)"},
    )
    return SearchResult(kind=chosen, query=query, residents=rows, truncated=truncated)


def resident_get(*, user: User, request: HttpRequest | None, resident_id: int) -> Resident:
    """One resident the user may see (404 otherwise), logged as a view."""
    resident = (
        access.residents_visible_to(user)
        .select_related("dong", "ban__tong", "ban__zone__officer", "household")
        .filter(pk=resident_id)
        .first()
    )
    if resident is None:
        raise NotFound("주민을 찾을 수 없습니다.")
    access_log_record(
        user=user,
        request=request,
        action=AccessLog.Action.VIEW,
        object_type="resident",
        object_id=resident.pk,
        subjects=[resident.pk],
    )
    return resident


def resident_reveal_rrn(*, user: User, request: HttpRequest | None, resident_id: int, reason: str) -> str:
    """The full 주민등록번호, decrypted on request with a stated reason; logged."""
    resident = access.residents_visible_to(user).filter(pk=resident_id).first()
    if resident is None:
        raise NotFound("주민을 찾을 수 없습니다.")
    if not reason.strip():
        raise ValidationFailed("주민등록번호 전체를 볼 때는 사유를 적어야 합니다.")
    access_log_record(
        user=user,
        request=request,
        action=AccessLog.Action.VIEW,
        object_type="resident_rrn",
        object_id=resident.pk,
        subjects=[resident.pk],
        reason=reason,
    )
    digits = decrypt_rrn(resident.rrn_encrypted)
    return f"{digits[:6]}-{digits[6:]}"


def household_get(
    *, user: User, request: HttpRequest | None, household_id: int
) -> tuple[Household, list[Resident]]:
    household = (
        access.households_visible_to(user).select_related("dong", "ban__tong").filter(pk=household_id).first()
    )
    if household is None:
        raise NotFound("세대를 찾을 수 없습니다.")
    members = list(household.members.order_by("-status", "birth_date"))
    access_log_record(
        user=user,
        request=request,
        action=AccessLog.Action.VIEW,
        object_type="household",
        object_id=household.pk,
        subjects=[m.pk for m in members],
    )
    return household, members


def dong_overview(*, dong_id: int) -> dict[str, object]:
    """Aggregate figures for one 동 (no personal data): population by age band, households, flags."""
    current = today()
    residents = Resident.objects.filter(dong_id=dong_id, status=Resident.Status.RESIDENT)
    bands = [
        (0, 9),
        (10, 19),
        (20, 29),
        (30, 39),
        (40, 49),
        (50, 59),
        (60, 64),
        (65, 69),
        (70, 79),
        (80, 200),
    ]
    aggregates = {}
    for low, high in bands:
        born_after = years_before(current, high + 1)
        born_until = years_before(current, low)
        aggregates[f"{low}-{high}"] = Count(
            "id", filter=Q(birth_date__gt=born_after, birth_date__lte=born_until)
        )
    aggregates.update(
        total=Count("id"),
        basic_livelihood=Count("id", filter=Q(basic_livelihood=True)),
        near_poor=Count("id", filter=Q(near_poor=True)),
        disability=Count("id", filter=~Q(disability="")),
        single_elder=Count("id", filter=Q(single_elder=True)),
        single_parent=Count("id", filter=Q(single_parent=True)),
    )
    figures = residents.aggregate(**aggregates)
    figures["households"] = (
        Household.objects.filter(dong_id=dong_id, members__status=Resident.Status.RESIDENT).distinct().count()
    )
    return figures
