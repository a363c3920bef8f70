"""Access-log review pages: filters, paging, the chain check, periodic reviews; who may use them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from chatdong.accounts.models import Role
from chatdong.audit.models import AccessLog, AuditReview
from chatdong.audit.tests.helpers import SEOUL, log_entry
from chatdong.testing.factories import DistrictFactory, UserFactory

pytestmark = pytest.mark.django_db
LOGS = reverse("audit:log_list")


@pytest.fixture
def people():
    district = DistrictFactory()
    return {
        "reviewer": UserFactory(
            username="gu_staff", full_name="구담당", role=Role.DISTRICT_STAFF, district=district
        ),
        "admin": UserFactory(username="admin1", full_name="관리자", role=Role.ADMIN, district=district),
        "planner": UserFactory(username="planner", full_name="오플래너", role=Role.PLANNER_ELDER),
        "officer": UserFactory(username="officer", full_name="정주무", role=Role.OFFICER),
        "support": UserFactory(
            username="support", full_name="지원단", role=Role.SUPPORT_TEAM, district=district
        ),
    }


@pytest.fixture
def entries(people):
    planner, officer = people["planner"], people["officer"]
    return {
        "march_view": log_entry(
            planner, object_id=7, subjects=[7], at=dt.datetime(2025, 3, 3, 10, 0, tzinfo=SEOUL)
        ),
        "march_late": log_entry(
            officer, object_id=8, subjects=[8, 9], at=dt.datetime(2025, 3, 31, 23, 30, tzinfo=SEOUL)
        ),
        "april_print": log_entry(
            planner,
            action="print",
            object_id=9,
            subjects=[9],
            at=dt.datetime(2025, 4, 1, 0, 10, tzinfo=SEOUL),
        ),
        "april_download": log_entry(
            officer,
            action="download",
            object_type="import_errors",
            object_id=3,
            reason="오류 수정",
            at=dt.datetime(2025, 4, 2, 9, 0, tzinfo=SEOUL),
        ),
        "april_reveal": log_entry(
            planner,
            object_type="resident_rrn",
            object_id=7,
            subjects=[7],
            reason="서류 확인",
            at=dt.datetime(2025, 4, 3, 9, 0, tzinfo=SEOUL),
        ),
    }


def shown(response) -> list[int]:
    return [row.log.pk for row in response.context["page"].rows]


def ids(entries, *names) -> list[int]:
    return [entries[n].pk for n in names]


def test_log_list_newest_first_with_ip_subjects_and_reason(people, entries, login_client):
    response = login_client(people["reviewer"]).get(LOGS)
    assert response.status_code == 200
    assert shown(response) == ids(
        entries, "april_reveal", "april_download", "april_print", "march_late", "march_view"
    )
    body = response.content.decode()
    for text in (
        "10.1.2.3",
        "서류 확인",
        "오류 수정",
        "주민등록번호 전체",
        "일괄등록 오류 목록",
        "2025. 3. 31. 23:30:00",
    ):
        assert text in body, text
    assert '<a href="?resident=9"' in body
    assert AccessLog.objects.count() == 5  # reading the log is not itself logged


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"account": "officer"}, ["april_download", "march_late"]),
        ({"action": "print"}, ["april_print"]),
        ({"downloads_only": "on"}, ["april_download"]),
        ({"with_reason": "on"}, ["april_reveal", "april_download"]),
        ({"date_from": "2025-03-01", "date_to": "2025-03-31"}, ["march_late", "march_view"]),
        ({"date_from": "2025-04-01"}, ["april_reveal", "april_download", "april_print"]),
        ({"date_to": "2025-04-01"}, ["april_print", "march_late", "march_view"]),
        ({"resident": "9"}, ["april_print", "march_late"]),
        ({"resident": "7", "object_type": "resident_rrn"}, ["april_reveal"]),
        ({"object_type": "resident", "object_id": "8"}, ["march_late"]),
        ({"account": "nobody"}, []),
    ],
)
def test_filters(people, entries, login_client, params, expected):
    response = login_client(people["reviewer"]).get(LOGS, params)
    assert response.status_code == 200
    assert shown(response) == ids(entries, *expected)


def test_inverted_date_range_is_an_error(people, entries, login_client):
    response = login_client(people["reviewer"]).get(
        LOGS, {"date_from": "2025-04-02", "date_to": "2025-04-01"}
    )
    assert shown(response) == []
    assert "기간의 시작이 끝보다 늦습니다." in response.content.decode()


def test_keyset_paging(people, login_client):
    planner = people["planner"]
    made = [log_entry(planner, object_id=i, subjects=[i]) for i in range(120)]
    client = login_client(people["reviewer"])
    first = client.get(LOGS, {"account": "planner"})
    assert shown(first) == [m.pk for m in reversed(made[70:])]
    page = first.context["page"]
    assert (page.newer_than, page.older_than) == (None, made[70].pk)
    second = client.get(LOGS, {"account": "planner", "before": page.older_than})
    assert shown(second) == [m.pk for m in reversed(made[20:70])]
    assert f"account=planner&amp;before={made[20].pk}" in second.content.decode()
    third = client.get(LOGS, {"account": "planner", "before": made[20].pk})
    assert shown(third) == [m.pk for m in reversed(made[:20])]
    assert third.context["page"].older_than is None
    back = client.get(LOGS, {"account": "planner", "after": made[19].pk})
    assert shown(back) == [m.pk for m in reversed(made[20:70])]
    assert back.context["page"].newer_than == made[69].pk


def test_admin_may_review_but_gets_no_resident_links(people, entries, login_client):
    response = login_client(people["admin"]).get(LOGS, {"resident": "7"})
    assert response.status_code == 200
    assert "정보 보기" not in response.content.decode()
    response = login_client(people["reviewer"]).get(LOGS, {"resident": "7"})
    assert reverse("registry:resident_detail", args=[7]) in response.content.decode()


@pytest.mark.parametrize("who", ["planner", "officer", "support"])
def test_other_roles_cannot_see_the_log(people, entries, login_client, who):
    client = login_client(people[who])
    assert client.get(LOGS).status_code == 403
    assert client.post(reverse("audit:chain_verify")).status_code == 403
    assert client.get(reverse("audit:review_list")).status_code == 403
    response = client.post(
        reverse("audit:review_create"),
        {"period_from": "2025-03-01", "period_to": "2025-03-31", "findings": "이상 없음"},
    )
    assert response.status_code == 403
    assert AuditReview.objects.count() == 0
    assert AccessLog.objects.count() == 5


def test_chain_verify_button(people, entries, login_client):
    client = login_client(people["reviewer"])
    response = client.post(reverse("audit:chain_verify"), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    assert "이상 없음</strong> · 접속기록 5건" in body
    AccessLog.objects.filter(pk=entries["april_print"].pk).update(reason="바꿈")
    response = client.post(reverse("audit:chain_verify"))
    body = response.content.decode()
    assert "<html" in body
    assert "위변조 의심 1건" in body
    assert f"#{entries['april_print'].pk}</a>: 기록 내용이 변경되었습니다" in body


def test_chain_verify_needs_post(people, login_client):
    assert login_client(people["reviewer"]).get(reverse("audit:chain_verify")).status_code == 405


def test_record_a_periodic_review(people, entries, login_client):
    client = login_client(people["reviewer"])
    form = client.get(reverse("audit:review_list"))
    assert form.status_code == 200
    assert "점검 기록 남기기" in form.content.decode()
    response = client.post(
        reverse("audit:review_create"),
        {"period_from": "2025-04-01", "period_to": "2025-04-30", "findings": "다운로드 1건 사유 확인함"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("audit:review_list")
    review = AuditReview.objects.get()
    assert (review.reviewer, review.period_from, review.period_to) == (
        people["reviewer"],
        dt.date(2025, 4, 1),
        dt.date(2025, 4, 30),
    )
    assert (review.entries_in_period, review.downloads_in_period, review.chain_intact) == (3, 1, True)
    assert review.findings == "다운로드 1건 사유 확인함"
    page = client.get(reverse("audit:review_list")).content.decode()
    assert "점검 기록을 남겼습니다: 기간 내 기록 3건, 다운로드 1건, 위변조 없음." in page
    assert "다운로드 1건 사유 확인함" in page and "2025. 4. 1. ~ 2025. 4. 30." in page


def test_review_records_a_broken_chain(people, entries, login_client):
    AccessLog.objects.filter(pk=entries["march_view"].pk).delete()
    login_client(people["admin"]).post(
        reverse("audit:review_create"),
        {"period_from": "2025-03-01", "period_to": "2025-03-31", "findings": "점검"},
    )
    review = AuditReview.objects.get()
    assert (review.entries_in_period, review.chain_intact) == (1, False)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"period_from": "2025-04-30", "period_to": "2025-04-01", "findings": "x"},
            "점검 기간의 시작이 끝보다 늦습니다.",
        ),
        (
            {"period_from": "2025-04-01", "period_to": "2025-04-30", "findings": ""},
            "점검 결과를 적어 주세요.",
        ),
    ],
)
def test_invalid_review_is_not_recorded(people, login_client, data, message):
    response = login_client(people["reviewer"]).post(reverse("audit:review_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert AuditReview.objects.count() == 0
