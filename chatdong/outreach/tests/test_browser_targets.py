"""Real-browser journey on a phone-sized screen: a planner opens her target list, opens a target and
records consent (screenshots saved)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from chatdong.accounts.models import Role
from chatdong.conftest import SCREENSHOT_DIR
from chatdong.outreach.models import Target, TargetConsent
from chatdong.outreach.services import targets_extract
from chatdong.outreach.tests.factories import programs, resident_in
from chatdong.registry.models import Resident
from chatdong.testing.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_planner_records_consent_on_a_phone(live_server, browser) -> None:
    world = build_world()
    Resident.objects.update(birth_date=dt.date(1975, 5, 17))
    program = programs(world)["elder-planner"]
    person = resident_in(world.ban_z1, dt.date(1961, 4, 4), name="박정순")
    resident_in(world.ban_b, dt.date(1961, 4, 5), name="최다른")  # 동 B: never shown
    targets_extract(actor=None, program=program, period_start=dt.date(2026, 1, 1))
    target = Target.objects.get(resident=person)

    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="ko-KR")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", world.users[Role.PLANNER_ELDER].username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/outreach/programs/{program.pk}/targets/?period=2026-01-01")
    link = page.get_by_role("link", name="박정순")
    expect(link).to_be_visible()
    expect(page.get_by_text("1961년생, 2026년 만 65세 도래").first).to_be_visible()
    expect(page.get_by_role("link", name="최다른")).to_have_count(0)
    page.screenshot(path=str(SCREENSHOT_DIR / "outreach-target-list-phone.png"), full_page=True)

    link.click()
    page.wait_for_url(f"{live_server.url}/outreach/targets/{target.pk}/")
    page.select_option("#id_state", "given")
    page.fill("#id_on", "2026-02-03")
    page.select_option("#id_channel", "visit")
    page.get_by_role("button", name="기록").click()
    page.wait_for_url(f"{live_server.url}/outreach/targets/{target.pk}/")
    expect(page.get_by_text("방문 동의를 기록했습니다.")).to_be_visible()
    page.screenshot(path=str(SCREENSHOT_DIR / "outreach-target-consent-phone.png"), full_page=True)

    assert list(TargetConsent.objects.values_list("target_id", "state", "on", "channel")) == [
        (target.pk, "given", dt.date(2026, 2, 3), "visit")
    ]
