"""Reads of the registry. Every read that returns personal data records itself in the access log."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import Exists, Field, OuterRef, QuerySet, Subquery
from django.http import HttpRequest

from chatdong.accounts import access as accounts_access
from chatdong.accounts.models import User
from chatdong.audit.models import AccessLog
from chatdong.audit.services import access_log_record
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.core.rrn import InvalidRRN, blind_index, decrypt_rrn, looks_like_rrn, parse_rrn
from chatdong.core.selectors import DongFigures, dong_overview
from chatdong.core.time import today
from chatdong.registry import access
from chatdong.registry.extract_format import COLUMNS
from chatdong.registry.importer import progress_cache_key
from chatdong.registry.models import Household, ImportBatch, ImportRowError, Resident, ResidentChange

SearchKind = Literal["auto", "name", "phone", "address", "rrn"]
_ADDRESS_RE = re.compile(r"^\s*(\S+(?:로|길)(?:\s*\d+(?:번)?(?:가|길))?)\s+(\d+)(?:-(\d+))?\s*(.*)$")
_DIGITS_RE = re.compile(r"\D")
_NUMBER_RE = re.compile(r"^[-+]?\d[\d,.]*$")


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


def _visible_resident(user: User, resident_id: int, *, related: tuple[str, ...] = ()) -> Resident:
    """One resident inside the user's scope; NotFound (404) otherwise, never revealing existence."""
    resident = access.residents_visible_to(user).select_related(*related).filter(pk=resident_id).first()
    if resident is None:
        raise NotFound("주민을 찾을 수 없습니다.")
    return resident


def resident_get(*, user: User, request: HttpRequest | None, resident_id: int) -> Resident:
    """One resident the user may see (404 otherwise), logged as a view."""
    resident = _visible_resident(
        user, resident_id, related=("dong", "ban__tong", "ban__zone__officer", "household")
    )
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
    resident = _visible_resident(user, resident_id)
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


def _member_order(member: Resident) -> tuple[bool, bool, dt.date, int]:
    """Household members as a register lists them: current residents first, the head first, then by age."""
    return (
        member.status != Resident.Status.RESIDENT,
        member.relation != "본인",
        member.birth_date,
        member.pk,
    )


def household_get(
    *, user: User, request: HttpRequest | None, household_id: int
) -> tuple[Household, list[Resident]]:
    household = (
        access.households_visible_to(user).select_related("dong", "ban__tong").filter(pk=household_id).first()
    )
    if household is None:
        raise NotFound("세대를 찾을 수 없습니다.")
    members = sorted(household.members.all(), key=_member_order)
    access_log_record(
        user=user,
        request=request,
        action=AccessLog.Action.VIEW,
        object_type="household",
        object_id=household.pk,
        subjects=[m.pk for m in members],
    )
    return household, members


def age_on(birth_date: dt.date, day: dt.date | None = None) -> int:
    """만 나이 on `day` (today in Asia/Seoul by default)."""
    day = day or today()
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


@dataclass(frozen=True)
class ChangeItem:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class ChangeRow:
    change: ResidentChange
    items: list[ChangeItem]


@dataclass(frozen=True)
class ResidentProfile:
    resident: Resident
    age: int
    zone_officer: User | None
    members: list[Resident]  # the household, this resident included, as far as the user may see it
    changes: list[ChangeRow]


# Never shown in the history, even if an importer recorded them.
_HIDDEN_CHANGE_FIELDS = frozenset({"rrn", "rrn_encrypted", "rrn_index", "source_digest", "last_import"})
_EXTRACT_HEADERS = {column.key: column.header for column in COLUMNS}
# Changed fields are listed in the extract's column order (PostgreSQL's jsonb does not keep key order).
_FIELD_ORDER = {
    name: i
    for i, name in enumerate(dict.fromkeys([*_EXTRACT_HEADERS, *(f.name for f in Resident._meta.fields)]))
}


def _change_value(field: Field | None, value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "예" if value else "아니오"
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _change_rows(resident: Resident) -> list[ChangeRow]:
    rows = []
    for change in resident.changes.all():
        items = []
        changed = sorted((change.fields or {}).items(), key=lambda kv: (_FIELD_ORDER.get(kv[0], 999), kv[0]))
        for name, values in changed:
            if name in _HIDDEN_CHANGE_FIELDS:
                continue
            field: Field | None
            try:
                field = Resident._meta.get_field(name)  # type: ignore[assignment]  # concrete fields only
            except FieldDoesNotExist:
                field = None
            if field is not None and field.is_relation:
                field = None  # e.g. "ban": the extract's 반 number, not a key
            old, new = [*values, None, None][:2] if isinstance(values, list) else (None, values)
            label = _EXTRACT_HEADERS.get(name) or (str(field.verbose_name) if field is not None else name)
            items.append(ChangeItem(label, _change_value(field, old), _change_value(field, new)))
        rows.append(ChangeRow(change=change, items=items))
    return rows


def resident_profile(
    *,
    user: User,
    request: HttpRequest | None,
    resident_id: int,
    action: str = AccessLog.Action.VIEW,
) -> ResidentProfile:
    """Everything the detail page (or its printout) shows about one resident the user may see: the
    household members, status history and zone officer. 404 out of scope; logged as a view or a print,
    with every resident shown as a subject."""
    if action not in (AccessLog.Action.VIEW, AccessLog.Action.PRINT):
        raise ValueError(action)
    resident = _visible_resident(
        user, resident_id, related=("dong", "household", "ban__tong", "ban__zone__officer")
    )
    members = sorted(
        access.residents_visible_to(user).filter(household_id=resident.household_id), key=_member_order
    )
    changes = _change_rows(resident)
    zone = resident.ban.zone if resident.ban else None
    access_log_record(
        user=user,
        request=request,
        action=action,
        object_type="resident",
        object_id=resident.pk,
        subjects=[resident.pk, *(m.pk for m in members if m.pk != resident.pk)],
    )
    return ResidentProfile(
        resident=resident,
        age=age_on(resident.birth_date),
        zone_officer=zone.officer if zone else None,
        members=members,
        changes=changes,
    )


# --- lists and history for the JSON API ------------------------------------------------------------


def household_list(
    *,
    user: User,
    request: HttpRequest | None,
    dong_id: int | None = None,
    ban_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Household], int]:
    """One page of the households of a 동 or a 반 that the user may see (those with a current
    resident), by address, and their total. The 동/반 itself out of scope is NotFound. Logged as a
    search whose subjects are the current members of the households on the page."""
    if not access.can_view_personal_data(user):
        raise PermissionDenied("주민 정보를 조회할 권한이 없습니다.")
    households = access.households_visible_to(user)
    if ban_id is not None and dong_id is None:
        if not access.bans_with_residents_visible_to(user).filter(pk=ban_id).exists():
            raise NotFound("반을 찾을 수 없습니다.")
        households = households.filter(ban_id=ban_id)
    elif dong_id is not None and ban_id is None:
        if not access.dongs_with_residents_visible_to(user).filter(pk=dong_id).exists():
            raise NotFound("동을 찾을 수 없습니다.")
        households = households.filter(dong_id=dong_id)
    else:
        raise ValidationFailed("동(dong_id)과 반(ban_id) 중 하나만 지정해 주세요.")
    current = Resident.objects.filter(household=OuterRef("pk"), status=Resident.Status.RESIDENT)
    households = (
        households.filter(Exists(current))
        .annotate(head_name=Subquery(current.filter(relation="본인").order_by("id").values("name")[:1]))
        .select_related("dong", "ban__tong")
        .order_by("road_name", "building_main", "building_sub", "address_detail", "id")
    )
    total = households.count()
    rows: list[Household] = list(households[offset : offset + limit])
    subjects = Resident.objects.filter(household__in=rows, status=Resident.Status.RESIDENT).order_by("id")
    access_log_record(
        user=user,
        request=request,
        action=AccessLog.Action.SEARCH,
        object_type="household",
        subjects=subjects.values_list("pk", flat=True),
        detail={"dong_id": dong_id, "ban_id": ban_id, "offset": offset, "limit": limit},
    )
    return rows, total


def resident_change_list(*, user: User, request: HttpRequest | None, resident_id: int) -> list[ChangeRow]:
    """The status history of one resident the user may see (404 otherwise), newest first; logged."""
    if not access.can_view_personal_data(user):
        raise PermissionDenied("주민 정보를 조회할 권한이 없습니다.")
    resident = _visible_resident(user, resident_id)
    rows = _change_rows(resident)
    access_log_record(
        user=user,
        request=request,
        action=AccessLog.Action.VIEW,
        object_type="resident_changes",
        object_id=resident.pk,
        subjects=[resident.pk],
    )
    return rows


def dong_overview_for(*, user: User, dong_id: int) -> DongFigures:
    """The 동 figures (core.selectors.dong_overview) for a 동 the user covers: 403 for roles without
    the overview, 404 out of scope."""
    if not accounts_access.is_active_staff(user) or user.role not in accounts_access.OVERVIEW_ROLES:
        raise PermissionDenied("동 현황을 볼 권한이 없습니다.")
    dong = accounts_access.dongs_in_scope(user).filter(pk=dong_id).first()
    if dong is None:
        raise NotFound("동을 찾을 수 없습니다.")
    return dong_overview(dong=dong)


# ---------------------------------------------------------------------------------------------------
# Imports of resident-registration extracts


def import_progress(*, batch: ImportBatch) -> tuple[int, int]:
    """(rows processed, rows in total) of an import. A running import writes inside one transaction
    that other connections cannot see into, so it publishes its progress in the shared cache."""
    if batch.status in (ImportBatch.Status.SUCCEEDED, ImportBatch.Status.FAILED):
        return batch.total_rows, batch.total_rows
    done, total = cache.get(progress_cache_key(batch.pk), (0, batch.total_rows))
    return int(done), int(total)


def import_errors_rows(*, batch: ImportBatch) -> Iterator[tuple[int, str, str, str]]:
    """Every error of a failed import as (row, column header, value, reason), in row order."""
    rows = ImportRowError.objects.filter(batch=batch).order_by("row", "id")
    yield from rows.values_list("row", "column", "value", "reason").iterator(chunk_size=5000)


def _spreadsheet_safe(text: str) -> str:
    # A cell starting with = + - @ is a formula to Excel (CSV injection); quote it unless it is a number.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER_RE.match(text):
        return "'" + text
    return text


def import_errors_csv(*, batch: ImportBatch) -> Iterator[str]:
    """The errors as CSV lines for Excel (UTF-8 with BOM): 행, 열, 값, 사유. Row 0 (the whole file) is "-"."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values: list[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield "\ufeff" + line(["행", "열", "값", "사유"])
    for row, column, value, reason in import_errors_rows(batch=batch):
        yield line([str(row) if row else "-", column, _spreadsheet_safe(value), _spreadsheet_safe(reason)])
