"""API: resident search and detail, history, households, 동 figures — what each answers and logs.
(Who may ask is in core/tests/test_access_matrix.)"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from chatdong.accounts.models import Role
from chatdong.audit.models import AccessLog
from chatdong.core.rrn import decrypt_rrn
from chatdong.registry.models import Household, Resident
from chatdong.testing.api import bearer_client
from chatdong.testing.factories import ResidentFactory
from chatdong.testing.world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def planner(world: World) -> Client:
    """A 동 A planner (dong scope)."""
    return bearer_client(world.users[Role.PLANNER_POVERTY])


def only_log() -> AccessLog:
    (log,) = AccessLog.objects.all()
    return log


def search(client: Client, **params: object) -> dict:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = client.get(f"/api/v1/residents?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_name_search_is_a_prefix_search_in_scope_and_logged(world: World, planner: Client) -> None:
    body = search(planner, q="김가")

    assert body["kind"] == "name"
    assert body["truncated"] is False
    # by name (김가이 < 김가일); 김가삼 has moved out
    assert [r["id"] for r in body["items"]] == [world.r_z1_child.pk, world.r_z1.pk]
    log = only_log()
    assert (log.action, log.object_type, log.subjects) == (
        "search",
        "resident",
        [world.r_z1_child.pk, world.r_z1.pk],
    )
    assert log.detail == {"kind": "name", "query": "김가"}


def test_search_item_shape(world: World, planner: Client) -> None:
    (item,) = search(planner, q="김나일")["items"]

    assert item == {
        "id": world.r_z2.pk,
        "name": "김나일",
        "rrn_masked": "610517-2******",
        "birth_date": "1961-05-17",
        "sex": "F",
        "status": "resident",
        "status_label": "거주",
        "dong": {"id": world.dong_a.pk, "name": world.dong_a.name, "code": world.dong_a.code},
        "tong": 1,
        "ban": 2,
        "road_address": "가로 2",
        "household_id": world.hh_z2.pk,
    }


def test_search_can_include_moved_out_residents(world: World, planner: Client) -> None:
    body = search(planner, q="김가", include_inactive="true")

    assert [r["id"] for r in body["items"]] == [world.r_z1_moved_out.pk, world.r_z1_child.pk, world.r_z1.pk]


def test_phone_search_full_and_last_four(world: World, planner: Client) -> None:
    full = search(planner, q="010-2222-0001")
    last4 = search(planner, q="0002", kind="phone")

    assert (full["kind"], [r["id"] for r in full["items"]]) == ("phone", [world.r_z2.pk])
    assert (last4["kind"], [r["id"] for r in last4["items"]]) == ("phone", [world.r_z1_child.pk])
    assert [log.detail for log in AccessLog.objects.order_by("id")] == [
        {"kind": "phone", "query": "(13자)"},
        {"kind": "phone", "query": "(4자)"},
    ]


def test_address_search(world: World, planner: Client) -> None:
    body = search(planner, q="나로 3")

    assert (body["kind"], [r["id"] for r in body["items"]]) == ("address", [world.r_a_free.pk])


def test_identity_number_search_by_post_keeps_the_number_out_of_the_url_and_the_log(
    world: World, planner: Client
) -> None:
    digits = decrypt_rrn(Resident.objects.get(pk=world.r_z2.pk).rrn_encrypted)
    number = f"{digits[:6]}-{digits[6:]}"

    response = planner.post(
        "/api/v1/residents/search", json.dumps({"q": number}), content_type="application/json"
    )

    assert response.status_code == 200
    assert (response.json()["kind"], [r["id"] for r in response.json()["items"]]) == ("rrn", [world.r_z2.pk])
    assert digits not in response.content.decode() and number not in response.content.decode()
    log = only_log()
    assert (log.detail, log.subjects) == ({"kind": "rrn", "query": "(14자)"}, [world.r_z2.pk])


def test_identity_number_outside_scope_finds_nothing(world: World) -> None:
    digits = decrypt_rrn(Resident.objects.get(pk=world.r_z2.pk).rrn_encrypted)
    officer = bearer_client(world.users[Role.OFFICER])  # officer of zone Z1; 김나일 lives in Z2

    body = search(officer, q=digits)

    assert (body["kind"], body["items"]) == ("rrn", [])


def test_search_is_cut_at_the_limit(world: World, planner: Client) -> None:
    body = search(planner, q="김", limit=2)

    assert body["truncated"] is True
    assert len(body["items"]) == 2


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ("q=991332-1234567&kind=rrn", "주민등록번호 앞자리 '991332'는 없는 생년월일입니다"),
        ("q=12345&kind=phone", "전화번호는 전체 번호나 끝 4자리로 검색해 주세요."),
        ("q=%EA%B9%80&kind=address", "주소는 '도로명 건물번호'(예: 성북로 12) 형식으로 검색해 주세요."),
    ],
)
def test_search_the_service_rejects_is_422_with_its_message_and_not_logged(
    world: World, planner: Client, params: str, detail: str
) -> None:
    response = planner.get(f"/api/v1/residents?{params}")

    assert (response.status_code, response.json()) == (422, {"detail": detail})
    assert AccessLog.objects.count() == 0


@pytest.mark.parametrize("params", ["q=", "kind=name", "q=a&kind=everything", "q=a&limit=201", "q=a&limit=0"])
def test_search_the_schema_rejects_is_422_and_not_logged(world: World, planner: Client, params: str) -> None:
    response = planner.get(f"/api/v1/residents?{params}")

    assert response.status_code == 422
    assert AccessLog.objects.count() == 0


def test_detail_shows_the_masked_number_only(world: World) -> None:
    Resident.objects.filter(pk=world.r_z1.pk).update(
        basic_livelihood=True, livelihood_benefits="생계,의료", disability="severe", single_elder=True
    )
    digits = decrypt_rrn(Resident.objects.get(pk=world.r_z1.pk).rrn_encrypted)
    officer = world.users[Role.OFFICER]

    response = bearer_client(officer).get(f"/api/v1/residents/{world.r_z1.pk}")

    body = response.json()
    assert digits not in response.content.decode()
    assert digits[6:] not in response.content.decode()
    assert body["rrn_masked"] == "500301-1******"
    assert {
        k: body[k] for k in ("phone", "relation", "livelihood_benefits", "disability", "disability_label")
    } == {
        "phone": "01011110001",
        "relation": "본인",
        "livelihood_benefits": ["생계", "의료"],
        "disability": "severe",
        "disability_label": "심한 장애",
    }
    assert (body["basic_livelihood"], body["single_elder"], body["near_poor"]) == (True, True, False)
    assert body["zone"] == {"id": world.zone_z1.pk, "name": "1구역"}
    assert body["zone_officer"]["id"] == officer.pk
    log = only_log()
    assert (log.action, log.object_type, log.object_id, log.subjects) == (
        "view",
        "resident",
        str(world.r_z1.pk),
        [world.r_z1.pk],
    )


def test_out_of_scope_resident_answers_like_a_missing_one_and_is_not_logged(world: World) -> None:
    client = bearer_client(world.users[Role.OFFICER])

    hidden = client.get(f"/api/v1/residents/{world.r_z2.pk}")
    missing = client.get("/api/v1/residents/999999")

    assert (hidden.status_code, hidden.json()) == (404, {"detail": "주민을 찾을 수 없습니다."})
    assert (missing.status_code, missing.json()) == (hidden.status_code, hidden.json())
    assert AccessLog.objects.count() == 0


def test_changes_hide_identity_number_fields(world: World, planner: Client) -> None:
    response = planner.get(f"/api/v1/residents/{world.r_z1.pk}/changes")

    change = world.changes["z1"]
    assert response.json() == [
        {
            "id": change.pk,
            "at": response.json()[0]["at"],
            "kind": "moved",
            "kind_label": "주소 이동",
            "items": [{"label": "도로명", "old": "옛길", "new": "가로"}],
        }
    ]
    assert dt.datetime.fromisoformat(response.json()[0]["at"]).replace(microsecond=0) == change.at.replace(
        microsecond=0
    )
    log = only_log()
    assert (log.action, log.object_type, log.subjects) == ("view", "resident_changes", [world.r_z1.pk])


def test_households_of_a_dong_by_address_with_head_and_paging(world: World, planner: Client) -> None:
    first = planner.get(f"/api/v1/households?dong_id={world.dong_a.pk}&page_size=2").json()
    second = planner.get(f"/api/v1/households?dong_id={world.dong_a.pk}&page_size=2&page=2").json()

    assert (first["count"], second["count"]) == (3, 3)
    assert [h["id"] for h in first["items"]] == [world.hh_z1.pk, world.hh_z2.pk]  # 가로 1, 가로 2
    assert [h["id"] for h in second["items"]] == [world.hh_a_free.pk]  # 나로 3
    assert first["items"][0] == {
        "id": world.hh_z1.pk,
        "household_no": "A-0001",
        "dong": {"id": world.dong_a.pk, "name": world.dong_a.name, "code": world.dong_a.code},
        "tong": 1,
        "ban": 1,
        "road_address": "가로 1",
        "member_count": 2,
        "head_name": "김가일",
    }
    logs = list(AccessLog.objects.order_by("id"))
    assert [(log.action, log.object_type) for log in logs] == [("search", "household")] * 2
    assert [set(log.subjects) for log in logs] == [
        {world.r_z1.pk, world.r_z1_child.pk, world.r_z2.pk},
        {world.r_a_free.pk},
    ]


def test_households_without_current_residents_are_left_out(world: World, planner: Client) -> None:
    Resident.objects.filter(pk=world.r_z2.pk).update(status=Resident.Status.DECEASED)

    body = planner.get(f"/api/v1/households?ban_id={world.ban_z2.pk}").json()

    assert (body["count"], body["items"]) == (0, [])


def test_zone_officer_lists_only_own_zone_households_of_the_dong(world: World) -> None:
    body = (
        bearer_client(world.users[Role.OFFICER]).get(f"/api/v1/households?dong_id={world.dong_a.pk}").json()
    )

    assert [h["id"] for h in body["items"]] == [world.hh_z1.pk]


@pytest.mark.parametrize("query", ["", "dong_id=1&ban_id=1"])
def test_households_need_exactly_one_of_dong_and_ban(world: World, planner: Client, query: str) -> None:
    response = planner.get(f"/api/v1/households?{query}")

    assert (response.status_code, response.json()) == (
        422,
        {"detail": "동(dong_id)과 반(ban_id) 중 하나만 지정해 주세요."},
    )
    assert AccessLog.objects.count() == 0


def test_household_detail_with_all_members(world: World, planner: Client) -> None:
    body = planner.get(f"/api/v1/households/{world.hh_z1.pk}").json()

    assert body["household"]["id"] == world.hh_z1.pk
    assert [(m["id"], m["relation"], m["status"]) for m in body["members"]] == [
        (world.r_z1.pk, "본인", "resident"),
        (world.r_z1_child.pk, "자녀", "resident"),
        (world.r_z1_moved_out.pk, "자녀", "moved_out"),
    ]
    assert set(body["members"][0]) == {
        "id",
        "name",
        "relation",
        "rrn_masked",
        "birth_date",
        "sex",
        "status",
        "status_label",
    }
    log = only_log()
    assert (log.action, log.object_type, set(log.subjects)) == (
        "view",
        "household",
        {world.r_z1.pk, world.r_z1_child.pk, world.r_z1_moved_out.pk},
    )


def test_dong_overview_figures(world: World) -> None:
    ResidentFactory(
        household=Household.objects.get(pk=world.hh_a_free.pk), name="김아기", birth_date=dt.date.today()
    )
    Resident.objects.filter(pk=world.r_z2.pk).update(basic_livelihood=True, near_poor=True)

    response = bearer_client(world.users[Role.SUPPORT_TEAM]).get(f"/api/v1/dongs/{world.dong_a.pk}/overview")

    body = response.json()
    assert body["dong"]["id"] == world.dong_a.pk
    assert (body["residents"], body["households"]) == (5, 3)
    assert sum(body["age_bands"].values()) == 5
    assert (body["age_bands"]["0-9"], body["age_bands"]["70-79"]) == (1, 1)  # 김아기, 김가일 (1950)
    assert (body["basic_livelihood"], body["near_poor"], body["disability"]) == (1, 1, 0)
    assert AccessLog.objects.count() == 0  # figures only: no personal data
