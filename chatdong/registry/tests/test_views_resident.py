"""Resident detail, printout, full identity number, and household pages: content, scope, logging."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chatdong.audit.models import AccessLog
from chatdong.registry.tests import scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def s() -> scenario.Scenario:
    return scenario.build()


def detail(resident) -> str:
    return reverse("registry:resident_detail", args=[resident.pk])


def test_detail_shows_identity_contact_address_household_history(s, login_client):
    response = login_client(s.planner).get(detail(s.kim))
    assert response.status_code == 200
    body = response.content.decode()
    for text in (
        "김영희",
        "500302-2******",
        "1950년 3월 2일",
        "010-1234-5678",
        "서울특별시 성북구 성북로 12",
        "1통 1반",
        "1구역",
        "정주무 · 02-2900-1234",  # the zone officer
        "수급자 · 생계·의료 급여",
        "세대번호 H-0001",
        "전체 번호 보기",
        "상세주소: 101호",
        "상태: 전출 → 거주",
    ):
        assert text in body, text
    assert "2123456" not in body
    assert reverse("registry:resident_detail", args=[s.park.pk]) in body
    assert reverse("registry:household_detail", args=[s.household.pk]) in body
    assert [m.name for m in response.context["p"].members] == ["김영희", "박철수"]
    log = AccessLog.objects.get()
    assert (log.action, log.object_type, log.object_id) == ("view", "resident", str(s.kim.pk))
    assert log.subjects == [s.kim.pk, s.park.pk]  # the household members shown are subjects too


def test_zone_officer_opens_a_resident_of_her_zone(s, login_client):
    assert login_client(s.officer).get(detail(s.kim)).status_code == 200
    assert AccessLog.objects.get().subjects == [s.kim.pk, s.park.pk]


@pytest.mark.parametrize(("who", "whom"), [("officer", "lee"), ("planner", "choi"), ("planner_b", "kim")])
def test_out_of_scope_resident_is_404_and_not_logged(s, login_client, who, whom):
    response = login_client(getattr(s, who)).get(detail(getattr(s, whom)))
    assert response.status_code == 404
    assert AccessLog.objects.count() == 0


def test_unknown_resident_is_404(s, login_client):
    assert login_client(s.planner).get(reverse("registry:resident_detail", args=[999999])).status_code == 404
    assert AccessLog.objects.count() == 0


@pytest.mark.parametrize("who", ["admin", "support", "agency_worker"])
def test_roles_without_personal_data_cannot_open_a_resident(s, login_client, who):
    client = login_client(getattr(s, who))
    assert client.get(detail(s.kim)).status_code == 403
    assert client.get(reverse("registry:resident_print", args=[s.kim.pk])).status_code == 403
    assert (
        client.post(reverse("registry:resident_reveal", args=[s.kim.pk]), {"reason": "x"}).status_code == 403
    )
    assert client.get(reverse("registry:household_detail", args=[s.household.pk])).status_code == 403
    assert AccessLog.objects.count() == 0


def test_print_is_logged_as_print(s, login_client):
    response = login_client(s.planner).get(reverse("registry:resident_print", args=[s.kim.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "인쇄하기" in body and "개인정보 · 취급 주의" in body and "오플래너(planner)" in body
    assert "500302-2******" in body and "전체 번호 보기" not in body
    log = AccessLog.objects.get()
    assert (log.action, log.object_type, log.object_id, log.subjects) == (
        "print",
        "resident",
        str(s.kim.pk),
        [s.kim.pk, s.park.pk],
    )


def test_print_out_of_scope_is_404_and_not_logged(s, login_client):
    response = login_client(s.officer).get(reverse("registry:resident_print", args=[s.lee.pk]))
    assert response.status_code == 404
    assert AccessLog.objects.count() == 0


def test_reveal_full_number_with_a_reason(s, login_client):
    url = reverse("registry:resident_reveal", args=[s.kim.pk])
    response = login_client(s.planner).post(url, {"reason": "기초연금 신청 서류 확인"})
    assert response.status_code == 200
    assert "500302-2123456" in response.content.decode()
    log = AccessLog.objects.get()
    assert (log.action, log.object_type, log.object_id, log.subjects, log.reason) == (
        "view",
        "resident_rrn",
        str(s.kim.pk),
        [s.kim.pk],
        "기초연금 신청 서류 확인",
    )


def test_reveal_by_htmx_returns_the_fragment(s, login_client):
    url = reverse("registry:resident_reveal", args=[s.kim.pk])
    response = login_client(s.planner).post(url, {"reason": "확인"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    assert '<strong class="cd-nowrap cd-rrn-full">500302-2123456</strong>' in body


def test_reveal_without_reason_is_refused_and_not_logged(s, login_client):
    url = reverse("registry:resident_reveal", args=[s.kim.pk])
    response = login_client(s.planner).post(url, {"reason": "   "})
    assert response.status_code == 200
    body = response.content.decode()
    assert "사유를 적어 주세요." in body
    assert "2123456" not in body
    assert AccessLog.objects.count() == 0


def test_reveal_out_of_scope_is_404_and_not_logged(s, login_client):
    url = reverse("registry:resident_reveal", args=[s.lee.pk])
    assert login_client(s.officer).post(url, {"reason": "확인"}).status_code == 404
    assert login_client(s.officer).post(url, {"reason": ""}).status_code == 404
    assert AccessLog.objects.count() == 0


def test_reveal_needs_post(s, login_client):
    response = login_client(s.planner).get(reverse("registry:resident_reveal", args=[s.kim.pk]))
    assert response.status_code == 405
    assert AccessLog.objects.count() == 0


def test_household_page_lists_members_and_is_logged(s, login_client):
    response = login_client(s.planner).get(reverse("registry:household_detail", args=[s.household.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "세대번호 H-0001" in body and "서울특별시 성북구 성북로 12" in body
    assert "500302-2******" in body and "481120-1******" in body
    assert "010-2222-3333" in body and "심한 장애" in body
    log = AccessLog.objects.get()
    assert (log.action, log.object_type, log.object_id) == ("view", "household", str(s.household.pk))
    assert sorted(log.subjects) == sorted([s.kim.pk, s.park.pk])


def test_household_out_of_scope_is_404_and_not_logged(s, login_client):
    response = login_client(s.officer_2).get(reverse("registry:household_detail", args=[s.household.pk]))
    assert response.status_code == 404
    assert AccessLog.objects.count() == 0
