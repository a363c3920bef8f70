"""Real-browser journey: a planner logs in, searches, opens a resident (screenshot saved)."""

from __future__ import annotations

from typing import cast

import pytest
from playwright.sync_api import expect

from chatdong.accounts.models import Role, User
from chatdong.audit.models import AccessLog
from chatdong.conftest import SCREENSHOT_DIR
from chatdong.registry.models import Resident
from chatdong.testing.factories import BanFactory, HouseholdFactory, ResidentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_planner_logs_in_searches_and_opens_a_resident(live_server, browser) -> None:
    planner = cast(
        User,
        UserFactory(
            username="journey-planner",
            full_name="한지은",
            role=Role.PLANNER_ELDER,
            password="journey-pass-2026!",
        ),
    )
    ban = BanFactory(tong__dong=planner.dong)
    household = HouseholdFactory(ban=ban, road_name="정릉로", building_main=77, address_detail="101동 203호")
    resident = cast(
        Resident,
        ResidentFactory(
            household=household, name="홍길순", phone="01055557777", address_detail="101동 203호"
        ),
    )
    ResidentFactory(household=HouseholdFactory(ban=BanFactory()), name="홍길동")  # another 동: never shown

    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "journey-planner")
    page.fill("input[name=password]", "journey-pass-2026!")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/registry/residents/")
    page.fill("#id_q", "홍길")
    page.keyboard.press("Enter")
    result_link = page.get_by_role("link", name="홍길순")
    expect(result_link).to_be_visible()
    expect(page.get_by_role("link", name="홍길동")).to_have_count(0)
    page.screenshot(path=str(SCREENSHOT_DIR / "journey-search.png"), full_page=True)

    result_link.click()
    page.wait_for_url(f"{live_server.url}/registry/residents/{resident.pk}/")
    expect(page.locator("h1")).to_contain_text("홍길순")
    expect(page.get_by_text("정릉로 77 101동 203호").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOT_DIR / "journey-resident.png"), full_page=True)

    logged = list(AccessLog.objects.filter(user=planner).order_by("id").values_list("action", "subjects"))
    assert ("view", [resident.pk]) in logged
    assert any(action == "search" and subjects == [resident.pk] for action, subjects in logged)
