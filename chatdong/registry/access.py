"""Who may see which residents and households. The one place that scopes registry queries."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

from chatdong.accounts.access import can_view_personal_data, is_active_staff
from chatdong.accounts.models import Ban, Dong, Role, Scope, User
from chatdong.registry.models import Household, ImportBatch, Resident

_M = TypeVar("_M", bound=Model)

IMPORT_ROLES = frozenset({Role.DISTRICT_STAFF, Role.ADMIN})


def _in_scope(queryset: QuerySet[_M], user: User) -> QuerySet[_M]:
    """Residents and households share one rule: they carry a 동 and a 반, and the user's scope is
    the district, one 동, or the 반 of the zones where she is the officer."""
    if not can_view_personal_data(user):
        return queryset.none()
    if user.scope == Scope.DISTRICT and user.district_id is not None:
        return queryset.filter(dong__district_id=user.district_id)
    if user.scope in (Scope.DONG, Scope.ZONE) and user.dong_id is not None:
        in_dong = queryset.filter(dong_id=user.dong_id)
        return in_dong.filter(ban__zone__officer=user) if user.scope == Scope.ZONE else in_dong
    return queryset.none()


def residents_visible_to(user: User) -> QuerySet[Resident]:
    return _in_scope(Resident.objects.all(), user)


def households_visible_to(user: User) -> QuerySet[Household]:
    return _in_scope(Household.objects.all(), user)


def can_import(user: User) -> bool:
    return is_active_staff(user) and user.role in IMPORT_ROLES


def import_batches_visible_to(user: User) -> QuerySet[ImportBatch]:
    if not can_import(user):
        return ImportBatch.objects.none()
    return ImportBatch.objects.all()


def dongs_with_residents_visible_to(user: User) -> QuerySet[Dong]:
    """The 동 in which the user may see residents (all of them, or those of the user's zone)."""
    if not can_view_personal_data(user):
        return Dong.objects.none()
    if user.scope == Scope.DISTRICT and user.district_id is not None:
        return Dong.objects.filter(district_id=user.district_id)
    if user.scope in (Scope.DONG, Scope.ZONE) and user.dong_id is not None:
        return Dong.objects.filter(pk=user.dong_id)
    return Dong.objects.none()


def bans_with_residents_visible_to(user: User) -> QuerySet[Ban]:
    """The 반 whose residents the user may see: as residents_visible_to, but for the unit itself, so that
    a list asked for by 반 answers 404 out of scope rather than an empty page."""
    if not can_view_personal_data(user):
        return Ban.objects.none()
    if user.scope == Scope.DISTRICT and user.district_id is not None:
        return Ban.objects.filter(tong__dong__district_id=user.district_id)
    if user.scope == Scope.DONG and user.dong_id is not None:
        return Ban.objects.filter(tong__dong_id=user.dong_id)
    if user.scope == Scope.ZONE and user.dong_id is not None:
        return Ban.objects.filter(tong__dong_id=user.dong_id, zone__officer=user)
    return Ban.objects.none()
