"""Real-browser journey on a phone-sized screen: a planner opens today's visits, records a visit with a
positive PHQ-9, and the referral appears for 보건소 의약과 (screenshots saved)."""

from __future__ import annotations

from typing import cast

import pytest
from playwright.sync_api import expect

from chatdong.accounts.models import Role, Scope, User
from chatdong.conftest import SCREENSHOT_DIR
from chatdong.core.time import today
from chatdong.outreach.models import Program
from chatdong.referrals.models import Referral
from chatdong.testing.factories import BanFactory, HouseholdFactory, UserFactory
from chatdong.visits.models import Screening, Visit
from chatdong.visits.tests.conftest import make_target, make_visit, resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PASSWORD = "journey-pass-2026!"


def test_planner_records_a_positive_phq9_and_the_health_department_sees_the_referral(
    live_server, browser
) -> None:
    planner = cast(
        User,
        UserFactory(username="visit-planner", full_name="한지은", role=Role.PLANNER_ELDER, password=PASSWORD),
    )
    assert planner.dong is not None
    district = planner.dong.district
    health = cast(
        User,
        UserFactory(
            username="visit-health",
            full_name="오보건",
            role=Role.HEALTH_MEDICAL,
            scope=Scope.DISTRICT,
            district=district,
            password=PASSWORD,
        ),
    )
    program = Program.objects.create(
        district=district,
        code="elder-planner",
        name="어르신 복지플래너",
        kind=Program.Kind.ELDER_PLANNER,
        visit_roles=[Role.PLANNER_ELDER],
    )
    ban = BanFactory(tong__dong=planner.dong, tong__number=3, number=2)
    first = resident(household=HouseholdFactory(ban=ban, road_name="정릉로", building_main=77), name="홍길순")
    second = resident(
        household=HouseholdFactory(ban=ban, road_name="정릉로", building_main=12), name="김순자"
    )
    visit = make_visit(
        make_target(program, first, assignee=planner, reason="1961년생, 만 65세 도래"), planner, day=today()
    )
    make_visit(
        make_target(program, second, assignee=planner, reason="1956년생, 만 70세 도래"), planner, day=today()
    )

    page = browser.new_page(
        viewport=PHONE, locale="ko-KR", device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "visit-planner")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/visits/today/")
    expect(page.locator("h1")).to_contain_text("오늘의 방문")
    expect(page.get_by_role("heading", name="3통 2반")).to_be_visible()
    names = page.locator(".vd-name")
    expect(names).to_have_text(["김순자", "홍길순"])  # walking order: 정릉로 12 before 77
    expect(page.get_by_text("챙길 것 (3)")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    page.screenshot(path=str(SCREENSHOT_DIR / "visits-today-phone.png"), full_page=True)

    page.get_by_role("link", name="홍길순").click()
    page.wait_for_url(f"{live_server.url}/visits/{visit.pk}/")
    page.locator("label[for=id_outcome_0]").click()  # KRDS styles the label; the radio itself is hidden
    expect(page.locator("#id_outcome_0")).to_be_checked()
    page.fill("textarea[name=notes]", "잠을 못 자고 입맛이 없다고 함")
    page.locator("#screen-phq9 summary").click()
    for n, value in enumerate([2, 2, 2, 2, 1, 1, 1, 0, 1], start=1):  # 12 points, item 9 = 1
        page.locator(f"label[for=s_phq9_{n}_{value}]").click()
    expect(page.locator("#s_phq9_9_1")).to_be_checked()
    page.screenshot(path=str(SCREENSHOT_DIR / "visits-record-phq9-phone.png"), full_page=True)
    page.get_by_role("button", name="기록 저장").click()
    page.wait_for_url(f"{live_server.url}/visits/{visit.pk}/")
    referral = Referral.objects.get()
    expect(page.get_by_text(f"긴급 의뢰 {referral.pk}번을 보건소 의약과에 보냈습니다")).to_be_visible()
    expect(page.get_by_text("12점")).to_be_visible()
    page.screenshot(path=str(SCREENSHOT_DIR / "visits-recorded-phone.png"), full_page=True)

    screening = Screening.objects.get()
    assert (screening.score, screening.urgent, referral.urgent, referral.to_kind, referral.source_id) == (
        12,
        True,
        True,
        "health",
        screening.pk,
    )
    assert Visit.objects.get(pk=visit.pk).outcome == "visited"

    health_page = browser.new_context(viewport=PHONE, locale="ko-KR").new_page()
    health_page.goto(f"{live_server.url}/accounts/login/")
    health_page.fill("input[name=username]", "visit-health")
    health_page.fill("input[name=password]", PASSWORD)
    health_page.locator("form button[type=submit]").first.click()
    health_page.wait_for_url(f"{live_server.url}/")
    health_page.goto(f"{live_server.url}/referrals/")
    row_link = health_page.get_by_role("link", name="홍길순")
    expect(row_link).to_be_visible()
    health_page.screenshot(path=str(SCREENSHOT_DIR / "visits-referral-inbox-health.png"), full_page=True)
    row_link.click()
    health_page.wait_for_url(f"{live_server.url}/referrals/{referral.pk}/")
    expect(health_page.get_by_text("우울 선별(PHQ-9)", exact=True)).to_be_visible()
    expect(health_page.get_by_text("예 — 자살위험 문항 응답")).to_be_visible()
    health_page.screenshot(path=str(SCREENSHOT_DIR / "visits-referral-health.png"), full_page=True)
    assert health.notifications.filter(urgent=True).count() == 1
