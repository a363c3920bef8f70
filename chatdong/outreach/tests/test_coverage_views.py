"""방문 현황 pages, exports and API: success, scope and denial with nothing written."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from chatdong.accounts.models import Role, User
from chatdong.audit.models import AccessLog
from chatdong.outreach.models import Target
from chatdong.outreach.tests.test_coverage_figures import YEAR, CoverageWorld, build_coverage_world
from chatdong.testing.api import bearer_client

pytestmark = pytest.mark.django_db

LoginClient = Callable[[User], Client]


def q(**params: object) -> dict[str, str]:
    """Query or form parameters as strings."""
    return {name: str(value) for name, value in params.items()}


@pytest.fixture
def cw() -> CoverageWorld:
    return build_coverage_world()


def _counts() -> tuple[int, int]:
    return AccessLog.objects.count(), Target.objects.count()


def test_dashboard_shows_the_dong_by_program_table(cw: CoverageWorld, login_client: LoginClient) -> None:
    response = login_client(cw.district_user).get(reverse("coverage:dashboard"), q(year=YEAR))
    assert response.status_code == 200
    rows = [(r.dong.name, r.program.code, r.figures.targets) for r in response.context["c"].rows]
    assert rows == [("가동", "elder", 6), ("가동", "poverty", 1), ("나동", "elder", 2), ("나동", "infant", 1)]
    assert response.context["c"].totals.targets == 10
    assert [d.name for d, _ in response.context["dong_rows"]] == ["가동", "나동"]
    body = response.content.decode()
    assert "방문 현황" in body
    # A cell links to its list: 가동 × 어르신 복지플래너, overdue.
    link = f"year={YEAR}&amp;program={cw.elder.pk}&amp;dong={cw.w.dong_a.pk}&amp;figure=overdue"
    assert link in body
    assert AccessLog.objects.count() == 0  # aggregates are not personal data


def test_dashboard_of_a_dong_role_is_its_dong(cw: CoverageWorld, login_client: LoginClient) -> None:
    response = login_client(cw.dong_head).get(reverse("coverage:dashboard"), q(year=YEAR))
    assert response.status_code == 200
    assert {r.dong.name for r in response.context["c"].rows} == {"가동"}
    assert response.context["dong_rows"] == []
    other = login_client(cw.dong_head).get(reverse("coverage:dashboard"), q(year=YEAR, dong=cw.w.dong_b.pk))
    assert other.status_code == 404


def test_dashboard_without_links_for_roles_without_personal_data(
    cw: CoverageWorld, login_client: LoginClient
) -> None:
    response = login_client(cw.w.users[Role.SUPPORT_TEAM]).get(reverse("coverage:dashboard"), q(year=YEAR))
    assert response.status_code == 200
    assert response.context["can_list"] is False
    assert reverse("coverage:targets") not in response.content.decode()


def test_dashboard_denied_to_agency_worker(cw: CoverageWorld, login_client: LoginClient) -> None:
    before = _counts()
    response = login_client(cw.w.users[Role.AGENCY_WORKER]).get(reverse("coverage:dashboard"))
    assert response.status_code == 403
    assert _counts() == before


def test_staff_view(cw: CoverageWorld, login_client: LoginClient) -> None:
    response = login_client(cw.dong_head).get(reverse("coverage:staff"), q(year=YEAR))
    assert response.status_code == 200
    assert response.context["c"].filters.dong == cw.w.dong_a
    rows = [
        (r.staff.full_name if r.staff else "미배정", r.figures.targets) for r in response.context["c"].rows
    ]
    assert rows == [("어르신 복지플래너 직원", 3), ("미배정", 4)]
    assert "미배정" in response.content.decode()


def test_staff_view_of_another_dong_is_not_found(cw: CoverageWorld, login_client: LoginClient) -> None:
    response = login_client(cw.dong_head).get(reverse("coverage:staff"), {"dong": cw.w.dong_b.pk})
    assert response.status_code == 404


def test_drill_down_lists_the_cell_and_logs(cw: CoverageWorld, login_client: LoginClient) -> None:
    params = q(year=YEAR, dong=cw.w.dong_a.pk, program=cw.elder.pk, figure="refused")
    response = login_client(cw.dong_head).get(reverse("coverage:targets"), params)
    assert response.status_code == 200
    assert sorted(t.reason for t in response.context["listing"].targets) == ["a3", "a4", "a6"]
    body = response.content.decode()
    assert cw.w.r_a_free.name in body
    log = AccessLog.objects.get()
    assert (log.action, log.object_type, log.username) == (
        AccessLog.Action.VIEW,
        "outreach_coverage_list",
        "u-dong_head",
    )
    assert sorted(log.subjects) == sorted(
        [cw.w.r_a_free.pk, cw.w.r_z1_child.pk, cw.targets["a6"].resident_id or 0]
    )


def test_drill_down_out_of_scope_is_404_and_not_logged(cw: CoverageWorld, login_client: LoginClient) -> None:
    before = _counts()
    response = login_client(cw.dong_head).get(
        reverse("coverage:targets"), q(year=YEAR, dong=cw.w.dong_b.pk, figure="targets")
    )
    assert response.status_code == 404
    foreign = login_client(cw.district_user).get(
        reverse("coverage:targets"), q(year=YEAR, dong=cw.w.dong_x.pk, figure="targets")
    )
    assert foreign.status_code == 404
    assert _counts() == before


def test_drill_down_denied_without_personal_data_role(cw: CoverageWorld, login_client: LoginClient) -> None:
    before = _counts()
    for role in (Role.SUPPORT_TEAM, Role.HEALTH_MEDICAL, Role.ADMIN, Role.AGENCY_WORKER):
        response = login_client(cw.w.users[role]).get(reverse("coverage:targets"), q(year=YEAR))
        assert response.status_code == 403
    assert _counts() == before


def test_dashboard_export_has_the_figures(cw: CoverageWorld, login_client: LoginClient) -> None:
    response = login_client(cw.district_user).get(reverse("coverage:export"), q(year=YEAR))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["동×사업"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values == [
        ["동", "사업", "대상", "동의", "방문 완료", "거부", "미방문", "기한 경과", "의뢰 진행"],
        ["가동", "어르신 복지플래너", 6, 2, 2, 3, 2, 1, 1],
        ["가동", "빈곤위기가정 복지플래너", 1, 1, 0, 0, 1, 1, 1],
        ["나동", "어르신 복지플래너", 2, 1, 1, 0, 1, 0, 0],
        ["나동", "영유아 건강간호", 1, 0, 0, 0, 1, 0, 0],
        ["합계", None, 10, 4, 3, 3, 5, 2, 2],
    ]
    assert [list(r) for r in book["동별"].iter_rows(min_row=2, max_col=2, values_only=True)] == [
        ["가동", 7],
        ["나동", 3],
        ["합계", 10],
    ]
    assert AccessLog.objects.count() == 0


def test_dashboard_export_denied_to_agency_worker(cw: CoverageWorld, login_client: LoginClient) -> None:
    response = login_client(cw.w.users[Role.AGENCY_WORKER]).get(reverse("coverage:export"), q(year=YEAR))
    assert response.status_code == 403


def test_list_export_needs_a_reason(cw: CoverageWorld, login_client: LoginClient) -> None:
    client = login_client(cw.dong_head)
    data = q(year=YEAR, dong=cw.w.dong_a.pk, program=cw.elder.pk, figure="pending", reason="")
    response = client.post(reverse("coverage:targets_export"), data)
    assert response.status_code == 422
    assert "사유" in response.content.decode()
    assert not AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD).exists()


def test_list_export_with_reason_is_logged_as_download(cw: CoverageWorld, login_client: LoginClient) -> None:
    client = login_client(cw.dong_head)
    data = {
        "year": YEAR,
        "dong": cw.w.dong_a.pk,
        "program": cw.elder.pk,
        "figure": "pending",
        "reason": "방문 계획",
    }
    response = client.post(reverse("coverage:targets_export"), data)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = [list(r) for r in book["대상자"].iter_rows(values_only=True)]
    assert rows[0][:4] == ["동", "사업", "대상 기간", "성명·세대"]
    assert sorted((r[3], r[6]) for r in rows[1:]) == sorted([(cw.w.r_z2.name, "a2"), ("김다이", "a7")])
    log = AccessLog.objects.get()
    assert (log.action, log.reason, log.subject_count) == (AccessLog.Action.DOWNLOAD, "방문 계획", 2)


def test_list_export_out_of_scope_is_404_and_not_logged(cw: CoverageWorld, login_client: LoginClient) -> None:
    before = _counts()
    response = login_client(cw.dong_head).post(
        reverse("coverage:targets_export"), q(year=YEAR, dong=cw.w.dong_b.pk, reason="점검")
    )
    assert response.status_code == 404
    assert _counts() == before


# --- API ---------------------------------------------------------------------------------------------


def test_api_figures_by_dong(cw: CoverageWorld) -> None:
    response = bearer_client(cw.district_user).get("/api/v1/outreach/coverage", q(year=YEAR, by="dong"))
    assert response.status_code == 200
    body = response.json()
    assert [(r["dong"]["name"], r["targets"], r["overdue"]) for r in body["rows"]] == [
        ("가동", 7, 2),
        ("나동", 3, 0),
    ]
    assert body["totals"]["targets"] == 10
    assert (body["period_start"], body["period_end"]) == (f"{YEAR}-01-01", f"{YEAR}-12-31")


def test_api_figures_by_staff_and_program(cw: CoverageWorld) -> None:
    client = bearer_client(cw.dong_head)
    staff = client.get("/api/v1/outreach/coverage", q(year=YEAR, by="staff")).json()
    assert [
        (r["staff"]["id"] if r["staff"] else None, r["unassigned"], r["targets"]) for r in staff["rows"]
    ] == [
        (cw.planner.pk, False, 3),
        (None, True, 4),
    ]
    program = client.get("/api/v1/outreach/coverage", q(year=YEAR, by="program", month=3)).json()
    assert [(r["program"]["code"], r["targets"]) for r in program["rows"]] == [
        ("elder", 6),
        ("infant", 0),
        ("poverty", 1),
    ]


def test_api_figures_denied_and_out_of_scope(cw: CoverageWorld) -> None:
    before = _counts()
    denied = bearer_client(cw.w.users[Role.AGENCY_WORKER]).get("/api/v1/outreach/coverage", q(year=YEAR))
    assert denied.status_code == 403
    out = bearer_client(cw.dong_head).get("/api/v1/outreach/coverage", q(year=YEAR, dong=cw.w.dong_b.pk))
    assert out.status_code == 404
    assert _counts() == before


def test_api_list(cw: CoverageWorld) -> None:
    response = bearer_client(cw.district_user).get(
        "/api/v1/outreach/coverage/targets", q(year=YEAR, figure="referrals_open")
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert sorted(i["reason"] for i in body["items"]) == ["a4", "h1"]
    household_item = next(i for i in body["items"] if i["reason"] == "h1")
    assert household_item["name"] == f"세대 {cw.w.hh_z1.household_no}"
    assert household_item["due_on"] == "2026-03-01"
    log = AccessLog.objects.get(action=AccessLog.Action.VIEW, object_type="outreach_coverage_list")
    # The person target's resident, and the household target's current members (not the one moved out).
    assert sorted(log.subjects) == sorted([cw.w.r_z1_child.pk, cw.w.r_z1.pk])


def test_api_list_denied_and_out_of_scope_write_nothing(cw: CoverageWorld) -> None:
    before = _counts()
    denied = bearer_client(cw.w.users[Role.SUPPORT_TEAM]).get(
        "/api/v1/outreach/coverage/targets", q(year=YEAR)
    )
    assert denied.status_code == 403
    out = bearer_client(cw.dong_head).get(
        "/api/v1/outreach/coverage/targets", q(year=YEAR, dong=cw.w.dong_b.pk)
    )
    assert out.status_code == 404
    bad = bearer_client(cw.dong_head).get("/api/v1/outreach/coverage/targets", q(year=YEAR, figure="x"))
    assert bad.status_code == 422
    assert _counts() == before
