"""Real browser: the district officer opens 방문 현황, then the list behind a figure (screenshots saved,
desktop and phone width)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from chatdong.audit.models import AccessLog
from chatdong.conftest import SCREENSHOT_DIR
from chatdong.outreach.tests.test_coverage_figures import YEAR, build_coverage_world
from chatdong.testing.world import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_and_a_cells_list_in_a_browser(live_server, browser) -> None:
    cw = build_coverage_world()
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", cw.district_user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/outreach/coverage/?year={YEAR}")
    expect(page.locator("h1")).to_contain_text("방문 현황")
    page.screenshot(path=str(SCREENSHOT_DIR / "coverage-dashboard.png"), full_page=True)

    page.get_by_role("link", name="거부 3명 명단").first.click()
    expect(page.locator("h1")).to_contain_text("거부 명단")
    expect(page.locator("tbody tr")).to_have_count(3)
    page.screenshot(path=str(SCREENSHOT_DIR / "coverage-list.png"), full_page=True)
    assert AccessLog.objects.filter(user=cw.district_user, object_type="outreach_coverage_list").count() == 1

    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="ko-KR", is_mobile=True)
    phone.context.add_cookies(page.context.cookies())
    phone.goto(f"{live_server.url}/outreach/coverage/?year={YEAR}")
    expect(phone.locator("h1")).to_contain_text("방문 현황")
    phone.screenshot(path=str(SCREENSHOT_DIR / "coverage-dashboard-phone.png"), full_page=True)
