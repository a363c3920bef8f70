"""Who may see which residents and households. The one place that scopes registry queries."""

from __future__ import annotations

from django.db.models import QuerySet

from chatdong.accounts.access import can_view_personal_data, is_active_staff
from chatdong.accounts.models import Role, Scope, User
from chatdong.registry.models import Household, ImportBatch, Resident

IMPORT_ROLES = frozenset({Role.DISTRICT_STAFF, Role.ADMIN})


def residents_visible_to(user: User) -> QuerySet[Resident]:
    if not can_view_personal_data(user):
        return Resident.objects.none()
    if user.scope == Scope.DISTRICT:
        return Resident.objects.filter(dong__district_id=user.district_id)
    if user.scope == Scope.DONG:
        return Resident.objects.filter(dong_id=user.dong_id)
    if user.scope == Scope.ZONE:
        return Resident.objects.filter(dong_id=user.dong_id, ban__zone__officer=user)
    return Resident.objects.none()


def households_visible_to(user: User) -> QuerySet[Household]:
    if not can_view_personal_data(user):
        return Household.objects.none()
    if user.scope == Scope.DISTRICT:
        return Household.objects.filter(dong__district_id=user.district_id)
    if user.scope == Scope.DONG:
        return Household.objects.filter(dong_id=user.dong_id)
    if user.scope == Scope.ZONE:
        return Household.objects.filter(dong_id=user.dong_id, ban__zone__officer=user)
    return Household.objects.none()


def can_import(user: User) -> bool:
    return is_active_staff(user) and user.role in IMPORT_ROLES


def import_batches_visible_to(user: User) -> QuerySet[ImportBatch]:
    if not can_import(user):
        return ImportBatch.objects.none()
    return ImportBatch.objects.all()
