"""registry:search — the resident search page: every kind of search, scoping, logging, denial."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chatdong.audit.models import AccessLog
from chatdong.registry.tests import scenario

pytestmark = pytest.mark.django_db
URL = reverse("registry:search")


@pytest.fixture
def s() -> scenario.Scenario:
    return scenario.build()


def found(response) -> list[str]:
    return [r.name for r in response.context["result"].residents]


def test_page_without_query_shows_the_form_and_logs_nothing(s, login_client):
    response = login_client(s.planner).get(URL)
    assert response.status_code == 200
    assert "주민 검색" in response.content.decode()
    assert response.context["result"] is None
    assert AccessLog.objects.count() == 0


def test_name_prefix_finds_current_residents_and_logs_the_search(s, login_client):
    response = login_client(s.planner).get(URL, {"q": "김영"})
    assert response.status_code == 200
    assert found(response) == ["김영희"]
    body = response.content.decode()
    assert "500302-2******" in body
    assert "5003022123456" not in body and "500302-2123456" not in body
    assert "수급(생계·의료)" in body
    assert "성북로 12" in body and "1통 1반" in body
    log = AccessLog.objects.get()
    assert (log.username, log.ip, log.action, log.object_type) == (
        "planner",
        "127.0.0.1",
        "search",
        "resident",
    )
    assert log.subjects == [s.kim.pk]
    assert log.detail == {"kind": "name", "query": "김영"}


def test_full_phone_number_with_dashes(s, login_client):
    response = login_client(s.planner).get(URL, {"q": "010-1234-5678"})
    assert found(response) == ["김영희"]
    assert AccessLog.objects.get().detail == {"kind": "phone", "query": "(13자)"}


def test_phone_last_four_digits_within_the_dong(s, login_client):
    response = login_client(s.planner).get(URL, {"q": "5678"})
    assert found(response) == ["김영희", "이민수"]  # 최다은 of 시험B동 is out of scope
    assert AccessLog.objects.get().subjects == [s.kim.pk, s.lee.pk]


def test_zone_officer_sees_only_residents_of_her_zone(s, login_client):
    response = login_client(s.officer).get(URL, {"q": "5678"})
    assert found(response) == ["김영희"]
    response = login_client(s.officer_2).get(URL, {"q": "5678"})
    assert found(response) == ["이민수"]


def test_district_staff_sees_the_whole_district(s, login_client):
    response = login_client(s.district_staff).get(URL, {"q": "5678"})
    assert found(response) == ["김영희", "이민수", "최다은"]


def test_road_address(s, login_client):
    response = login_client(s.planner).get(URL, {"q": "성북로 12"})
    assert found(response) == ["김영희", "박철수"]
    assert AccessLog.objects.get().detail == {"kind": "address", "query": "성북로 12"}
    response = login_client(s.district_staff).get(URL, {"q": "성북로 12-1"})
    assert found(response) == ["최다은"]


def test_identity_number_exact_through_the_blind_index(s, login_client):
    response = login_client(s.planner).get(URL, {"q": "500302-2123456"})
    assert response.context["result"].kind == "rrn"
    assert found(response) == ["김영희"]
    log = AccessLog.objects.get()
    assert log.detail == {"kind": "rrn", "query": "(14자)"}  # the number itself is never logged
    assert "2123456" not in str(log.detail)


def test_identity_number_of_another_dong_finds_nobody(s, login_client):
    response = login_client(s.planner_b).get(URL, {"q": "5003022123456"})
    assert found(response) == []
    assert "찾는 주민이 없습니다" in response.content.decode()
    assert AccessLog.objects.get().subjects == []


def test_explicit_kind_overrides_detection(s, login_client):
    response = login_client(s.planner).get(URL, {"q": "5678", "kind": "name"})
    assert found(response) == []
    response = login_client(s.planner).get(URL, {"q": "김영희", "kind": "phone"})
    assert response.context["result"] is None
    assert "전화번호는 전체 번호나 끝 4자리로" in response.content.decode()
    assert AccessLog.objects.count() == 1  # the failed search is not a read


def test_moved_out_residents_only_when_asked(s, login_client):
    client = login_client(s.planner)
    assert found(client.get(URL, {"q": "김전"})) == []
    response = client.get(URL, {"q": "김전", "inactive": "on"})
    assert found(response) == ["김전출"]
    assert "전출" in response.content.decode()


def test_htmx_request_gets_only_the_results(s, login_client):
    response = login_client(s.planner).get(URL, {"q": "김영"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "<table" in body
    assert reverse("registry:resident_detail", args=[s.kim.pk]) in body


@pytest.mark.parametrize("who", ["admin", "support", "agency_worker"])
def test_roles_without_personal_data_are_refused(s, login_client, who):
    response = login_client(getattr(s, who)).get(URL, {"q": "김영"})
    assert response.status_code == 403
    assert AccessLog.objects.count() == 0


def test_anonymous_is_sent_to_login(s, client):
    response = client.get(URL, {"q": "김영"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert AccessLog.objects.count() == 0
