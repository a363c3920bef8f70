"""API: 동/통/반, zones and staff (what each answers; who may ask is in core/tests/test_access_matrix)."""

from __future__ import annotations

import pytest

from chatdong.accounts.models import Dong, Role, User, Zone
from chatdong.testing.api import bearer_client
from chatdong.testing.world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def dong_ref(dong: Dong) -> dict[str, object]:
    return {"id": dong.pk, "name": dong.name, "code": dong.code}


def staff_ref(user: User) -> dict[str, object]:
    return {
        "id": user.pk,
        "full_name": user.full_name,
        "role": user.role,
        "role_label": user.get_role_display(),
    }


def zone_ref(zone: Zone) -> dict[str, object]:
    return {"id": zone.pk, "name": zone.name}


def test_dongs_lists_the_district_by_code(world: World) -> None:
    response = bearer_client(world.users[Role.AGENCY_WORKER]).get("/api/v1/dongs")

    assert response.status_code == 200
    assert response.json() == [dong_ref(world.dong_a), dong_ref(world.dong_b)]


def test_dong_detail_counts_tongs_bans_zones_and_uncovered_bans(world: World) -> None:
    response = bearer_client(world.users[Role.SUPPORT_TEAM]).get(f"/api/v1/dongs/{world.dong_a.pk}")

    assert response.json() == {
        **dong_ref(world.dong_a),
        "district": {"id": world.district.pk, "name": "성북구"},
        "tong_count": 2,
        "ban_count": 3,
        "zone_count": 2,
        "uncovered_ban_count": 1,
    }


def test_dong_tongs_is_the_zone_map(world: World) -> None:
    officer = world.users[Role.OFFICER]

    response = bearer_client(world.users[Role.DONG_HEAD]).get(f"/api/v1/dongs/{world.dong_a.pk}/tongs")

    assert response.json() == [
        {
            "id": world.ban_z1.tong_id,
            "number": 1,
            "bans": [
                {
                    "id": world.ban_z1.pk,
                    "number": 1,
                    "zone": zone_ref(world.zone_z1),
                    "officer": staff_ref(officer),
                },
                {
                    "id": world.ban_z2.pk,
                    "number": 2,
                    "zone": zone_ref(world.zone_z2),
                    "officer": staff_ref(world.officer_z2),
                },
            ],
        },
        {
            "id": world.ban_a_free.tong_id,
            "number": 2,
            "bans": [{"id": world.ban_a_free.pk, "number": 1, "zone": None, "officer": None}],
        },
    ]


def test_zones_are_paged(world: World) -> None:
    client = bearer_client(world.users[Role.ADMIN])

    first = client.get("/api/v1/zones?page_size=2").json()
    last = client.get("/api/v1/zones?page_size=2&page=2").json()

    assert (first["count"], first["page"], first["page_size"]) == (3, 1, 2)
    assert [z["id"] for z in first["items"]] == [world.zone_z1.pk, world.zone_z2.pk]
    assert (last["page"], [z["id"] for z in last["items"]]) == (2, [world.zone_b.pk])


def test_zones_of_one_dong(world: World) -> None:
    body = bearer_client(world.users[Role.TEAM_LEADER]).get(f"/api/v1/zones?dong_id={world.dong_b.pk}").json()

    assert body == {
        "count": 1,
        "page": 1,
        "page_size": 50,
        "items": [
            {
                "id": world.zone_b.pk,
                "name": "1구역",
                "dong": dong_ref(world.dong_b),
                "officer": staff_ref(world.planner_b),
                "ban_count": 1,
            }
        ],
    }


@pytest.mark.parametrize("query", ["page=0", "page_size=0", "page_size=201", "dong_id=abc"])
def test_bad_paging_or_filter_is_422(world: World, query: str) -> None:
    response = bearer_client(world.users[Role.ADMIN]).get(f"/api/v1/zones?{query}")

    assert response.status_code == 422


def test_zone_detail_lists_its_bans(world: World) -> None:
    body = bearer_client(world.users[Role.OFFICER]).get(f"/api/v1/zones/{world.zone_z2.pk}").json()

    assert body == {
        "id": world.zone_z2.pk,
        "name": "2구역",
        "dong": dong_ref(world.dong_a),
        "officer": staff_ref(world.officer_z2),
        "ban_count": 1,
        "bans": [{"id": world.ban_z2.pk, "tong": 1, "ban": 2}],
    }


def test_staff_of_a_dong_user_are_the_dong_staff_by_name(world: World) -> None:
    body = bearer_client(world.users[Role.PLANNER_CHILD]).get("/api/v1/staff?page_size=200").json()

    expected = sorted(
        [u for u in world.users.values() if u.dong_id == world.dong_a.pk] + [world.officer_z2],
        key=lambda u: (u.full_name, u.pk),
    )
    assert body["count"] == 13
    assert [s["id"] for s in body["items"]] == [u.pk for u in expected]


def test_staff_filters(world: World) -> None:
    client = bearer_client(world.users[Role.DISTRICT_STAFF])
    User.objects.filter(pk=world.officer_z2.pk).update(is_active=False)

    officers = client.get(f"/api/v1/staff?role=officer&dong_id={world.dong_a.pk}").json()
    with_inactive = client.get("/api/v1/staff?role=officer&include_inactive=true").json()
    bad_role = client.get("/api/v1/staff?role=king")

    assert [s["id"] for s in officers["items"]] == [world.users[Role.OFFICER].pk]
    assert {s["id"] for s in with_inactive["items"]} == {world.users[Role.OFFICER].pk, world.officer_z2.pk}
    assert bad_role.status_code == 422


def test_staff_detail_shows_zones(world: World) -> None:
    officer = world.users[Role.OFFICER]

    body = bearer_client(world.users[Role.DONG_HEAD]).get(f"/api/v1/staff/{officer.pk}").json()

    assert body == {
        "id": officer.pk,
        "full_name": "일반 주무관 직원",
        "role": "officer",
        "role_label": "일반 주무관",
        "scope": "zone",
        "scope_label": "담당구역",
        "dong": dong_ref(world.dong_a),
        "agency": None,
        "phone": "",
        "is_active": True,
        "zones": [zone_ref(world.zone_z1)],
    }


def test_out_of_scope_staff_answers_like_a_missing_one(world: World) -> None:
    client = bearer_client(world.users[Role.PLANNER_ELDER])

    hidden = client.get(f"/api/v1/staff/{world.planner_b.pk}")
    missing = client.get("/api/v1/staff/999999")

    assert (hidden.status_code, hidden.json()) == (404, {"detail": "직원을 찾을 수 없습니다."})
    assert (missing.status_code, missing.json()) == (hidden.status_code, hidden.json())


def test_out_of_district_dong_answers_like_a_missing_one(world: World) -> None:
    client = bearer_client(world.users[Role.ADMIN])

    hidden = client.get(f"/api/v1/dongs/{world.dong_x.pk}/tongs")
    missing = client.get("/api/v1/dongs/999999/tongs")

    assert (hidden.status_code, hidden.json()) == (404, {"detail": "동을 찾을 수 없습니다."})
    assert (missing.status_code, missing.json()) == (hidden.status_code, hidden.json())
