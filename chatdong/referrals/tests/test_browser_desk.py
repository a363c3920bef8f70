"""Real-browser journey on a phone-sized screen: the counselor takes a walk-in, picks the resident from the
registry, routes the need to an agency; the agency worker accepts and reports the result; the counselor
sees it in 보낸 의뢰 (screenshots saved)."""

from __future__ import annotations

from typing import Any, cast

import pytest
from playwright.sync_api import expect

from chatdong.accounts.models import Agency, Role, User
from chatdong.conftest import SCREENSHOT_DIR
from chatdong.referrals.models import Referral
from chatdong.testing.factories import (
    AgencyFactory,
    BanFactory,
    HouseholdFactory,
    ResidentFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "journey-pass-2026!"


def _login(browser: Any, url: str, username: str) -> Any:
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="ko-KR")
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{url}/")
    return page


def test_walk_in_routed_to_agency_and_result_comes_back(live_server: Any, browser: Any) -> None:
    counselor = cast(
        User,
        UserFactory(username="desk-counselor", full_name="윤상담", role=Role.COUNSELOR, password=PASSWORD),
    )
    agency = cast(
        Agency,
        AgencyFactory(district=counselor.dong.district, name="성북주거복지센터", need_categories=["housing"]),  # type: ignore[union-attr]
    )
    UserFactory(
        username="desk-agency",
        full_name="오주거",
        role=Role.AGENCY_WORKER,
        scope="agency",
        dong=None,
        agency=agency,
        password=PASSWORD,
    )
    ban = BanFactory(tong__dong=counselor.dong)
    ResidentFactory(household=HouseholdFactory(ban=ban), name="장복순", phone="01012345678")

    page = _login(browser, live_server.url, "desk-counselor")
    page.goto(f"{live_server.url}/referrals/desk/")
    page.fill("#rf-q", "장복")
    page.get_by_role("button", name="선택").click()
    expect(page.locator("#id_name")).to_have_value("장복순")
    page.locator("label[for=need-housing]").click()
    expect(page.locator("#need-housing")).to_be_checked()
    page.fill("input[name=need_note_housing]", "월세 체납으로 퇴거 위기")
    page.screenshot(path=str(SCREENSHOT_DIR / "desk-intake.png"), full_page=True)
    page.get_by_role("button", name="상담 기록 · 연계하기").click()
    expect(page.locator("h1")).to_contain_text("장복순")
    page.locator("label", has_text="외부 기관 의뢰").click()
    page.locator("select[name$=to_agency]").select_option(label="성북주거복지센터")
    page.get_by_role("button", name="연계").click()
    expect(page.get_by_text("의뢰", exact=False).first).to_be_visible()
    page.screenshot(path=str(SCREENSHOT_DIR / "desk-routed.png"), full_page=True)
    referral = Referral.objects.get()
    assert (referral.to_agency, referral.client_name, referral.status) == (agency, "장복순", "sent")

    worker = _login(browser, live_server.url, "desk-agency")
    worker.goto(f"{live_server.url}/referrals/")
    worker.get_by_role("link", name="장복순").click()
    worker.get_by_role("button", name="접수").click()
    worker.fill("textarea[name=text]", "주거급여 신청 안내, 긴급 주거비 지원 연계")
    worker.get_by_role("button", name="처리 완료").click()
    expect(worker.locator("h1")).to_contain_text("처리 완료")
    worker.screenshot(path=str(SCREENSHOT_DIR / "desk-agency-done.png"), full_page=True)

    page.goto(f"{live_server.url}/referrals/sent/")
    expect(page.get_by_text("주거급여 신청 안내")).to_be_visible()
    page.screenshot(path=str(SCREENSHOT_DIR / "desk-sent-result.png"), full_page=True)
