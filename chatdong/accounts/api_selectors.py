"""Scoped reads of org units (동/통/반, zones) and staff, as the JSON API needs them.

Every function takes the user and reads only through chatdong.accounts.access, so a record outside the
user's scope is NotFound (404), never revealed. Org units and staff are not residents' personal data,
so these reads are not written to the access log. (Kept apart from accounts/selectors.py, which the web
pages use, only to avoid edit clashes; they can be merged.)"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from chatdong.accounts import access
from chatdong.accounts.models import Ban, Dong, Tong, User, Zone
from chatdong.core.errors import NotFound


def dong_list(*, user: User) -> QuerySet[Dong]:
    return access.dongs_visible_to(user).order_by("code")


def dong_get(*, user: User, dong_id: int) -> Dong:
    dong = access.dongs_visible_to(user).select_related("district").filter(pk=dong_id).first()
    if dong is None:
        raise NotFound("동을 찾을 수 없습니다.")
    return dong


def dong_tongs(*, user: User, dong_id: int) -> list[Tong]:
    """The 통 of a 동, each with its 반, and each 반 with its zone and officer (the zone map)."""
    dong = dong_get(user=user, dong_id=dong_id)
    bans = Ban.objects.select_related("zone__officer").order_by("number")
    return list(
        Tong.objects.filter(dong=dong).prefetch_related(Prefetch("bans", queryset=bans)).order_by("number")
    )


def zone_list(*, user: User, dong_id: int | None = None) -> QuerySet[Zone]:
    zones = access.zones_visible_to(user)
    if dong_id is not None:
        dong = dong_get(user=user, dong_id=dong_id)
        zones = zones.filter(dong=dong)
    return (
        zones.select_related("dong", "officer")
        .prefetch_related(
            Prefetch("bans", queryset=Ban.objects.select_related("tong").order_by("tong__number", "number"))
        )
        .order_by("dong__code", "name", "id")
    )


def zone_get(*, user: User, zone_id: int) -> Zone:
    zone = zone_list(user=user).filter(pk=zone_id).first()
    if zone is None:
        raise NotFound("담당구역을 찾을 수 없습니다.")
    return zone


def staff_list(
    *, user: User, dong_id: int | None = None, role: str | None = None, include_inactive: bool = False
) -> QuerySet[User]:
    staff = access.staff_visible_to(user)
    if dong_id is not None:
        staff = staff.filter(dong_id=dong_id)
    if role:
        staff = staff.filter(role=role)
    if not include_inactive:
        staff = staff.filter(is_active=True)
    return staff.select_related("dong", "agency").order_by("full_name", "id")


def staff_get(*, user: User, staff_id: int) -> User:
    member = (
        access.staff_visible_to(user)
        .select_related("dong", "agency")
        .prefetch_related("zones")
        .filter(pk=staff_id)
        .first()
    )
    if member is None:
        raise NotFound("직원을 찾을 수 없습니다.")
    return member
