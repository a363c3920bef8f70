"""Reads of org units, zones and staff: the zone map of a 동, its coverage problems, lockout state and
the permission-change history. No resident data here; callers scope with accounts.access first."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from chatdong.accounts import access
from chatdong.accounts.models import (
    Agency,
    Ban,
    Dong,
    LoginAttempt,
    PermissionChange,
    Role,
    Scope,
    Tong,
    User,
    Zone,
)

# Why a 통/반 counts as uncovered. Covered = in a zone whose officer is an active member of this 동.
NO_ZONE = "구역 미지정"
NO_OFFICER = "담당자 없음"
OFFICER_INACTIVE = "담당자 말소"
OFFICER_ELSEWHERE = "담당자 타 동 소속"


def ban_ranges(numbers: Iterable[int]) -> str:
    """[1, 2, 3, 4, 7] → "1~4, 7반"; consecutive numbers are folded into ranges."""
    ordered = sorted(set(numbers))
    if not ordered:
        return ""
    parts: list[str] = []
    start = prev = ordered[0]
    for n in [*ordered[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(f"{start}" if start == prev else f"{start}~{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts) + "반"


def natural_key(text: str) -> list[int | str]:
    """Sort key that puts "2구역" before "10구역"."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def officer_problem(zone: Zone | None, dong_id: int) -> str:
    """Empty when the zone has an active officer of the 동; otherwise the reason it does not count."""
    if zone is None:
        return NO_ZONE
    officer = zone.officer
    if officer is None:
        return NO_OFFICER
    if not officer.is_active:
        return OFFICER_INACTIVE
    if officer.dong_id != dong_id:
        return OFFICER_ELSEWHERE
    return ""


@dataclass(frozen=True)
class ZoneMapGroup:
    """The 반 of one 통 that share a zone (or share having none)."""

    ban_numbers: list[int]
    zone: Zone | None
    problem: str

    @property
    def bans_label(self) -> str:
        return ban_ranges(self.ban_numbers)

    @property
    def officer(self) -> User | None:
        return self.zone.officer if self.zone is not None else None


@dataclass(frozen=True)
class ZoneMapRow:
    tong: Tong
    groups: list[ZoneMapGroup]

    @property
    def ban_count(self) -> int:
        return sum(len(g.ban_numbers) for g in self.groups)

    @property
    def uncovered_count(self) -> int:
        return sum(len(g.ban_numbers) for g in self.groups if g.problem)


def zone_map(*, dong: Dong) -> list[ZoneMapRow]:
    """Every 통 of the 동 with its 반 grouped by zone, in 통/반 order. Two queries for the whole 동."""
    tongs = list(Tong.objects.filter(dong=dong).order_by("number"))
    bans = Ban.objects.filter(tong__dong=dong).select_related("zone__officer").order_by("tong_id", "number")
    by_tong: dict[int, dict[int | None, list[int]]] = defaultdict(dict)
    zones: dict[int, Zone] = {}
    for ban in bans:
        if ban.zone is not None:
            zones[ban.zone.pk] = ban.zone
        by_tong[ban.tong_id].setdefault(ban.zone_id, []).append(ban.number)
    rows = []
    for tong in tongs:
        groups = [
            ZoneMapGroup(
                ban_numbers=numbers,
                zone=zones.get(zone_id) if zone_id is not None else None,
                problem=officer_problem(zones.get(zone_id) if zone_id is not None else None, dong.pk),
            )
            for zone_id, numbers in by_tong[tong.pk].items()
        ]
        groups.sort(key=lambda g: g.ban_numbers[0])
        rows.append(ZoneMapRow(tong=tong, groups=groups))
    return rows


def staff_needing_zone(*, dong: Dong) -> QuerySet[User]:
    """Active 동 staff who should be a 우리동네주무관 (everyone but 동장, 팀장, 민원창구) and have no zone."""
    return (
        User.objects.filter(
            dong=dong,
            is_active=True,
            scope__in=[Scope.DONG, Scope.ZONE],
            role__in=access.ZONE_OFFICER_ROLES,
        )
        .filter(~Exists(Zone.objects.filter(officer=OuterRef("pk"), dong=dong)))
        .order_by("full_name", "username")
    )


@dataclass(frozen=True)
class CoverageProblems:
    uncovered: list[tuple[Tong, ZoneMapGroup]]
    zones_without_officer: list[tuple[Zone, str]]
    empty_zones: list[Zone]
    staff_without_zone: list[User]
    ban_total: int

    @property
    def uncovered_ban_count(self) -> int:
        return sum(len(g.ban_numbers) for _, g in self.uncovered)

    @property
    def ok(self) -> bool:
        return not (self.uncovered or self.zones_without_officer or self.staff_without_zone)


def zone_coverage_problems(*, dong: Dong, rows: list[ZoneMapRow] | None = None) -> CoverageProblems:
    """What keeps the 동 from being fully covered: 반 with no zone or no active officer, zones without
    an officer, zones with no 반, and staff who should have a zone but do not. Pass `rows` from
    zone_map() to avoid reading the 반 twice."""
    rows = rows if rows is not None else zone_map(dong=dong)
    uncovered = [(row.tong, g) for row in rows for g in row.groups if g.problem]
    zones = sorted(
        Zone.objects.filter(dong=dong).select_related("officer").annotate(n_bans=Count("bans")),
        key=lambda z: natural_key(z.name),
    )
    return CoverageProblems(
        uncovered=uncovered,
        zones_without_officer=[
            (z, officer_problem(z, dong.pk)) for z in zones if officer_problem(z, dong.pk)
        ],
        empty_zones=[z for z in zones if z.n_bans == 0],
        staff_without_zone=list(staff_needing_zone(dong=dong)),
        ban_total=sum(row.ban_count for row in rows),
    )


@dataclass(frozen=True)
class DongCoverage:
    bans: int = 0
    uncovered_bans: int = 0
    staff: int = 0
    staff_without_zone: int = 0


def coverage_by_dong(*, dongs: QuerySet[Dong]) -> dict[int, DongCoverage]:
    """Coverage counts for many 동 at once (the 동 list): three grouped queries, whatever the number of 동."""
    covered = Q(zone__officer__is_active=True, zone__officer__dong_id=F("tong__dong_id"))
    ban_counts = {
        row["tong__dong_id"]: row
        for row in Ban.objects.filter(tong__dong__in=dongs)
        .values("tong__dong_id")
        .annotate(total=Count("id"), covered=Count("id", filter=covered))
    }
    staff_counts = dict(
        User.objects.filter(dong__in=dongs, is_active=True)
        .values("dong_id")
        .annotate(n=Count("id"))
        .values_list("dong_id", "n")
    )
    missing = dict(
        User.objects.filter(
            dong__in=dongs,
            is_active=True,
            scope__in=[Scope.DONG, Scope.ZONE],
            role__in=access.ZONE_OFFICER_ROLES,
        )
        .filter(~Exists(Zone.objects.filter(officer=OuterRef("pk"), dong_id=OuterRef("dong_id"))))
        .values("dong_id")
        .annotate(n=Count("id"))
        .values_list("dong_id", "n")
    )
    result: dict[int, DongCoverage] = {}
    for dong_id in dongs.values_list("pk", flat=True):
        bans = ban_counts.get(dong_id, {"total": 0, "covered": 0})
        result[dong_id] = DongCoverage(
            bans=bans["total"],
            uncovered_bans=bans["total"] - bans["covered"],
            staff=staff_counts.get(dong_id, 0),
            staff_without_zone=missing.get(dong_id, 0),
        )
    return result


def dong_staff(*, dong: Dong) -> list[User]:
    """Active staff of a 동 with their zones in this 동 (prefetched), 동장 and 팀장 first."""
    order = {role.value: i for i, role in enumerate(Role)}
    staff = list(
        User.objects.filter(dong=dong, is_active=True)
        .prefetch_related("zones")
        .order_by("full_name", "username")
    )
    staff.sort(key=lambda u: order.get(u.role, 99))
    return staff


def zones_of(*, user: User) -> list[Zone]:
    """The zones a staff member is 우리동네주무관 of, with their 반 (for the home page)."""
    return list(Zone.objects.filter(officer=user).select_related("dong").prefetch_related("bans__tong"))


def zone_bans_label(zone: Zone) -> str:
    """ "1통 1~4반 · 2통 1~3반" for a zone whose bans__tong were prefetched."""
    by_tong: dict[int, list[int]] = defaultdict(list)
    for ban in zone.bans.all():
        by_tong[ban.tong.number].append(ban.number)
    return " · ".join(f"{tong}통 {ban_ranges(numbers)}" for tong, numbers in sorted(by_tong.items()))


@dataclass(frozen=True)
class ZoneSummary:
    zone: Zone
    bans_label: str
    ban_count: int
    problem: str


def dong_zones(*, dong: Dong) -> list[ZoneSummary]:
    """The zones of a 동 with their officer, 반 and whether they count as covered (three queries)."""
    zones = sorted(
        Zone.objects.filter(dong=dong).select_related("officer").prefetch_related("bans__tong"),
        key=lambda z: natural_key(z.name),
    )
    return [
        ZoneSummary(
            zone=z,
            bans_label=zone_bans_label(z),
            ban_count=len(z.bans.all()),
            problem=officer_problem(z, dong.pk),
        )
        for z in zones
    ]


# --- staff lists and login state --------------------------------------------------------------------


@dataclass
class StaffFilter:
    query: str = ""
    dong_id: int | None = None
    role: str = ""
    status: str = "active"  # active | inactive | all
    agency_id: int | None = None


def staff_list(*, viewer: User, filters: StaffFilter) -> QuerySet[User]:
    """Staff the viewer may see, filtered; related units selected and zones prefetched."""
    qs = access.staff_visible_to(viewer)
    if filters.status == "active":
        qs = qs.filter(is_active=True)
    elif filters.status == "inactive":
        qs = qs.filter(is_active=False)
    if filters.dong_id:
        qs = qs.filter(dong_id=filters.dong_id)
    if filters.agency_id:
        qs = qs.filter(agency_id=filters.agency_id)
    if filters.role:
        qs = qs.filter(role=filters.role)
    if filters.query:
        qs = qs.filter(Q(full_name__contains=filters.query) | Q(username__icontains=filters.query))
    return (
        qs.select_related("dong", "agency", "district")
        .prefetch_related("zones")
        .order_by("dong__code", "agency__name", "full_name", "username")
    )


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=settings.CHATDONG_LOCKOUT_WINDOW_MINUTES)


def locked_usernames(usernames: Iterable[str]) -> set[str]:
    """Which of these accounts are locked out now: the same rule as services.login_is_locked, for a
    whole page of staff in one query."""
    names = list(usernames)
    if not names:
        return set()
    limit = settings.CHATDONG_LOCKOUT_FAILURES
    recent: dict[str, list[bool]] = defaultdict(list)
    attempts = (
        LoginAttempt.objects.filter(username__in=names, at__gte=_window_start())
        .order_by("username", "-at", "-id")
        .values_list("username", "succeeded")
    )
    for username, succeeded in attempts:
        if len(recent[username]) < limit:
            recent[username].append(succeeded)
    return {name for name, results in recent.items() if len(results) >= limit and not any(results)}


def login_failures_in_a_row(username: str) -> int:
    """Failed attempts since the last success, inside the lockout window (shown on the login page)."""
    count = 0
    attempts = LoginAttempt.objects.filter(username=username, at__gte=_window_start()).order_by("-at", "-id")
    for succeeded in attempts.values_list("succeeded", flat=True)[: settings.CHATDONG_LOCKOUT_FAILURES]:
        if succeeded:
            break
        count += 1
    return count


# --- permission history -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GrantView:
    """A PermissionChange snapshot in words."""

    role: str
    scope: str
    unit: str
    active: bool | None

    @property
    def text(self) -> str:
        if not self.role:
            return "—"
        state = "" if self.active is None or self.active else " (말소)"
        return f"{self.role} · {self.scope} {self.unit}".strip() + state


@dataclass(frozen=True)
class HistoryEntry:
    change: PermissionChange
    before: GrantView
    after: GrantView


def permission_history(*, user: User) -> list[HistoryEntry]:
    """Every grant, change and removal of the user's role/scope, newest first, in words. Units are
    looked up once for the whole history."""
    changes = list(PermissionChange.objects.filter(user=user).select_related("actor").order_by("-at", "-id"))
    dong_ids = {snap.get("dong") for c in changes for snap in (c.before, c.after)} - {None}
    agency_ids = {snap.get("agency") for c in changes for snap in (c.before, c.after)} - {None}
    dongs = dict(Dong.objects.filter(pk__in=dong_ids).values_list("pk", "name"))
    agencies = dict(Agency.objects.filter(pk__in=agency_ids).values_list("pk", "name"))

    def view(snap: dict[str, object]) -> GrantView:
        if not snap:
            return GrantView("", "", "", None)
        role = str(snap.get("role", ""))
        scope = str(snap.get("scope", ""))
        unit = ""
        if snap.get("dong"):
            unit = dongs.get(snap["dong"], "")  # type: ignore[call-overload]  # JSON ints
        elif snap.get("agency"):
            unit = agencies.get(snap["agency"], "")  # type: ignore[call-overload]  # JSON ints
        active = snap.get("active")
        return GrantView(
            role=Role(role).label if role in Role.values else role,
            scope=Scope(scope).label if scope in Scope.values else scope,
            unit=unit,
            active=bool(active) if active is not None else None,
        )

    return [HistoryEntry(change=c, before=view(c.before), after=view(c.after)) for c in changes]
