"""The access matrix: every role × every endpoint, with the expected outcome declared in one table.

A = allowed (200), F = forbidden for the role (403), N = not found: the record or unit is outside the
user's scope, answered exactly like a record that does not exist (404). R = redirected (302; the 동
list sends a user with a single 동 straight to its page).

For every cell the test makes the request as a user of that role (chatdong.testing.world: 동 roles work
in 동 A, the 일반 주무관 is the officer of zone Z1 with zone scope, district roles cover 성북구, the
case worker belongs to an agency) and asserts:
- the status code;
- denied (403/404): nothing changed at all (every row of every table below, the access log included);
- allowed: exactly the access-log entry the endpoint must write (with whose data was shown) and no other
  change, except the tables the endpoint exists to write (a token); and for lists, exactly the records
  of the user's scope.

API endpoints (bearer token) and web pages (client "session", in WEB_CASES) share the table: a new
endpoint or page is one Case and one row, and test_matrix_covers_every_case_and_role fails until both
exist. Without a token every API case answers 401, and without a login every page sends to the login
page, changing nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Model
from django.http import HttpResponse
from django.test import Client

from chatdong.accounts.models import (
    Agency,
    ApiToken,
    Ban,
    District,
    Dong,
    LoginAttempt,
    PermissionChange,
    Role,
    Scope,
    Tong,
    User,
    Zone,
)
from chatdong.accounts.services import api_token_issue
from chatdong.audit.models import AccessLog, AuditChainHead, AuditReview
from chatdong.registry.models import Household, ImportBatch, ImportRowError, Resident, ResidentChange
from chatdong.testing.world import PASSWORD, ROLES, World, build_world

COLUMNS = {
    "DH": Role.DONG_HEAD,
    "TL": Role.TEAM_LEADER,
    "PE": Role.PLANNER_ELDER,
    "PC": Role.PLANNER_CHILD,
    "PP": Role.PLANNER_POVERTY,
    "PY": Role.PLANNER_YOUTH,
    "VN": Role.VISITING_NURSE,
    "IN": Role.INFANT_NURSE,
    "CO": Role.COUNSELOR,
    "SU": Role.SUPERVISOR,
    "OF": Role.OFFICER,
    "FD": Role.FRONT_DESK,
    "DS": Role.DISTRICT_STAFF,
    "ST": Role.SUPPORT_TEAM,
    "HM": Role.HEALTH_MEDICAL,
    "AW": Role.AGENCY_WORKER,
    "AD": Role.ADMIN,
}
OUTCOMES = {"A": 200, "R": 302, "F": 403, "N": 404}

# fmt: off
MATRIX = """
case                         DH TL PE PC PP PY VN IN CO SU OF FD DS ST HM AW AD
api:auth_token               A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A
api:auth_token_revoke        A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A
api:me                       A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A
api:dongs                    A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A
api:dong_a                   A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A
api:dong_b                   A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A
api:dong_x                   N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N
api:dong_a_tongs             A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A
api:dong_x_tongs             N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N
api:dong_a_overview          A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  F  A
api:dong_b_overview          N  N  N  N  N  N  N  N  N  N  N  N  A  A  A  F  A
api:dong_x_overview          N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  F  N
api:zones_dong_a             A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A
api:zones_dong_x             N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N
api:zone_z1                  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A
api:zone_x                   N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N
api:staff                    A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A
api:staff_dong_a             A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  N  A
api:staff_dong_b             N  N  N  N  N  N  N  N  N  N  N  N  A  A  A  N  A
api:staff_district           N  N  N  N  N  N  N  N  N  N  N  N  A  A  A  N  A
api:staff_agency             N  N  N  N  N  N  N  N  N  N  N  N  A  A  A  A  A
api:staff_x                  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N
api:resident_search          A  A  A  A  A  A  A  A  A  A  A  A  A  F  F  F  F
api:resident_search_post     A  A  A  A  A  A  A  A  A  A  A  A  A  F  F  F  F
api:resident_z1              A  A  A  A  A  A  A  A  A  A  A  A  A  F  F  F  F
api:resident_z2              A  A  A  A  A  A  A  A  A  A  N  A  A  F  F  F  F
api:resident_b               N  N  N  N  N  N  N  N  N  N  N  N  A  F  F  F  F
api:resident_x               N  N  N  N  N  N  N  N  N  N  N  N  N  F  F  F  F
api:changes_z1               A  A  A  A  A  A  A  A  A  A  A  A  A  F  F  F  F
api:changes_z2               A  A  A  A  A  A  A  A  A  A  N  A  A  F  F  F  F
api:changes_b                N  N  N  N  N  N  N  N  N  N  N  N  A  F  F  F  F
api:changes_x                N  N  N  N  N  N  N  N  N  N  N  N  N  F  F  F  F
api:households_dong_a        A  A  A  A  A  A  A  A  A  A  A  A  A  F  F  F  F
api:households_dong_b        N  N  N  N  N  N  N  N  N  N  N  N  A  F  F  F  F
api:households_dong_x        N  N  N  N  N  N  N  N  N  N  N  N  N  F  F  F  F
api:households_ban_z1        A  A  A  A  A  A  A  A  A  A  A  A  A  F  F  F  F
api:households_ban_z2        A  A  A  A  A  A  A  A  A  A  N  A  A  F  F  F  F
api:households_ban_a_free    A  A  A  A  A  A  A  A  A  A  N  A  A  F  F  F  F
api:household_z1             A  A  A  A  A  A  A  A  A  A  A  A  A  F  F  F  F
api:household_z2             A  A  A  A  A  A  A  A  A  A  N  A  A  F  F  F  F
api:household_b              N  N  N  N  N  N  N  N  N  N  N  N  A  F  F  F  F
api:household_x              N  N  N  N  N  N  N  N  N  N  N  N  N  F  F  F  F
web:core:home                A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A
web:core:dong_list           R  R  R  R  R  R  R  R  R  R  R  R  A  A  A  F  A
web:core:dong_detail_a       A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  F  A
web:core:dong_detail_b       N  N  N  N  N  N  N  N  N  N  N  N  A  A  A  F  A
web:registry:search          A  A  A  A  A  A  A  A  A  A  A  A  A  F  F  F  F
web:registry:search_q        A  A  A  A  A  A  A  A  A  A  A  A  A  F  F  F  F
web:registry:resident_z1     A  A  A  A  A  A  A  A  A  A  A  A  A  F  F  F  F
web:registry:resident_z2     A  A  A  A  A  A  A  A  A  A  N  A  A  F  F  F  F
web:registry:resident_b      N  N  N  N  N  N  N  N  N  N  N  N  A  F  F  F  F
web:registry:resident_x      N  N  N  N  N  N  N  N  N  N  N  N  N  F  F  F  F
web:registry:print_z1        A  A  A  A  A  A  A  A  A  A  A  A  A  F  F  F  F
web:registry:print_z2        A  A  A  A  A  A  A  A  A  A  N  A  A  F  F  F  F
web:registry:reveal_z1       A  A  A  A  A  A  A  A  A  A  A  A  A  F  F  F  F
web:registry:reveal_z2       A  A  A  A  A  A  A  A  A  A  N  A  A  F  F  F  F
web:registry:reveal_b        N  N  N  N  N  N  N  N  N  N  N  N  A  F  F  F  F
web:registry:household_z1    A  A  A  A  A  A  A  A  A  A  A  A  A  F  F  F  F
web:registry:household_z2    A  A  A  A  A  A  A  A  A  A  N  A  A  F  F  F  F
web:registry:household_b     N  N  N  N  N  N  N  N  N  N  N  N  A  F  F  F  F
web:registry:import_list     F  F  F  F  F  F  F  F  F  F  F  F  A  F  F  F  A
web:audit:log_list           F  F  F  F  F  F  F  F  F  F  F  F  A  F  F  F  A
web:audit:review_list        F  F  F  F  F  F  F  F  F  F  F  F  A  F  F  F  A
web:accounts:account         A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A
web:accounts:staff_list      A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A
web:accounts:staff_dong_a    A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  N  A
web:accounts:staff_dong_b    N  N  N  N  N  N  N  N  N  N  N  N  A  A  A  N  A
web:accounts:staff_agency    N  N  N  N  N  N  N  N  N  N  N  N  A  A  A  A  A
web:accounts:staff_x         N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N
web:accounts:staff_create    A  F  F  F  F  F  F  F  F  F  F  F  F  F  F  F  A
web:accounts:staff_edit_a    A  F  F  F  F  F  F  F  F  F  F  F  F  F  F  N  A
web:accounts:staff_edit_b    N  N  N  N  N  N  N  N  N  N  N  N  F  F  F  N  A
web:accounts:zone_create_a   A  A  F  F  F  F  F  F  F  F  F  F  F  F  F  F  A
web:accounts:zone_create_b   F  F  F  F  F  F  F  F  F  F  F  F  F  F  F  F  A
web:accounts:zone_create_x   N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N
web:accounts:zone_edit_z1    A  A  F  F  F  F  F  F  F  F  F  F  F  F  F  F  A
web:accounts:zone_edit_x     N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N
"""
# fmt: on


def parse_matrix(text: str) -> dict[str, dict[Role, int]]:
    header, *rows = [line.split() for line in text.strip().splitlines()]
    roles = [COLUMNS[code] for code in header[1:]]
    return {row[0]: {role: OUTCOMES[code] for role, code in zip(roles, row[1:], strict=True)} for row in rows}


EXPECTED = parse_matrix(MATRIX)


# --- what each request is, and what an allowed one must show and log --------------------------------

Ids = Callable[[World, User], set[int]]


@dataclass(frozen=True)
class Logged:
    """The one access-log entry an allowed request writes: action, object type, whose data."""

    action: str
    object_type: str
    subjects: Ids


@dataclass(frozen=True)
class Case:
    url: Callable[[World], str]
    method: str = "GET"
    client: str = "bearer"  # "bearer" (API token), "anonymous", or "session" (a web page, logged in)
    body: Callable[[World, User], dict[str, Any]] | None = None  # JSON for the API, a form for pages
    logged: Logged | None = None
    writes: frozenset[str] = frozenset()  # tables an allowed request exists to change
    returns: Ids | None = None  # the ids an allowed request must return (lists: exactly these)


def ids_of(body: Any) -> set[int]:
    items = body["items"] if isinstance(body, dict) and "items" in body else body
    if isinstance(items, list):
        return {item["id"] for item in items}
    if "household" in items:
        return {items["household"]["id"]}
    return {items["id"]}


def one(pick: Callable[[World], Model]) -> Ids:
    return lambda w, u: {pick(w).pk}


def residents_in_scope(w: World, u: User) -> set[int]:
    """Current residents the user may see (world facts, not the access functions under test)."""
    if u.scope == Scope.ZONE:
        return w.current_residents_z1
    if u.scope == Scope.DONG:
        return w.current_residents_a
    return w.current_residents_a | {w.r_b.pk}  # 구 scope: 성북구, not 종로구


def households_of_dong_a(w: World, u: User) -> set[int]:
    if u.scope == Scope.ZONE:
        return {w.hh_z1.pk}
    return {w.hh_z1.pk, w.hh_z2.pk, w.hh_a_free.pk}


def members_of_dong_a(w: World, u: User) -> set[int]:
    return w.current_residents_z1 if u.scope == Scope.ZONE else w.current_residents_a


def staff_in_scope(w: World, u: User) -> set[int]:
    if u.scope in (Scope.DONG, Scope.ZONE):
        return {x.pk for x in w.users.values() if x.dong_id == w.dong_a.pk} | {w.officer_z2.pk}
    if u.scope == Scope.AGENCY:
        return {u.pk, w.agency_colleague.pk}
    return {x.pk for x in w.users.values()} | {w.officer_z2.pk, w.planner_b.pk, w.agency_colleague.pk}


def _resident(pick: Callable[[World], Resident]) -> Case:
    return Case(
        url=lambda w: f"/api/v1/residents/{pick(w).pk}",
        logged=Logged("view", "resident", lambda w, u: {pick(w).pk}),
        returns=lambda w, u: {pick(w).pk},
    )


def _changes(pick: Callable[[World], Resident], key: str) -> Case:
    return Case(
        url=lambda w: f"/api/v1/residents/{pick(w).pk}/changes",
        logged=Logged("view", "resident_changes", lambda w, u: {pick(w).pk}),
        returns=lambda w, u: {w.changes[key].pk},
    )


def _household(pick: Callable[[World], Household], members: Callable[[World], set[int]]) -> Case:
    """A household's detail shows (and logs) all its members, moved-out ones included."""
    return Case(
        url=lambda w: f"/api/v1/households/{pick(w).pk}",
        logged=Logged("view", "household", lambda w, u: members(w)),
        returns=lambda w, u: {pick(w).pk},
    )


def _household_list(query: Callable[[World], str], returns: Ids, subjects: Ids) -> Case:
    return Case(
        url=lambda w: f"/api/v1/households?{query(w)}",
        logged=Logged("search", "household", subjects),
        returns=returns,
    )


def _search_body(w: World, u: User) -> dict[str, Any]:
    return {"q": "김", "kind": "name"}


CASES: dict[str, Case] = {
    "api:auth_token": Case(
        url=lambda w: "/api/v1/auth/token",
        method="POST",
        client="anonymous",
        body=lambda w, u: {"username": u.username, "password": PASSWORD},
        writes=frozenset({"accounts.ApiToken", "accounts.LoginAttempt"}),
    ),
    "api:auth_token_revoke": Case(
        url=lambda w: "/api/v1/auth/token/revoke", method="POST", writes=frozenset({"accounts.ApiToken"})
    ),
    "api:me": Case(url=lambda w: "/api/v1/me", returns=lambda w, u: {u.pk}),
    "api:dongs": Case(url=lambda w: "/api/v1/dongs", returns=lambda w, u: {w.dong_a.pk, w.dong_b.pk}),
    "api:dong_a": Case(url=lambda w: f"/api/v1/dongs/{w.dong_a.pk}", returns=one(lambda w: w.dong_a)),
    "api:dong_b": Case(url=lambda w: f"/api/v1/dongs/{w.dong_b.pk}", returns=one(lambda w: w.dong_b)),
    "api:dong_x": Case(url=lambda w: f"/api/v1/dongs/{w.dong_x.pk}"),
    "api:dong_a_tongs": Case(
        url=lambda w: f"/api/v1/dongs/{w.dong_a.pk}/tongs",
        returns=lambda w, u: {w.ban_z1.tong_id, w.ban_a_free.tong_id},
    ),
    "api:dong_x_tongs": Case(url=lambda w: f"/api/v1/dongs/{w.dong_x.pk}/tongs"),
    "api:dong_a_overview": Case(url=lambda w: f"/api/v1/dongs/{w.dong_a.pk}/overview"),
    "api:dong_b_overview": Case(url=lambda w: f"/api/v1/dongs/{w.dong_b.pk}/overview"),
    "api:dong_x_overview": Case(url=lambda w: f"/api/v1/dongs/{w.dong_x.pk}/overview"),
    "api:zones_dong_a": Case(
        url=lambda w: f"/api/v1/zones?dong_id={w.dong_a.pk}",
        returns=lambda w, u: {w.zone_z1.pk, w.zone_z2.pk},
    ),
    "api:zones_dong_x": Case(url=lambda w: f"/api/v1/zones?dong_id={w.dong_x.pk}"),
    "api:zone_z1": Case(url=lambda w: f"/api/v1/zones/{w.zone_z1.pk}", returns=one(lambda w: w.zone_z1)),
    "api:zone_x": Case(url=lambda w: f"/api/v1/zones/{w.zone_x.pk}"),
    "api:staff": Case(url=lambda w: "/api/v1/staff", returns=staff_in_scope),
    "api:staff_dong_a": Case(
        url=lambda w: f"/api/v1/staff/{w.officer_z2.pk}", returns=one(lambda w: w.officer_z2)
    ),
    "api:staff_dong_b": Case(
        url=lambda w: f"/api/v1/staff/{w.planner_b.pk}", returns=one(lambda w: w.planner_b)
    ),
    "api:staff_district": Case(
        url=lambda w: f"/api/v1/staff/{w.users[Role.DISTRICT_STAFF].pk}",
        returns=one(lambda w: w.users[Role.DISTRICT_STAFF]),
    ),
    "api:staff_agency": Case(
        url=lambda w: f"/api/v1/staff/{w.agency_colleague.pk}", returns=one(lambda w: w.agency_colleague)
    ),
    "api:staff_x": Case(url=lambda w: f"/api/v1/staff/{w.staff_x.pk}"),
    "api:resident_search": Case(
        url=lambda w: "/api/v1/residents?q=%EA%B9%80&kind=name",  # q=김
        logged=Logged("search", "resident", residents_in_scope),
        returns=residents_in_scope,
    ),
    "api:resident_search_post": Case(
        url=lambda w: "/api/v1/residents/search",
        method="POST",
        body=_search_body,
        logged=Logged("search", "resident", residents_in_scope),
        returns=residents_in_scope,
    ),
    "api:resident_z1": _resident(lambda w: w.r_z1),
    "api:resident_z2": _resident(lambda w: w.r_z2),
    "api:resident_b": _resident(lambda w: w.r_b),
    "api:resident_x": _resident(lambda w: w.r_x),
    "api:changes_z1": _changes(lambda w: w.r_z1, "z1"),
    "api:changes_z2": _changes(lambda w: w.r_z2, "z2"),
    "api:changes_b": _changes(lambda w: w.r_b, "b"),
    "api:changes_x": _changes(lambda w: w.r_x, "x"),
    "api:households_dong_a": _household_list(
        lambda w: f"dong_id={w.dong_a.pk}", households_of_dong_a, members_of_dong_a
    ),
    "api:households_dong_b": _household_list(
        lambda w: f"dong_id={w.dong_b.pk}", one(lambda w: w.hh_b), one(lambda w: w.r_b)
    ),
    "api:households_dong_x": _household_list(
        lambda w: f"dong_id={w.dong_x.pk}", one(lambda w: w.hh_x), one(lambda w: w.r_x)
    ),
    "api:households_ban_z1": _household_list(
        lambda w: f"ban_id={w.ban_z1.pk}", one(lambda w: w.hh_z1), lambda w, u: w.current_residents_z1
    ),
    "api:households_ban_z2": _household_list(
        lambda w: f"ban_id={w.ban_z2.pk}", one(lambda w: w.hh_z2), one(lambda w: w.r_z2)
    ),
    "api:households_ban_a_free": _household_list(
        lambda w: f"ban_id={w.ban_a_free.pk}", one(lambda w: w.hh_a_free), one(lambda w: w.r_a_free)
    ),
    "api:household_z1": _household(
        lambda w: w.hh_z1, lambda w: {w.r_z1.pk, w.r_z1_child.pk, w.r_z1_moved_out.pk}
    ),
    "api:household_z2": _household(lambda w: w.hh_z2, lambda w: {w.r_z2.pk}),
    "api:household_b": _household(lambda w: w.hh_b, lambda w: {w.r_b.pk}),
    "api:household_x": _household(lambda w: w.hh_x, lambda w: {w.r_x.pk}),
}


def _page(url: Callable[[World], str], **kwargs: Any) -> Case:
    return Case(url=url, client="session", **kwargs)


def _resident_page(
    pick: Callable[[World], Resident], view: str, members: Callable[[World], set[int]]
) -> Case:
    """The resident page (and its printout) shows and logs the resident and the household members."""
    action = "print" if view == "print" else "view"
    suffix = "print/" if view == "print" else ""
    return _page(
        lambda w: f"/registry/residents/{pick(w).pk}/{suffix}",
        logged=Logged(action, "resident", lambda w, u: members(w)),
    )


def _reveal_page(pick: Callable[[World], Resident]) -> Case:
    return _page(
        lambda w: f"/registry/residents/{pick(w).pk}/rrn/",
        method="POST",
        body=lambda w, u: {"reason": "기초생활수급 신청 서류 대조"},
        logged=Logged("view", "resident_rrn", lambda w, u: {pick(w).pk}),
    )


def _household_page(pick: Callable[[World], Household], members: Callable[[World], set[int]]) -> Case:
    return _page(
        lambda w: f"/registry/households/{pick(w).pk}/",
        logged=Logged("view", "household", lambda w, u: members(w)),
    )


def _z1_household(w: World) -> set[int]:
    return {w.r_z1.pk, w.r_z1_child.pk, w.r_z1_moved_out.pk}


WEB_CASES: dict[str, Case] = {
    "web:core:home": _page(lambda w: "/"),
    "web:core:dong_list": _page(lambda w: "/dongs/"),
    "web:core:dong_detail_a": _page(lambda w: f"/dongs/{w.dong_a.pk}/"),
    "web:core:dong_detail_b": _page(lambda w: f"/dongs/{w.dong_b.pk}/"),
    "web:registry:search": _page(lambda w: "/registry/residents/"),
    "web:registry:search_q": _page(
        lambda w: "/registry/residents/?q=%EA%B9%80", logged=Logged("search", "resident", residents_in_scope)
    ),
    "web:registry:resident_z1": _resident_page(lambda w: w.r_z1, "view", _z1_household),
    "web:registry:resident_z2": _resident_page(lambda w: w.r_z2, "view", lambda w: {w.r_z2.pk}),
    "web:registry:resident_b": _resident_page(lambda w: w.r_b, "view", lambda w: {w.r_b.pk}),
    "web:registry:resident_x": _resident_page(lambda w: w.r_x, "view", lambda w: {w.r_x.pk}),
    "web:registry:print_z1": _resident_page(lambda w: w.r_z1, "print", _z1_household),
    "web:registry:print_z2": _resident_page(lambda w: w.r_z2, "print", lambda w: {w.r_z2.pk}),
    "web:registry:reveal_z1": _reveal_page(lambda w: w.r_z1),
    "web:registry:reveal_z2": _reveal_page(lambda w: w.r_z2),
    "web:registry:reveal_b": _reveal_page(lambda w: w.r_b),
    "web:registry:household_z1": _household_page(lambda w: w.hh_z1, _z1_household),
    "web:registry:household_z2": _household_page(lambda w: w.hh_z2, lambda w: {w.r_z2.pk}),
    "web:registry:household_b": _household_page(lambda w: w.hh_b, lambda w: {w.r_b.pk}),
    "web:registry:import_list": _page(lambda w: "/registry/imports/"),
    "web:audit:log_list": _page(lambda w: "/audit/logs/"),
    "web:audit:review_list": _page(lambda w: "/audit/reviews/"),
    "web:accounts:account": _page(lambda w: "/accounts/me/"),
    "web:accounts:staff_list": _page(lambda w: "/accounts/staff/"),
    "web:accounts:staff_dong_a": _page(lambda w: f"/accounts/staff/{w.officer_z2.pk}/"),
    "web:accounts:staff_dong_b": _page(lambda w: f"/accounts/staff/{w.planner_b.pk}/"),
    "web:accounts:staff_agency": _page(lambda w: f"/accounts/staff/{w.agency_colleague.pk}/"),
    "web:accounts:staff_x": _page(lambda w: f"/accounts/staff/{w.staff_x.pk}/"),
    "web:accounts:staff_create": _page(lambda w: "/accounts/staff/new/"),
    "web:accounts:staff_edit_a": _page(lambda w: f"/accounts/staff/{w.officer_z2.pk}/edit/"),
    "web:accounts:staff_edit_b": _page(lambda w: f"/accounts/staff/{w.planner_b.pk}/edit/"),
    "web:accounts:zone_create_a": _page(lambda w: f"/accounts/dongs/{w.dong_a.pk}/zones/new/"),
    "web:accounts:zone_create_b": _page(lambda w: f"/accounts/dongs/{w.dong_b.pk}/zones/new/"),
    "web:accounts:zone_create_x": _page(lambda w: f"/accounts/dongs/{w.dong_x.pk}/zones/new/"),
    "web:accounts:zone_edit_z1": _page(lambda w: f"/accounts/zones/{w.zone_z1.pk}/edit/"),
    "web:accounts:zone_edit_x": _page(lambda w: f"/accounts/zones/{w.zone_x.pk}/edit/"),
}
CASES.update(WEB_CASES)


# Every table a request could touch; a denied request must leave every row as it was.
SNAPSHOT_MODELS: tuple[type[Model], ...] = (
    District,
    Dong,
    Tong,
    Ban,
    Zone,
    Agency,
    User,
    PermissionChange,
    LoginAttempt,
    ApiToken,
    Household,
    Resident,
    ResidentChange,
    ImportBatch,
    ImportRowError,
    AccessLog,
    AuditChainHead,
    AuditReview,
)
LOG_TABLES = frozenset({"audit.AccessLog", "audit.AuditChainHead"})


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table above (raw SQL: the ORM's query building would dominate the run)."""
    tables = {}
    with connection.cursor() as cursor:
        for model in SNAPSHOT_MODELS:
            table, pk = connection.ops.quote_name(model._meta.db_table), model._meta.pk.column
            cursor.execute(f"SELECT * FROM {table} ORDER BY {connection.ops.quote_name(pk)}")
            tables[model._meta.label] = [
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in cursor.fetchall()
            ]
    return tables


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module (hundreds of cells); each test runs in a transaction rolled back after
    it, and the module leaves the database empty again."""
    with django_db_blocker.unblock():
        built = build_world()
    yield built
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def client() -> Client:
    """One client for the module: building a client's middleware chain per test would dominate."""
    return Client(REMOTE_ADDR="127.0.0.1")


def sign_in(client: Client, case: Case, user: User) -> dict[str, str]:
    """Sign the client in as `user` the way the case needs; the headers to send."""
    client.cookies.clear()
    if case.client == "session":
        client.force_login(user)
    if case.client == "bearer":
        raw, _token = api_token_issue(user=user)
        return {"Authorization": f"Bearer {raw}"}
    return {}


def send(client: Client, case: Case, world: World, user: User, headers: dict[str, str]) -> HttpResponse:
    url = case.url(world)
    data = case.body(world, user) if case.body else {}
    if case.method == "POST" and case.client == "session":
        return client.post(url, data, headers=headers)  # type: ignore[return-value]
    if case.method == "POST":
        return client.post(url, json.dumps(data), content_type="application/json", headers=headers)  # type: ignore[return-value]
    return client.get(url, headers=headers)  # type: ignore[return-value]


def test_matrix_covers_every_case_and_role() -> None:
    assert set(EXPECTED) == set(CASES)
    assert all(set(row) == set(ROLES) for row in EXPECTED.values())


@pytest.mark.parametrize(
    ("case_name", "role"), [(name, role) for name in EXPECTED for role in ROLES], ids=lambda v: str(v)
)
def test_access(world: World, client: Client, db: None, case_name: str, role: Role) -> None:
    case, expected = CASES[case_name], EXPECTED[case_name][role]
    user = world.users[role]
    headers = sign_in(client, case, user)
    before = snapshot()
    last_log_id = max((row[0] for row in before["audit.AccessLog"]), default=0)

    response = send(client, case, world, user, headers)

    assert response.status_code == expected, response.content.decode()
    after = snapshot()
    if expected != 200:
        assert after == before
        return
    unchanged = set(before) - case.writes - LOG_TABLES
    assert {t: after[t] for t in unchanged} == {t: before[t] for t in unchanged}
    logs = list(AccessLog.objects.filter(pk__gt=last_log_id).order_by("pk"))
    body = json.loads(response.content) if response["Content-Type"].startswith("application/json") else None
    if case.logged is None:
        assert logs == []
    else:
        assert [(log.user_id, log.action, log.object_type) for log in logs] == [
            (user.pk, case.logged.action, case.logged.object_type)
        ]
        assert set(logs[0].subjects) == case.logged.subjects(world, user)
    if case.returns is not None:
        assert ids_of(body) == case.returns(world, user)


@pytest.mark.parametrize("case_name", [name for name, case in CASES.items() if case.client == "bearer"])
def test_api_without_a_token_is_401_and_changes_nothing(
    world: World, client: Client, db: None, case_name: str
) -> None:
    case = CASES[case_name]
    client.cookies.clear()
    before = snapshot()

    response = send(client, case, world, world.users[Role.ADMIN], {})

    assert response.status_code == 401
    assert snapshot() == before


@pytest.mark.parametrize("case_name", [name for name, case in CASES.items() if case.client == "session"])
def test_page_without_login_goes_to_the_login_page_and_changes_nothing(
    world: World, client: Client, db: None, case_name: str
) -> None:
    case = CASES[case_name]
    client.cookies.clear()
    before = snapshot()

    response = send(client, case, world, world.users[Role.ADMIN], {})

    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/accounts/login/")
    assert snapshot() == before
