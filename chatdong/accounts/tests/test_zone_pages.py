"""Zone create/edit pages: 반 checkboxes grouped by 통, the officer select; only 동장, 팀장 (own 동) and
the administrator; others get 403/404 and nothing changes."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from chatdong.accounts.models import Ban, Role, Zone
from chatdong.accounts.tests.org_fixtures import client_for, dong_with_bans, staff
from chatdong.testing.factories import DistrictFactory, DongFactory

pytestmark = pytest.mark.django_db


def state() -> list[tuple]:
    zones = list(Zone.objects.order_by("pk").values_list("pk", "dong_id", "name", "officer_id"))
    bans = list(Ban.objects.order_by("pk").values_list("pk", "zone_id"))
    return zones + bans


@pytest.fixture
def dong_setup():
    dong, bans = dong_with_bans({1: 3, 2: 2})
    head = staff(Role.DONG_HEAD, dong=dong)
    officer = staff(Role.OFFICER, dong=dong, full_name="가주무관")
    return dong, bans, head, officer


def test_form_groups_ban_checkboxes_by_tong_and_lists_zone_officers(dong_setup):
    dong, bans, head, _officer = dong_setup
    staff(Role.TEAM_LEADER, dong=dong, full_name="나팀장")
    staff(Role.OFFICER, dong=dong, full_name="다말소", is_active=False)
    response = client_for(head).get(reverse("accounts:zone_create", args=[dong.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    legends = re.findall(r"<h3 id=\"tong-\d+\">(\d+)통</h3>", html)
    assert legends == ["1", "2"]
    assert re.findall(r'name="bans" value="(\d+)"', html) == [
        str(bans[k].pk) for k in [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2)]
    ]
    officer_options = re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", html)
    assert officer_options == ["가주무관 (일반 주무관)"]


def test_dong_head_creates_a_zone(dong_setup):
    dong, bans, head, officer = dong_setup
    response = client_for(head).post(
        reverse("accounts:zone_create", args=[dong.pk]),
        {"name": "1구역", "officer": officer.pk, "bans": [bans[(1, 1)].pk, bans[(1, 2)].pk]},
    )
    assert response["Location"] == reverse("core:dong_detail", args=[dong.pk]) + "#zone-map"
    zone = Zone.objects.get(dong=dong, name="1구역")
    assert zone.officer_id == officer.pk
    assert sorted(zone.bans.values_list("tong__number", "number")) == [(1, 1), (1, 2)]


def test_team_leader_edits_a_zone_moving_bans(dong_setup):
    dong, bans, _head, officer = dong_setup
    leader = staff(Role.TEAM_LEADER, dong=dong)
    other_officer = staff(Role.PLANNER_ELDER, dong=dong)
    zone_a = Zone.objects.create(dong=dong, name="1구역", officer=officer)
    zone_b = Zone.objects.create(dong=dong, name="2구역", officer=other_officer)
    Ban.objects.filter(pk__in=[bans[(1, 1)].pk, bans[(1, 2)].pk]).update(zone=zone_a)
    Ban.objects.filter(pk=bans[(2, 1)].pk).update(zone=zone_b)
    page = client_for(leader).get(reverse("accounts:zone_edit", args=[zone_b.pk])).content.decode()
    assert page.count('class="krds-form-chip-outline cd-chip-other"') == 2
    response = client_for(leader).post(
        reverse("accounts:zone_edit", args=[zone_b.pk]),
        {"name": "2구역(정릉로)", "officer": other_officer.pk, "bans": [bans[(1, 2)].pk, bans[(2, 2)].pk]},
    )
    assert response.status_code == 302
    assert dict(Ban.objects.filter(tong__dong=dong).values_list("pk", "zone_id")) == {
        bans[(1, 1)].pk: zone_a.pk,
        bans[(1, 2)].pk: zone_b.pk,
        bans[(1, 3)].pk: None,
        bans[(2, 1)].pk: None,
        bans[(2, 2)].pk: zone_b.pk,
    }
    zone_b.refresh_from_db()
    assert zone_b.name == "2구역(정릉로)"


def test_admin_manages_zones_in_the_district(dong_setup):
    dong, bans, _head, _officer = dong_setup
    admin = staff(Role.ADMIN, district=dong.district)
    response = client_for(admin).post(
        reverse("accounts:zone_create", args=[dong.pk]), {"name": "3구역", "bans": [bans[(2, 1)].pk]}
    )
    assert response.status_code == 302
    assert Zone.objects.get(name="3구역").officer_id is None


@pytest.mark.parametrize("role", [Role.PLANNER_ELDER, Role.OFFICER, Role.FRONT_DESK, Role.DISTRICT_STAFF])
def test_other_roles_get_403_and_nothing_changes(dong_setup, role):
    dong, bans, _head, officer = dong_setup
    actor = staff(role, dong=dong) if role != Role.DISTRICT_STAFF else staff(role, district=dong.district)
    zone = Zone.objects.create(dong=dong, name="1구역", officer=officer)
    before = state()
    client = client_for(actor)
    assert client.get(reverse("accounts:zone_create", args=[dong.pk])).status_code == 403
    assert client.post(reverse("accounts:zone_create", args=[dong.pk]), {"name": "새구역"}).status_code == 403
    edit = client.post(
        reverse("accounts:zone_edit", args=[zone.pk]), {"name": "x", "bans": [bans[(1, 1)].pk]}
    )
    assert edit.status_code == 403
    assert state() == before


def test_dong_head_of_another_dong_gets_403(dong_setup):
    dong, _bans, _head, _officer = dong_setup
    other_head = staff(Role.DONG_HEAD, dong=DongFactory(district=dong.district))
    before = state()
    response = client_for(other_head).post(
        reverse("accounts:zone_create", args=[dong.pk]), {"name": "새구역"}
    )
    assert response.status_code == 403
    assert state() == before


def test_another_district_gets_404(dong_setup):
    dong, _bans, _head, _officer = dong_setup
    outsider = staff(Role.ADMIN, district=DistrictFactory(code="1111000000", name="종로구"))
    zone = Zone.objects.create(dong=dong, name="1구역")
    before = state()
    client = client_for(outsider)
    assert client.post(reverse("accounts:zone_create", args=[dong.pk]), {"name": "새구역"}).status_code == 404
    assert client.post(reverse("accounts:zone_edit", args=[zone.pk]), {"name": "x"}).status_code == 404
    assert state() == before


def test_bans_of_another_dong_are_refused(dong_setup):
    dong, _bans, head, _officer = dong_setup
    _, foreign = dong_with_bans({1: 1}, dong=DongFactory(district=dong.district))
    before = state()
    response = client_for(head).post(
        reverse("accounts:zone_create", args=[dong.pk]), {"name": "1구역", "bans": [foreign[(1, 1)].pk]}
    )
    assert response.status_code == 200
    assert "form-hint-invalid" in response.content.decode()
    assert state() == before


@pytest.mark.parametrize("role", [Role.TEAM_LEADER, Role.DONG_HEAD, Role.FRONT_DESK])
def test_exempt_roles_cannot_be_zone_officers(dong_setup, role):
    dong, _bans, head, _officer = dong_setup
    exempt = head if role == Role.DONG_HEAD else staff(role, dong=dong)
    before = state()
    response = client_for(head).post(
        reverse("accounts:zone_create", args=[dong.pk]), {"name": "1구역", "officer": exempt.pk}
    )
    assert response.status_code == 200
    assert state() == before


def test_duplicate_zone_name_is_refused(dong_setup):
    dong, _bans, head, _officer = dong_setup
    Zone.objects.create(dong=dong, name="1구역")
    before = state()
    response = client_for(head).post(reverse("accounts:zone_create", args=[dong.pk]), {"name": "1구역"})
    assert '<p class="form-hint-invalid" role="alert">이미 있는 이름입니다.</p>' in response.content.decode()
    assert state() == before
