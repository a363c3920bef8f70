"""The 행복e음 export: one row per service linkage of the 동 and month, in the documented column order,
for a stated reason (logged as a download with whose data went out)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.test import Client
from openpyxl import load_workbook

from chatdong.accounts.models import Role, User
from chatdong.audit.models import AccessLog
from chatdong.cases.models import Case, ServiceLinkage
from chatdong.cases.selectors import EXPORT_COLUMNS
from chatdong.cases.tests.factories import make_case
from chatdong.cases.tests.helpers import snapshot
from chatdong.core.needs import NeedCategory
from chatdong.testing.world import World

LoginClient = Callable[[User], Client]


def _linkage(case: Case, actor: User, on: dt.date, **fields: object) -> ServiceLinkage:
    values: dict[str, object] = {
        "case": case,
        "kind": ServiceLinkage.Kind.PUBLIC,
        "category": NeedCategory.DAILY_LIVING,
        "service": "서울형 긴급복지 생계지원",
        "provider_name": "성북구청 복지정책과",
        "amount": 614000,
        "provided_on": on,
        "linked_by": actor,
    }
    values.update(fields)
    return ServiceLinkage.objects.create(**values)


@pytest.fixture
def linkages(world: World) -> Case:
    supervisor = world.users[Role.SUPERVISOR]
    case = make_case(resident=world.r_z1, actor=supervisor, step=Case.Step.SERVICE)
    _linkage(case, supervisor, dt.date(2026, 10, 5))
    _linkage(
        case,
        supervisor,
        dt.date(2026, 10, 20),
        kind=ServiceLinkage.Kind.PRIVATE,
        category=NeedCategory.HEALTH,
        service="=밑반찬 지원",
        provider=world.agency,
        provider_name="",
        amount=None,
        note="주 1회",
    )
    _linkage(case, supervisor, dt.date(2026, 11, 2))  # another month
    other = make_case(resident=world.r_b, actor=world.planner_b, step=Case.Step.SERVICE)
    _linkage(other, world.planner_b, dt.date(2026, 10, 7))  # another 동
    return case


ROW_1 = [
    "1",
    "김가일",
    "1950-03-01",
    "남",
    "김가일",
    "가로 1",
    "공공",
    "일상생활·생계",
    "서울형 긴급복지 생계지원",
    "성북구청 복지정책과",
    "2026-10-05",
    "614000",
    "복지수퍼바이저 직원",
    "",
]


def test_csv_export(world: World, login_client: LoginClient, linkages: Case) -> None:
    response = login_client(world.users[Role.SUPERVISOR]).post(
        "/cases/export/",
        {
            "dong": world.dong_a.pk,
            "month": "2026-10",
            "format": "csv",
            "reason": "10월 연계 실적 행복e음 입력",
        },
    )

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="service-linkages-1129052500-202610.csv"'
    lines = response.content.decode("utf-8-sig").splitlines()
    case = str(linkages.pk)
    assert lines == [
        ",".join(EXPORT_COLUMNS),
        ",".join([case, *ROW_1[1:]]),
        f"{case},김가일,1950-03-01,남,김가일,가로 1,민간,건강·의료,'=밑반찬 지원,가나종합사회복지관,2026-10-20,,복지수퍼바이저 직원,주 1회",
    ]
    log = AccessLog.objects.get()
    assert (log.action, log.object_type, log.reason, log.subjects, log.detail["rows"]) == (
        "download",
        "case_linkage_export",
        "10월 연계 실적 행복e음 입력",
        [world.r_z1.pk],
        2,
    )


def test_xlsx_export(world: World, login_client: LoginClient, linkages: Case) -> None:
    response = login_client(world.users[Role.DISTRICT_STAFF]).post(
        "/cases/export/", {"dong": world.dong_a.pk, "month": "2026-10", "format": "xlsx", "reason": "점검"}
    )

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [[("" if v is None else str(v)) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == list(EXPORT_COLUMNS)
    assert rows[1] == [str(linkages.pk), *ROW_1[1:]]
    assert len(rows) == 3


def test_export_needs_a_reason(world: World, login_client: LoginClient, linkages: Case) -> None:
    before = snapshot()

    response = login_client(world.users[Role.SUPERVISOR]).post(
        "/cases/export/", {"dong": world.dong_a.pk, "month": "2026-10", "format": "csv", "reason": ""}
    )

    assert response.status_code == 422
    assert snapshot() == before


@pytest.mark.parametrize("who", ["planner_b", "agency", "officer"])
def test_export_of_another_dong_is_refused(
    world: World, login_client: LoginClient, linkages: Case, who: str
) -> None:
    user = {
        "planner_b": world.planner_b,
        "agency": world.users[Role.AGENCY_WORKER],
        "officer": world.users[Role.OFFICER],
    }[who]
    before = snapshot()

    response = login_client(user).post(
        "/cases/export/", {"dong": world.dong_a.pk, "month": "2026-10", "format": "csv", "reason": "x"}
    )

    assert response.status_code == (422 if who == "planner_b" else 403)
    assert snapshot() == before
