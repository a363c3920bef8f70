"""The live check at intake: exact by identity number, scored otherwise, scoped, with open cases, logged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from chatdong.accounts.models import Role
from chatdong.audit.models import AccessLog
from chatdong.cases.models import Case
from chatdong.core.errors import PermissionDenied, ValidationFailed
from chatdong.core.rrn import decrypt_rrn
from chatdong.linkage.selectors import possible_matches
from chatdong.testing.world import World

pytestmark = pytest.mark.django_db


def test_exact_by_identity_number(world: World) -> None:
    planner = world.users[Role.PLANNER_POVERTY]
    rrn = decrypt_rrn(world.r_z2.rrn_encrypted)
    found = possible_matches(user=planner, name="전혀다른이름", rrn=f"{rrn[:6]}-{rrn[6:]}")
    assert [(c.resident_id, c.exact_rrn, c.evidence, c.score) for c in found] == [
        (world.r_z2.pk, True, ["주민등록번호 일치"], 1.0)
    ]


def test_identity_number_outside_scope_finds_nothing(world: World) -> None:
    rrn = decrypt_rrn(world.r_b.rrn_encrypted)
    assert possible_matches(user=world.users[Role.PLANNER_POVERTY], rrn=rrn) == []


def test_bad_identity_number_is_a_field_error(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        possible_matches(user=world.users[Role.COUNSELOR], rrn="901301-1234567")
    assert list(caught.value.errors) == ["rrn"]


def test_scored_on_dueum_name_swapped_birth_and_phone(world: World) -> None:
    counselor = world.users[Role.COUNSELOR]
    # 김가일 born 1950-03-01, phone 010-1111-0001: typed as 1950-01-03 with a new phone keeping the last 4.
    found = possible_matches(user=counselor, name="김가일", birth_date="1950-01-03", phone="010-9999-0001")
    assert found[0].resident_id == world.r_z1.pk
    assert found[0].evidence == [
        "이름 일치",
        "생년월일의 월·일이 바뀜",
        "전화번호 끝 4자리 일치",
        "주소 없음",
    ]
    assert found[0].decision == "match"


def test_candidates_stay_in_the_users_scope(world: World) -> None:
    # 김라일 lives in 동 B: a 동 A counselor never sees him, a 동 B planner does.
    assert possible_matches(user=world.users[Role.COUNSELOR], name="김라일", phone="01044440001") == []
    found = possible_matches(user=world.planner_b, name="김라일", phone="01044440001")
    assert [c.resident_id for c in found] == [world.r_b.pk]


def test_zone_officer_sees_only_the_zone(world: World) -> None:
    officer = world.users[Role.OFFICER]  # zone Z1
    assert possible_matches(user=officer, name="김나일", phone="01022220001") == []
    assert [c.resident_id for c in possible_matches(user=officer, name="김가일", phone="01011110001")] == [
        world.r_z1.pk
    ]


def test_open_cases_of_the_resident_and_household_are_shown(world: World) -> None:
    counselor = world.users[Role.COUNSELOR]
    case = Case.objects.create(
        district=world.district,
        dong=world.dong_a,
        resident=world.r_z1_child,
        household=world.hh_z1,
        summary="생계 곤란",
        source=Case.Source.DESK,
        step=Case.Step.ASSESSMENT,
        step_since=dt.date(2026, 11, 2),
        opened_on=dt.date(2026, 11, 2),
        opened_by=counselor,
    )
    Case.objects.create(
        district=world.district,
        dong=world.dong_a,
        resident=world.r_z1,
        household=world.hh_z1,
        summary="끝난 사례",
        source=Case.Source.DESK,
        step=Case.Step.ENDED,
        step_since=dt.date(2025, 1, 2),
        opened_on=dt.date(2024, 1, 2),
        opened_by=counselor,
    )
    found = possible_matches(user=counselor, name="김가일", birth_date="1950-03-01")
    assert [(c.id, c.dong, c.step_label, c.same_person) for c in found[0].cases] == [
        (case.pk, "가동", "욕구 및 위기도 조사", False)
    ]


def test_logged_as_a_search_with_the_subjects_shown(world: World) -> None:
    counselor = world.users[Role.COUNSELOR]
    found = possible_matches(user=counselor, name="김가일", birth_date="1950-03-01")
    log = AccessLog.objects.get()
    assert (log.action, log.object_type, log.subjects) == (
        AccessLog.Action.SEARCH,
        "resident",
        [c.resident_id for c in found],
    )
    assert log.detail == {"kind": "linkage", "fields": ["name", "birth_date"]}


def test_agency_worker_may_not_run_it(world: World) -> None:
    with pytest.raises(PermissionDenied):
        possible_matches(user=world.users[Role.AGENCY_WORKER], name="김가일")
    assert AccessLog.objects.count() == 0


def test_partial_view_renders_candidates(world: World, login_client) -> None:
    client = login_client(world.users[Role.COUNSELOR])
    response = client.get(
        reverse("linkage:live_check"), {"name": "김가일", "birth_date": "1950-03-01"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "이미 있는 주민일 수 있습니다 (1명)" in html
    assert f'data-resident-id="{world.r_z1.pk}"' in html
    assert "생년월일 일치" in html


def test_partial_view_shows_a_field_error(world: World, login_client) -> None:
    client = login_client(world.users[Role.COUNSELOR])
    response = client.get(reverse("linkage:live_check"), {"birth_date": "1950-13-01"})
    assert response.status_code == 200
    assert "없는 날짜입니다" in response.content.decode()


def test_partial_view_denied_logs_nothing(world: World, login_client) -> None:
    client = login_client(world.users[Role.AGENCY_WORKER])
    response = client.get(reverse("linkage:live_check"), {"name": "김가일"})
    assert response.status_code == 403
    assert AccessLog.objects.count() == 0


def test_address_and_dueum_name(world: World) -> None:
    # 김다일 lives at 나로 3; typed with a one-jamo typo and the address only.
    found = possible_matches(
        user=world.users[Role.DONG_HEAD], name="김다알", address="서울 성북구 나로 3 101호"
    )
    assert [(c.resident_id, c.evidence[0], c.evidence[3]) for c in found] == [
        (world.r_a_free.pk, "이름 한 자모 차이", "주소(도로명·건물번호) 일치")
    ]
