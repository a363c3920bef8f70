"""The page that adds one target by hand (숨은 위기 가구): find the resident, say why."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from chatdong.accounts.models import Role
from chatdong.audit.models import AccessLog
from chatdong.outreach.models import Target, TargetChange
from chatdong.outreach.tests.factories import programs, resident_in
from chatdong.testing.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def _state() -> tuple[int, int, int]:
    return Target.objects.count(), TargetChange.objects.count(), AccessLog.objects.count()


def test_a_planner_finds_a_resident_and_adds_her_household_to_the_poverty_list(w, login_client) -> None:
    poverty = programs(w)["poverty"]
    person = resident_in(w.ban_z1, dt.date(1980, 2, 3), name="숨은가구")
    client = login_client(w.users[Role.PLANNER_POVERTY])
    page = client.get(reverse("outreach:target_add", args=[poverty.pk]), {"period": "2026-01-01"})
    assert page.status_code == 200
    assert "대상 한 명 등록" in page.content.decode()
    found = client.get(reverse("outreach:resident_pick"), {"q": "숨은가구"})
    assert f'value="{person.pk}"' in found.content.decode()

    response = client.post(
        reverse("outreach:target_add", args=[poverty.pk]),
        {"period": "2026-01-01", "resident_id": person.pk, "reason": "이웃 제보: 단전 위기"},
    )
    target = Target.objects.get(program=poverty, household=person.household)
    assert response.status_code == 302 and response["Location"].endswith(f"/targets/{target.pk}/")
    assert (target.resident_id, target.source, target.reason, target.status) == (
        None,
        Target.Source.STAFF,
        "이웃 제보: 단전 위기",
        Target.Status.OPEN,
    )
    assert TargetChange.objects.filter(target=target, kind=TargetChange.Kind.ADDED).exists()
    assert AccessLog.objects.filter(
        action="create", object_type="outreach.target", object_id=target.pk
    ).exists()

    again = client.post(
        reverse("outreach:target_add", args=[poverty.pk]),
        {"period": "2026-01-01", "resident_id": person.pk, "reason": "한 번 더"},
    )
    assert again.status_code == 200 and "이미 이 사업의 대상입니다" in again.content.decode()
    assert Target.objects.filter(program=poverty).count() == 1


def test_without_a_resident_or_reason_the_page_says_what_is_missing(w, login_client) -> None:
    youth = programs(w)["youth"]
    client = login_client(w.users[Role.PLANNER_YOUTH])
    before = _state()
    response = client.post(reverse("outreach:target_add", args=[youth.pk]), {"reason": "학교 밖 청소년"})
    assert response.status_code == 200 and "등록할 주민을 검색해서 고르세요" in response.content.decode()
    response = client.post(reverse("outreach:target_add", args=[youth.pk]), {"resident_id": w.r_z1.pk})
    assert response.status_code == 200
    assert _state() == before


def test_roles_that_may_not_add_and_residents_out_of_scope_change_nothing(w, login_client) -> None:
    youth = programs(w)["youth"]
    before = _state()
    front_desk = login_client(w.users[Role.FRONT_DESK])
    assert front_desk.get(reverse("outreach:target_add", args=[youth.pk])).status_code == 403
    assert front_desk.get(reverse("outreach:resident_pick"), {"q": "김"}).status_code == 403
    denied = front_desk.post(
        reverse("outreach:target_add", args=[youth.pk]), {"resident_id": w.r_z1.pk, "reason": "x"}
    )
    assert denied.status_code == 403
    # A 동 B resident is not in a 동 A planner's scope: treated as not found, nothing written.
    planner = login_client(w.users[Role.PLANNER_YOUTH])
    other = planner.post(
        reverse("outreach:target_add", args=[youth.pk]), {"resident_id": w.r_b.pk, "reason": "x"}
    )
    assert other.status_code == 200 and "등록할 주민을 검색해서 고르세요" in other.content.decode()
    assert _state() == before
