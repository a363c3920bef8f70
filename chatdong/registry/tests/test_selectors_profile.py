"""registry.selectors: kind detection, ages, the resident profile (history, members, logging)."""

from __future__ import annotations

import datetime as dt

import pytest

from chatdong.audit.models import AccessLog
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.registry import selectors
from chatdong.registry.models import ResidentChange
from chatdong.registry.tests import scenario


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("김영희", "name"),
        ("5678", "phone"),
        ("010-1234-5678", "phone"),
        ("01012345678", "phone"),
        ("성북로 12", "address"),
        ("보문로34다길 5-1", "address"),
        ("500302-2123456", "rrn"),
        ("5003022123456", "rrn"),
    ],
)
def test_detect_kind(query, kind):
    assert selectors.detect_kind(query) == kind


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (dt.date(1950, 3, 2), dt.date(2025, 3, 1), 74),
        (dt.date(1950, 3, 2), dt.date(2025, 3, 2), 75),
        (dt.date(2000, 2, 29), dt.date(2025, 2, 28), 24),
        (dt.date(2000, 2, 29), dt.date(2025, 3, 1), 25),
    ],
)
def test_age_on(birth, day, age):
    assert selectors.age_on(birth, day) == age


@pytest.fixture
def s(db) -> scenario.Scenario:
    return scenario.build()


def test_profile_members_history_and_log(s):
    ResidentChange.objects.create(
        resident=s.kim,
        kind=ResidentChange.Kind.UPDATED,
        fields={
            "rrn_index": ["a", "b"],
            "ban": [1, 2],
            "disability": ["", "mild"],
            "near_poor": [False, True],
        },
    )
    profile = selectors.resident_profile(user=s.planner, request=None, resident_id=s.kim.pk)
    assert [m.name for m in profile.members] == ["김영희", "박철수"]
    assert profile.zone_officer == s.officer
    rows = [[(i.label, i.old, i.new) for i in row.items] for row in profile.changes]
    assert rows == [
        [("반", "1", "2"), ("차상위", "아니오", "예"), ("장애", "", "심하지 않은 장애")],
        [("상세주소", "", "101호"), ("상태", "전출", "거주")],
    ]
    log = AccessLog.objects.get()
    assert (log.action, log.username, log.ip, log.subjects) == (
        "view",
        "planner",
        None,
        [s.kim.pk, s.park.pk],
    )


def test_profile_for_print_is_logged_as_print(s):
    selectors.resident_profile(user=s.planner, request=None, resident_id=s.kim.pk, action="print")
    assert AccessLog.objects.get().action == "print"


def test_profile_shows_only_household_members_in_scope(s):
    # 박철수 moves to zone 2 but stays in the household: the zone-1 officer no longer sees him.
    type(s.park).objects.filter(pk=s.park.pk).update(ban=s.ban_2)
    profile = selectors.resident_profile(user=s.officer, request=None, resident_id=s.kim.pk)
    assert [m.name for m in profile.members] == ["김영희"]
    assert AccessLog.objects.get().subjects == [s.kim.pk]


def test_profile_out_of_scope_is_not_found_and_not_logged(s):
    with pytest.raises(NotFound):
        selectors.resident_profile(user=s.officer_2, request=None, resident_id=s.kim.pk)
    assert AccessLog.objects.count() == 0


def test_search_refuses_roles_without_personal_data(s):
    with pytest.raises(PermissionDenied):
        selectors.resident_search(user=s.admin, request=None, query="김")
    with pytest.raises(ValidationFailed, match="검색어를 입력해"):
        selectors.resident_search(user=s.planner, request=None, query="  ")
    assert AccessLog.objects.count() == 0


def test_household_members_in_register_order(s):
    household, members = selectors.household_get(user=s.planner, request=None, household_id=s.household.pk)
    assert household == s.household
    assert [m.name for m in members] == ["김영희", "박철수"]  # the head first, though younger
