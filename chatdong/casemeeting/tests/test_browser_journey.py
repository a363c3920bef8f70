"""Real-browser journey (issue 4): a walk-in at the counseling desk becomes a case, is discussed at the
monthly integrated case meeting, gets a plan and a service linkage from a private agency (its case worker,
once the resident's consent to share is recorded), and is closed. Screenshots go to SCREENSHOT_DIR."""

from __future__ import annotations

from typing import Any, cast

import pytest
from playwright.sync_api import Page, expect

from chatdong.accounts.models import Agency, Dong, Role, User
from chatdong.audit.models import AccessLog
from chatdong.casemeeting.models import Decision, Meeting
from chatdong.cases.models import Case, CaseType, ClosureReason, ServiceLinkage
from chatdong.conftest import SCREENSHOT_DIR
from chatdong.core.time import today
from chatdong.registry.models import Resident
from chatdong.testing.factories import (
    AgencyFactory,
    BanFactory,
    DongFactory,
    HouseholdFactory,
    ResidentFactory,
    UserFactory,
)
from chatdong.testing.world import make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "journey-pass-2026!"


def _user(username: str, full_name: str, role: Role, **kwargs: Any) -> User:
    return cast(
        User, UserFactory(username=username, full_name=full_name, role=role, password=PASSWORD, **kwargs)
    )


def _login(browser: Any, live_server: Any, username: str) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = cast(Page, context.new_page())
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def _settled(page: Page) -> None:
    """Wait until HTMX has finished swapping and settling (it restores attributes such as <details open>
    a moment after the swap)."""
    page.wait_for_function(
        "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def _case_action(page: Page, action: str) -> None:
    """Open the case page's action form (a <details>)."""
    _settled(page)
    details = page.locator(f"#action-{action}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def _advance(page: Page, to_step: str, label: str) -> None:
    _case_action(page, "advance")
    page.select_option("#id_advance_to_step", to_step)
    page.locator("#action-advance button[type=submit]").click()
    expect(page.locator(".cd-case-badges .cd-step")).to_have_text(label)


def test_walk_in_to_meeting_to_agency_service_to_closure(live_server: Any, browser: Any) -> None:
    dong = make(Dong, DongFactory, name="정릉3동", code="1129064000")
    agency = make(Agency, AgencyFactory, district=dong.district, name="정릉종합사회복지관")
    counselor = _user("j-counselor", "상담관", Role.COUNSELOR, dong=dong)
    planner = _user("j-planner", "빈곤플래너", Role.PLANNER_POVERTY, dong=dong)
    _user("j-head", "정동장", Role.DONG_HEAD, dong=dong)
    worker = _user("j-agency", "복지관사례관리자", Role.AGENCY_WORKER, agency=agency)
    household = HouseholdFactory(ban=BanFactory(tong__dong=dong), road_name="정릉로", building_main=77)
    resident = cast(Resident, ResidentFactory(household=household, name="홍길순", phone="01055557777"))
    url = live_server.url

    # 1. The walk-in at the counseling desk: 생계 need, routed to the poverty planner → a case.
    desk = _login(browser, live_server, counselor.username)
    desk.goto(f"{url}/referrals/desk/")
    desk.fill("#rf-q", "홍길순")
    desk.locator("[data-pick-resident]").first.click()
    # KRDS draws its own box over the input: the click lands on the label, which ticks the input.
    desk.locator("input[name=needs][value=daily_living]").check(force=True)
    desk.fill("input[name=need_note_daily_living]", "실직 뒤 월세 4개월 체납")
    desk.get_by_role("button", name="상담 기록 · 연계하기").click()
    desk.get_by_label("빈곤위기가정 플래너·사례관리").check(force=True)
    desk.get_by_role("button", name="연계").click()
    expect(desk.get_by_text("사례", exact=False).first).to_be_visible()
    case = Case.objects.get(resident=resident)
    assert (case.step, case.source, case.dong_id) == (Case.Step.DISCOVERED, Case.Source.DESK, dong.pk)

    # 2. The planner takes it through 초기상담 → 접수 → 조사 (with the assessment) → 사례회의.
    work = _login(browser, live_server, planner.username)
    work.goto(f"{url}/cases/{case.pk}/")
    _advance(work, "initial_consult", "초기상담")
    _advance(work, "intake", "접수")
    _advance(work, "assessment", "욕구 및 위기도 조사")
    _case_action(work, "assessment")
    work.select_option("#id_assessment_overall_risk", "high")
    work.select_option("#id_assessment_risk_daily_living", "high")
    work.fill("#id_assessment_need_daily_living", "월세 체납, 소득 없음")
    work.locator("#action-assessment button[type=submit]").click()
    expect(work.get_by_text("종합 위기도").first).to_be_visible()
    _advance(work, "meeting", "사례회의")

    # 3. The 동장 plans the monthly meeting, puts the case on the agenda with one tap, invites the agency.
    head = _login(browser, live_server, "j-head")
    head.goto(f"{url}/case-meetings/new/")
    head.fill("#id_held_on", today().isoformat())
    head.get_by_role("button", name="회의 만들기").click()
    meeting = Meeting.objects.get(dong=dong)
    head.wait_for_url(f"{url}/case-meetings/{meeting.pk}/")
    head.get_by_role("button", name=f"사례 {case.pk} 안건에 추가").click()
    expect(head.locator(".cm-items")).to_contain_text("홍*순")
    _settled(head)
    head.select_option("#id_attendee_user", str(worker.pk))
    head.get_by_role("button", name="참석자 추가", exact=True).click()
    expect(head.locator(".cm-attendees")).to_contain_text("복지관사례관리자")
    _settled(head)
    head.screenshot(path=str(SCREENSHOT_DIR / "journey-meeting-agenda.png"), full_page=True)

    # 4. Minutes: type 일반 사례관리, lead agency the welfare centre; recording applies it to the case.
    head.get_by_role("link", name="회의록 작성").click()
    item = meeting.items.get()
    prefix = f"#id_item-{item.pk}-"
    head.fill(f"{prefix}discussion", "실직으로 생계 위기. 복지관이 주사례관리, 긴급복지 생계지원 연계.")
    head.check(f"{prefix}classify", force=True)
    head.select_option(f"{prefix}case_type", CaseType.GENERAL.value)
    head.select_option(f"{prefix}lead_agency", str(agency.pk))
    head.screenshot(path=str(SCREENSHOT_DIR / "journey-meeting-minutes-form.png"), full_page=True)
    head.get_by_role("button", name="회의록 기록(결정 반영)").click()
    head.wait_for_url(f"{url}/case-meetings/{meeting.pk}/")
    expect(head.get_by_text("사례에 반영됨")).to_be_visible()
    head.screenshot(path=str(SCREENSHOT_DIR / "journey-meeting-minutes.png"), full_page=True)
    head.goto(f"{url}/case-meetings/{meeting.pk}/print/")
    expect(head.locator("h1")).to_contain_text("통합사례회의 회의록")
    head.screenshot(path=str(SCREENSHOT_DIR / "journey-meeting-print.png"), full_page=True)
    head.set_viewport_size({"width": 390, "height": 844})  # the minutes on a phone
    head.goto(f"{url}/case-meetings/{meeting.pk}/")
    head.screenshot(path=str(SCREENSHOT_DIR / "journey-meeting-phone.png"), full_page=True)
    head.set_viewport_size({"width": 1280, "height": 900})
    case.refresh_from_db()
    assert (case.step, case.case_type, case.lead_agency_id) == (
        Case.Step.CLASSIFIED,
        CaseType.GENERAL,
        agency.pk,
    )

    # 5. The planner records the resident's consent to share with the agency (plan and services included).
    work.goto(f"{url}/cases/{case.pk}/")
    _case_action(work, "consent")
    consent_form = work.locator("#action-consent")
    consent_form.locator(f"input[name=agencies][value='{agency.pk}']").check(force=True)
    for scope in ("assessment", "plan", "services"):
        consent_form.locator(f"input[name=scope][value={scope}]").check(force=True)
    consent_form.locator("button[type=submit]").click()
    expect(work.get_by_text("유효").first).to_be_visible()

    # 6. The agency's case worker writes the plan and records the service linkage.
    agency_page = _login(browser, live_server, worker.username)
    agency_page.goto(f"{url}/cases/{case.pk}/")
    _case_action(agency_page, "plan")
    agency_page.fill("#id_plan_goals", "생계 안정과 재취업")
    agency_page.fill("#id_plan_start_on", today().isoformat())
    agency_page.fill("#id_plan_end_on", today().replace(year=today().year + 1).isoformat())
    agency_page.select_option("#id_plan_item1_category", "daily_living")
    agency_page.fill("#id_plan_item1_service", "서울형 긴급복지 생계지원")
    agency_page.select_option("#id_plan_item1_agency", str(agency.pk))
    agency_page.locator("#action-plan button[type=submit]").click()
    expect(agency_page.locator(".cd-case-badges .cd-step")).to_have_text("서비스 제공계획")

    # The 동장 approves the plan (서비스 제공 및 점검).
    head.goto(f"{url}/cases/{case.pk}/")
    head.get_by_role("button", name="계획 승인").click()
    expect(head.locator(".cd-case-badges .cd-step")).to_have_text("서비스 제공 및 점검")

    agency_page.goto(f"{url}/cases/{case.pk}/")
    _case_action(agency_page, "linkage")
    agency_page.select_option("#id_linkage_kind", "private")
    agency_page.select_option("#id_linkage_category", "daily_living")
    agency_page.fill("#id_linkage_service", "밑반찬 배달")
    agency_page.select_option("#id_linkage_provider", str(agency.pk))
    agency_page.fill("#id_linkage_amount", "150000")
    agency_page.locator("#action-linkage button[type=submit]").click()
    expect(agency_page.get_by_role("cell", name="밑반찬 배달")).to_be_visible()

    # 7. The case is closed (목표 달성).
    head.goto(f"{url}/cases/{case.pk}/")
    _case_action(head, "close")
    head.select_option("#id_close_reason", ClosureReason.GOAL_MET.value)
    head.locator("#action-close button[type=submit]").click()
    expect(head.locator(".cd-case-badges .cd-step")).to_have_text("종결")
    head.screenshot(path=str(SCREENSHOT_DIR / "journey-case-closed.png"), full_page=True)

    case.refresh_from_db()
    assert (case.step, case.closure_reason) == (Case.Step.CLOSED, ClosureReason.GOAL_MET)
    assert list(ServiceLinkage.objects.filter(case=case).values_list("service", "linked_by")) == [
        ("밑반찬 배달", worker.pk)
    ]
    assert Decision.objects.get(item__meeting=meeting).applied_at is not None
    assert AccessLog.objects.filter(user=worker, object_type="case", subjects=[resident.pk]).exists()
