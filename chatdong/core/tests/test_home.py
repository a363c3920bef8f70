"""The home page per role: the tasks that role does first, only links the user may use."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from chatdong.accounts.models import Ban, Role, Scope, Zone
from chatdong.accounts.tests.org_fixtures import client_for, dong_with_bans, staff
from chatdong.testing.factories import AgencyFactory, DongFactory

pytestmark = pytest.mark.django_db

HOME = reverse("core:home")


def cards(html: str) -> list[str]:
    return re.findall(r'data-card="(\w+)"', html)


def menu(html: str) -> list[str]:
    nav = html.split('<nav class="cd-nav"')[1].split("</nav>")[0]
    return re.findall(r">([^<]+)</a>", nav)


SECTIONS = ["찾아가는 방문", "상담·의뢰", "사례관리"]  # shown when the role may use a page in them


@pytest.mark.parametrize(
    ("role", "scope", "expected_cards", "expected_menu"),
    [
        (
            Role.PLANNER_ELDER,
            Scope.DONG,
            [
                "today",
                "search",
                "referrals_inbox",
                "cases",
                "programs",
                "my_dong",
                "staff",
                "coverage",
                "account",
            ],
            ["홈", "동 현황", "주민 검색", *SECTIONS, "직원·담당구역"],
        ),
        (
            Role.OFFICER,
            Scope.ZONE,
            ["search", "referrals_inbox", "cases", "programs", "my_dong", "staff", "coverage", "account"],
            ["홈", "동 현황", "주민 검색", *SECTIONS, "직원·담당구역"],
        ),
        (
            Role.DONG_HEAD,
            Scope.DONG,
            [
                *[
                    "my_dong",
                    "coverage",
                    "case_meetings",
                    "referrals_queue",
                    "load",
                    "staff",
                    "zones",
                    "search",
                ],
                *["programs", "referrals_inbox", "cases", "account"],
            ],
            ["홈", "동 현황", "주민 검색", *SECTIONS, "직원·담당구역"],
        ),
        (
            Role.TEAM_LEADER,
            Scope.DONG,
            [
                *["my_dong", "load", "supervision", "referrals_queue", "case_meetings", "zones", "search"],
                *["staff", "programs", "coverage", "referrals_inbox", "cases", "account"],
            ],
            ["홈", "동 현황", "주민 검색", *SECTIONS, "직원·담당구역"],
        ),
        (
            Role.DISTRICT_STAFF,
            Scope.DISTRICT,
            [
                *["dong_list", "coverage", "programs", "import", "audit", "search", "staff", "load"],
                *["referrals_inbox", "cases", "linkage", "account"],
            ],
            ["홈", "동 현황", "주민 검색", *SECTIONS, "직원·담당구역", "주민자료 등록", "접속기록 점검"],
        ),
        (
            Role.SUPPORT_TEAM,
            Scope.DISTRICT,
            ["dong_list", "coverage", "staff", "programs", "account"],
            ["홈", "동 현황", "찾아가는 방문", "상담·의뢰", "직원·담당구역"],
        ),
        (
            Role.HEALTH_MEDICAL,
            Scope.DISTRICT,
            ["referrals_inbox", "dong_list", "coverage", "staff", "programs", "account"],
            ["홈", "동 현황", "찾아가는 방문", "상담·의뢰", "직원·담당구역"],
        ),
        (
            Role.AGENCY_WORKER,
            Scope.AGENCY,
            ["referrals_inbox", "agency_finding", "cases", "linkage", "agency", "account"],
            ["홈", "상담·의뢰", "사례관리", "우리 기관"],
        ),
        (
            Role.ADMIN,
            Scope.DISTRICT,
            ["staff", "audit", "import", "dong_list", "programs", "coverage", "account"],
            [
                "홈",
                "동 현황",
                "찾아가는 방문",
                "상담·의뢰",
                "직원·담당구역",
                "주민자료 등록",
                "접속기록 점검",
            ],
        ),
    ],
)
def test_home_shows_the_tasks_of_the_role(role, scope, expected_cards, expected_menu):
    DongFactory()  # the district has a 동
    user = staff(role, scope=scope)
    response = client_for(user).get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert cards(html) == expected_cards
    assert menu(html) == expected_menu


def test_card_links_point_to_the_users_own_places():
    head = staff(Role.DONG_HEAD)
    html = client_for(head).get(HOME).content.decode()
    assert f'href="/dongs/{head.dong_id}/"' in html
    assert f'href="/dongs/{head.dong_id}/#zone-map"' in html
    assert 'href="/accounts/staff/"' in html
    assert 'href="/registry/residents/"' in html


def test_agency_worker_sees_the_agency_and_no_resident_links():
    agency = AgencyFactory(name="정릉종합사회복지관", phone="02-909-0000")
    worker = staff(Role.AGENCY_WORKER, agency=agency)
    html = client_for(worker).get(HOME).content.decode()
    assert "정릉종합사회복지관" in html
    assert "02-909-0000" in html
    assert "/registry/" not in html
    assert "/dongs/" not in html


def test_officer_sees_the_own_zone():
    dong, bans = dong_with_bans({3: 4, 4: 2})
    officer = staff(Role.OFFICER, dong=dong)
    zone = Zone.objects.create(dong=dong, name="2구역", officer=officer)
    Ban.objects.filter(pk__in=[bans[(3, 1)].pk, bans[(3, 2)].pk, bans[(4, 2)].pk]).update(zone=zone)
    html = client_for(officer).get(HOME).content.decode()
    assert "내 담당구역" in html
    assert "3통 1~2반 · 4통 2반" in html


def test_dong_head_is_warned_about_uncovered_bans():
    dong, _bans = dong_with_bans({1: 3})
    head = staff(Role.DONG_HEAD, dong=dong)
    staff(Role.PLANNER_ELDER, dong=dong)
    html = client_for(head).get(HOME).content.decode()
    assert "담당자가 없는 반 3개 · 담당구역이 없는 직원 1명" in html


def test_planner_gets_no_coverage_warning():
    dong, _ = dong_with_bans({1: 3})
    planner = staff(Role.PLANNER_ELDER, dong=dong)
    assert "담당구역 점검" not in client_for(planner).get(HOME).content.decode()


def test_anonymous_is_sent_to_login():
    response = Client().get(HOME)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=/"


def test_dong_head_sees_when_every_ban_is_covered():
    dong, _ = dong_with_bans({1: 2})
    head = staff(Role.DONG_HEAD, dong=dong)
    officer = staff(Role.OFFICER, dong=dong)
    zone = Zone.objects.create(dong=dong, name="1구역", officer=officer)
    Ban.objects.filter(tong__dong=dong).update(zone=zone)
    html = client_for(head).get(HOME).content.decode()
    assert "반 2개 모두 담당자가 있고, 대상 직원 모두 담당구역을 맡고 있습니다." in html


def test_section_pages_show_the_sections_links_for_the_role():
    dong = DongFactory()
    planner = staff(Role.PLANNER_ELDER, scope=Scope.DONG, dong=dong)
    html = client_for(planner).get("/visits/today/").content.decode()

    subnav = html.split('<nav class="cd-subnav"')[1].split("</nav>")[0]
    assert re.findall(r">([^<]+)</a>", subnav) == [
        "오늘의 방문",
        "방문 사업·대상",
        "방문 기록",
        "방문 현황",
        "발송함",
    ]
    assert 'class="active" aria-current="page">오늘의 방문<' in subnav


def test_pages_outside_the_sections_have_no_second_row():
    planner = staff(Role.PLANNER_ELDER, scope=Scope.DONG, dong=DongFactory())
    html = client_for(planner).get(HOME).content.decode()

    assert "cd-subnav" not in html
