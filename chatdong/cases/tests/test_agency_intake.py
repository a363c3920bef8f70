"""Where cases come from: a private agency's 발굴 의뢰, registered by the 동 (referrals.services.
referral_open_case). The case is the 동's like any other; the agency that found the person sees it only
once the 동 shares it under a recorded consent."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from chatdong.accounts.models import Role, User
from chatdong.cases.models import Case
from chatdong.cases.tests.factories import share
from chatdong.cases.tests.helpers import snapshot
from chatdong.referrals import services as referral_services
from chatdong.testing.world import World

pytestmark = pytest.mark.django_db
LoginClient = Callable[[User], Client]


def _agency_case(world: World) -> Case:
    referral = referral_services.referral_agency_finding(
        actor=world.users[Role.AGENCY_WORKER],
        dong=world.dong_a,
        name="김가일",
        need_category="daily_living",
        summary="단전 확인",
    )
    _, case = referral_services.referral_open_case(
        actor=world.users[Role.PLANNER_POVERTY], referral=referral, resident=world.r_z1
    )
    return case


def test_agency_case_is_on_the_dong_register(world: World, login_client: LoginClient) -> None:
    case = _agency_case(world)
    client = login_client(world.users[Role.SUPERVISOR])
    listed = client.get("/cases/")
    assert [c.pk for c in listed.context["page"].object_list] == [case.pk]
    detail = client.get(f"/cases/{case.pk}/")
    assert detail.status_code == 200
    assert "민간기관 · 빈곤위기가정 복지플래너 직원" in detail.content.decode()


def test_finding_agency_sees_the_case_only_once_shared(world: World, login_client: LoginClient) -> None:
    case = _agency_case(world)
    client = login_client(world.users[Role.AGENCY_WORKER])
    before = snapshot()
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert list(client.get("/cases/").context["page"].object_list) == []
    after = snapshot()
    assert {k: v for k, v in after.items() if k != "AccessLog"} == {
        k: v for k, v in before.items() if k != "AccessLog"
    }
    share(case, world.agency, actor=world.users[Role.SUPERVISOR])
    assert client.get(f"/cases/{case.pk}/").status_code == 200
