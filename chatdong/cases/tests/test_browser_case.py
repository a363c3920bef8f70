"""Real-browser journey through the case pages: the 동 registers a case, walks it along the chain
(assessment, 사례회의, 구분·선정, plan, approval), shares it with a private agency under consent, the
agency records a service linkage, and the 동 closes it with a follow-up date. Screenshots saved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from chatdong.accounts.models import Role, User
from chatdong.cases.models import Case, ServiceLinkage
from chatdong.conftest import SCREENSHOT_DIR
from chatdong.core.time import today
from chatdong.testing.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = Case.Step


def _login(browser: Any, url: str, user: User, width: int = 1280) -> Page:
    page = browser.new_page(viewport={"width": width, "height": 900}, locale="ko-KR")
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{url}/")
    return page


def _act(page: Page, action: str, fields: dict[str, str], *, selects: dict[str, str] | None = None) -> None:
    box = page.locator(f"#action-{action}")
    box.locator("summary").click()
    for name, value in (selects or {}).items():
        box.locator(f"#id_{action}_{name}").select_option(value)
    for name, value in fields.items():
        box.locator(f"#id_{action}_{name}").fill(value)
    box.locator("button[type=submit]").click()


def _advance(page: Page, step: str, label: str) -> None:
    _act(page, "advance", {}, selects={"to_step": step})
    expect(page.locator(".cd-case-badges .cd-step")).to_have_text(label)


def test_case_walks_the_chain_with_a_private_agency(live_server: Any, browser: Any) -> None:
    world = build_world()
    url = live_server.url
    day = today()
    page = _login(browser, url, world.users[Role.SUPERVISOR])

    page.goto(f"{url}/cases/new/")
    page.fill("#id_pick_q", "김가일")
    page.locator(f"label[for=pick-{world.r_z1.pk}]").click()
    page.fill("#id_intake_summary", "월세 3개월 체납, 단전 예고. 통장 제보.")
    page.get_by_role("button", name="등록").click()
    page.wait_for_url(f"{url}/cases/*/")
    case = Case.objects.get()
    expect(page.locator("h1")).to_contain_text("김가일")

    _advance(page, S.INITIAL_CONSULT, "초기상담")
    _advance(page, S.INTAKE, "접수")
    _advance(page, S.ASSESSMENT, "욕구 및 위기도 조사")
    _act(
        page,
        "assessment",
        {"need_daily_living": "생계비 부족", "need_housing": "월세 체납"},
        selects={"risk_daily_living": "high", "risk_housing": "medium", "overall_risk": "high"},
    )
    expect(page.locator("#h-assessment + article")).to_contain_text("생계비 부족")
    _advance(page, S.MEETING, "사례회의")
    _act(page, "classify", {}, selects={"case_type": "general", "lead_agency": str(world.agency.pk)})
    expect(page.locator(".cd-case-badges .cd-step")).to_have_text("대상자 구분·선정")
    _act(
        page,
        "plan",
        {
            "goals": "3개월 안에 주거·생계 안정",
            "start_on": day.isoformat(),
            "end_on": (day + dt.timedelta(days=90)).isoformat(),
            "item1_service": "서울형 긴급복지 생계지원",
            "item1_agency_name": "동 주민센터",
        },
        selects={"item1_category": "daily_living"},
    )
    expect(page.locator(".cd-case-badges .cd-step")).to_have_text("서비스 제공계획")
    page.get_by_role("button", name="계획 승인").click()
    expect(page.locator(".cd-case-badges .cd-step")).to_have_text("서비스 제공 및 점검")
    box = page.locator("#action-consent")
    box.locator("summary").click()
    expect(box.get_by_label("가나종합사회복지관")).to_be_checked()  # the case's agencies, pre-ticked
    box.locator("label", has_text="서비스 연계·점검").click()
    box.locator("button[type=submit]").click()
    expect(page.locator("#h-agencies ~ .krds-table-wrap")).to_contain_text("유효")
    page.screenshot(path=str(SCREENSHOT_DIR / "cases-detail-dong.png"), full_page=True)

    agency_page = _login(browser, url, world.users[Role.AGENCY_WORKER], width=390)
    agency_page.goto(f"{url}/cases/")
    agency_page.get_by_role("link", name="김가일").click()
    _act(
        agency_page,
        "linkage",
        {"service": "밑반찬 배달(주 1회)", "amount": "0"},
        selects={"kind": "private", "category": "daily_living", "provider": str(world.agency.pk)},
    )
    expect(agency_page.locator("#h-linkage ~ .krds-table-wrap")).to_contain_text("밑반찬 배달(주 1회)")
    expect(agency_page.locator("#h-assessment")).to_have_count(0)  # not in the consent's scope
    agency_page.screenshot(path=str(SCREENSHOT_DIR / "cases-detail-agency-phone.png"), full_page=True)

    page.reload()
    _act(
        page,
        "close",
        {
            "follow_up_on": (day + dt.timedelta(days=60)).isoformat(),
            "note": "긴급지원 뒤 취업, 월세 정상 납부",
        },
        selects={"reason": "goal_met"},
    )
    expect(page.locator(".cd-case-badges .cd-step")).to_have_text("사후관리")
    page.screenshot(path=str(SCREENSHOT_DIR / "cases-closed.png"), full_page=True)

    case.refresh_from_db()
    assert (case.step, case.closure_reason, case.risk_level, case.lead_agency) == (
        S.FOLLOW_UP,
        "goal_met",
        "high",
        world.agency,
    )
    assert list(ServiceLinkage.objects.values_list("service", "linked_by__username")) == [
        ("밑반찬 배달(주 1회)", world.users[Role.AGENCY_WORKER].username)
    ]
