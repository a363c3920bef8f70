"""Staff pages: list, create, detail with permission history, role change, 말소. Allowed works; denied
answers 403/404 and changes nothing."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from chatdong.accounts import services
from chatdong.accounts.models import PermissionChange, Role, Scope, User, Zone
from chatdong.accounts.tests.org_fixtures import client_for, staff
from chatdong.testing.factories import AgencyFactory, DistrictFactory, DongFactory

pytestmark = pytest.mark.django_db

LIST = reverse("accounts:staff_list")
CREATE = reverse("accounts:staff_create")


def listed_names(html: str) -> list[str]:
    return re.findall(r'<a href="/accounts/staff/\d+/">([^<]+)</a>', html)


def snapshot() -> list[tuple]:
    users = User.objects.order_by("pk").values_list(
        "pk", "role", "scope", "dong_id", "agency_id", "is_active"
    )
    return [*users, ("changes", PermissionChange.objects.count())]


# --- list -------------------------------------------------------------------------------------------


def test_dong_head_sees_the_staff_of_the_dong_only():
    head = staff(Role.DONG_HEAD, full_name="가동장")
    staff(Role.OFFICER, dong=head.dong, full_name="나주무관")
    staff(Role.OFFICER, full_name="다른동직원")
    staff(Role.DISTRICT_STAFF, full_name="구청직원")
    html = client_for(head).get(LIST).content.decode()
    assert sorted(listed_names(html)) == ["가동장", "나주무관"]
    assert 'href="/accounts/staff/new/"' in html


def test_district_scope_sees_the_whole_district_and_filters():
    district = DistrictFactory()
    dong_a, dong_b = DongFactory(district=district), DongFactory(district=district)
    gu = staff(Role.DISTRICT_STAFF, full_name="구청직원")
    staff(Role.OFFICER, dong=dong_a, full_name="가주무관")
    staff(Role.PLANNER_ELDER, dong=dong_b, full_name="나플래너")
    staff(Role.AGENCY_WORKER, agency=AgencyFactory(district=district), full_name="다사례")
    staff(Role.OFFICER, dong=dong_a, full_name="라말소", is_active=False)
    client = client_for(gu)
    assert sorted(listed_names(client.get(LIST).content.decode())) == [
        "가주무관",
        "구청직원",
        "나플래너",
        "다사례",
    ]
    assert listed_names(client.get(LIST, {"dong": dong_b.pk}).content.decode()) == ["나플래너"]
    assert listed_names(client.get(LIST, {"role": Role.OFFICER}).content.decode()) == ["가주무관"]
    assert listed_names(client.get(LIST, {"status": "inactive"}).content.decode()) == ["라말소"]
    assert listed_names(client.get(LIST, {"q": "플래"}).content.decode()) == ["나플래너"]
    assert 'href="/accounts/staff/new/"' not in client.get(LIST).content.decode()


def test_other_districts_are_not_listed():
    gu = staff(Role.DISTRICT_STAFF, full_name="구청직원")
    other = DongFactory(district=DistrictFactory(code="1111000000", name="종로구"))
    staff(Role.OFFICER, dong=other, full_name="종로직원")
    assert listed_names(client_for(gu).get(LIST).content.decode()) == ["구청직원"]


def test_agency_worker_sees_the_agency_and_colleagues():
    agency = AgencyFactory(name="성북종합사회복지관", phone="02-000-0000")
    worker = staff(Role.AGENCY_WORKER, agency=agency, full_name="가사례")
    staff(Role.AGENCY_WORKER, agency=agency, full_name="나사례")
    staff(Role.AGENCY_WORKER, full_name="다른기관")
    staff(Role.OFFICER, full_name="동직원")
    html = client_for(worker).get(LIST).content.decode()
    assert "<h1>성북종합사회복지관</h1>" in html
    assert sorted(listed_names(html)) == ["가사례", "나사례"]


def test_htmx_filter_returns_only_the_table():
    head = staff(Role.DONG_HEAD, full_name="가동장")
    response = client_for(head).get(LIST, {"q": "가"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert listed_names(html) == ["가동장"]


def test_locked_accounts_are_marked():
    head = staff(Role.DONG_HEAD)
    locked = staff(Role.OFFICER, dong=head.dong)
    for _ in range(5):
        services.login_attempt_record(username=locked.username, request=None, succeeded=False)
    html = client_for(head).get(LIST).content.decode()
    assert html.count('<span class="krds-badge bg-light-danger">잠김</span>') == 1


def test_staff_list_query_count_does_not_grow_with_staff(django_assert_max_num_queries):
    head = staff(Role.DONG_HEAD)
    for _ in range(30):
        zone_holder = staff(Role.OFFICER, dong=head.dong)
        Zone.objects.create(dong=head.dong, name=f"구역{zone_holder.pk}", officer=zone_holder)
    client = client_for(head)
    with django_assert_max_num_queries(12):
        assert client.get(LIST).status_code == 200


# --- create -----------------------------------------------------------------------------------------


def create_form(**fields: object) -> dict[str, object]:
    return {
        "username": "new.person",
        "full_name": "새직원",
        "phone": "02-2241-0000",
        "password1": "changdong-welfare-42",
        "password2": "changdong-welfare-42",
        **fields,
    }


def test_dong_head_creates_a_planner_in_the_dong():
    head = staff(Role.DONG_HEAD)
    response = client_for(head).post(CREATE, create_form(role=Role.PLANNER_ELDER, dong=head.dong_id))
    created = User.objects.get(username="new.person")
    assert response["Location"] == reverse("accounts:staff_detail", args=[created.pk])
    assert (created.role, created.scope, created.dong_id, created.full_name) == (
        Role.PLANNER_ELDER,
        Scope.DONG,
        head.dong_id,
        "새직원",
    )
    change = PermissionChange.objects.get(user=created)
    assert (change.action, change.actor_id) == (PermissionChange.Action.GRANT, head.pk)


def test_dong_head_creates_a_zone_scoped_officer():
    head = staff(Role.DONG_HEAD)
    client_for(head).post(CREATE, create_form(role=Role.OFFICER, scope=Scope.ZONE, dong=head.dong_id))
    assert User.objects.get(username="new.person").scope == Scope.ZONE


def test_admin_creates_district_staff_and_agency_workers():
    admin = staff(Role.ADMIN)
    agency = AgencyFactory(district=admin.district)
    client = client_for(admin)
    client.post(CREATE, create_form(role=Role.DISTRICT_STAFF))
    client.post(CREATE, create_form(username="case.worker", role=Role.AGENCY_WORKER, agency=agency.pk))
    gu = User.objects.get(username="new.person")
    worker = User.objects.get(username="case.worker")
    assert (gu.role, gu.scope, gu.district_id) == (Role.DISTRICT_STAFF, Scope.DISTRICT, admin.district_id)
    assert (worker.scope, worker.agency_id) == (Scope.AGENCY, agency.pk)


@pytest.mark.parametrize(
    "role", [Role.PLANNER_ELDER, Role.TEAM_LEADER, Role.DISTRICT_STAFF, Role.AGENCY_WORKER]
)
def test_other_roles_may_not_create_staff(role):
    actor = staff(role)
    before = snapshot()
    client = client_for(actor)
    assert client.get(CREATE).status_code == 403
    response = client.post(CREATE, create_form(role=Role.PLANNER_ELDER, dong=DongFactory().pk))
    assert response.status_code == 403
    assert snapshot() == before


def test_dong_head_cannot_create_in_another_dong():
    head = staff(Role.DONG_HEAD)
    other = DongFactory(district=head.dong.district)
    before = snapshot()
    response = client_for(head).post(CREATE, create_form(role=Role.PLANNER_ELDER, dong=other.pk))
    assert response.status_code == 200
    assert "form-hint-invalid" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DONG_HEAD, Role.DISTRICT_STAFF])
def test_dong_head_cannot_grant_higher_roles(role):
    head = staff(Role.DONG_HEAD)
    before = snapshot()
    response = client_for(head).post(CREATE, create_form(role=role, dong=head.dong_id))
    assert response.status_code == 200
    assert snapshot() == before


def test_duplicate_username_is_refused():
    head = staff(Role.DONG_HEAD)
    staff(Role.OFFICER, dong=head.dong, username="new.person")
    before = snapshot()
    response = client_for(head).post(CREATE, create_form(role=Role.PLANNER_ELDER, dong=head.dong_id))
    assert '<p class="form-hint-invalid" role="alert">이미 있는 계정입니다.</p>' in response.content.decode()
    assert snapshot() == before


def test_mismatched_passwords_are_refused():
    head = staff(Role.DONG_HEAD)
    response = client_for(head).post(
        CREATE, create_form(role=Role.PLANNER_ELDER, dong=head.dong_id, password2="something-else-99")
    )
    assert "두 비밀번호가 서로 다릅니다." in response.content.decode()
    assert not User.objects.filter(username="new.person").exists()


def test_role_choice_reloads_the_scope_choices():
    admin = staff(Role.ADMIN)
    client = client_for(admin)
    planner = client.get(
        CREATE, {"role": Role.PLANNER_ELDER}, headers={"HX-Request": "true"}
    ).content.decode()
    assert re.findall(r'<option value="(\w*)"', planner.split('id="id_scope"')[1].split("</select>")[0]) == [
        "",
        "dong",
        "zone",
    ]
    assert 'id="id_agency"' not in planner
    worker = client.get(CREATE, {"role": Role.AGENCY_WORKER}, headers={"HX-Request": "true"}).content.decode()
    assert 'id="id_agency"' in worker
    assert 'id="id_dong"' not in worker


# --- detail and history -----------------------------------------------------------------------------


def test_detail_shows_the_permission_history_to_a_manager():
    head = staff(Role.DONG_HEAD)
    person = services.staff_create(
        actor=head,
        username="hist.person",
        password="changdong-welfare-42",
        full_name="기록대상",
        role=Role.OFFICER,
        dong=head.dong,
    )
    services.staff_set_role(
        actor=head, user=person, role=Role.PLANNER_POVERTY, reason="빈곤위기가정 담당 변경"
    )
    html = client_for(head).get(reverse("accounts:staff_detail", args=[person.pk])).content.decode()
    assert "권한 변경 기록" in html
    assert "빈곤위기가정 담당 변경" in html
    assert f"일반 주무관 · 담당구역 {head.dong.name}" in html
    assert f"빈곤위기가정 복지플래너 · 동 {head.dong.name}" in html


def test_colleague_sees_the_detail_but_not_the_history():
    planner = staff(Role.PLANNER_ELDER)
    person = staff(Role.OFFICER, dong=planner.dong)
    response = client_for(planner).get(reverse("accounts:staff_detail", args=[person.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "권한 변경 기록" not in html
    assert "역할·범위 변경" not in html


def test_audit_reviewer_sees_the_history():
    gu = staff(Role.DISTRICT_STAFF)
    person = staff(Role.OFFICER, dong=DongFactory(district=gu.district))
    html = client_for(gu).get(reverse("accounts:staff_detail", args=[person.pk])).content.decode()
    assert "권한 변경 기록" in html


def test_detail_out_of_scope_is_404():
    head = staff(Role.DONG_HEAD)
    other = staff(Role.OFFICER)
    assert client_for(head).get(reverse("accounts:staff_detail", args=[other.pk])).status_code == 404


def test_own_account_page_shows_own_history():
    user = services.staff_create(
        actor=None,
        username="me.myself",
        password="changdong-welfare-42",
        full_name="나자신",
        role=Role.OFFICER,
        dong=DongFactory(),
    )
    html = client_for(user).get(reverse("accounts:account")).content.decode()
    assert "내 권한 변경 기록" in html
    assert "부여" in html
    assert "시스템" in html


# --- role change ------------------------------------------------------------------------------------


def test_dong_head_changes_a_role_with_a_reason():
    head = staff(Role.DONG_HEAD)
    person = staff(Role.OFFICER, dong=head.dong)
    response = client_for(head).post(
        reverse("accounts:staff_edit", args=[person.pk]),
        {"role": Role.PLANNER_ELDER, "scope": Scope.DONG, "dong": head.dong_id, "reason": "어르신 담당 배치"},
    )
    assert response["Location"] == reverse("accounts:staff_detail", args=[person.pk])
    person.refresh_from_db()
    assert (person.role, person.scope) == (Role.PLANNER_ELDER, Scope.DONG)
    change = PermissionChange.objects.get(user=person, action=PermissionChange.Action.CHANGE)
    assert (change.reason, change.before["role"], change.after["role"]) == (
        "어르신 담당 배치",
        Role.OFFICER,
        Role.PLANNER_ELDER,
    )


def test_admin_moves_staff_to_another_dong():
    admin = staff(Role.ADMIN)
    dong_a, dong_b = DongFactory(district=admin.district), DongFactory(district=admin.district)
    person = staff(Role.OFFICER, dong=dong_a)
    client_for(admin).post(
        reverse("accounts:staff_edit", args=[person.pk]),
        {"role": Role.OFFICER, "scope": Scope.ZONE, "dong": dong_b.pk, "reason": "전보"},
    )
    person.refresh_from_db()
    assert person.dong_id == dong_b.pk


def test_role_change_needs_a_reason():
    head = staff(Role.DONG_HEAD)
    person = staff(Role.OFFICER, dong=head.dong)
    before = snapshot()
    response = client_for(head).post(
        reverse("accounts:staff_edit", args=[person.pk]), {"role": Role.PLANNER_ELDER, "dong": head.dong_id}
    )
    assert response.status_code == 200
    assert snapshot() == before


def test_colleague_may_not_change_roles():
    planner = staff(Role.PLANNER_ELDER)
    person = staff(Role.OFFICER, dong=planner.dong)
    before = snapshot()
    url = reverse("accounts:staff_edit", args=[person.pk])
    client = client_for(planner)
    assert client.get(url).status_code == 403
    response = client.post(url, {"role": Role.DONG_HEAD, "dong": planner.dong_id, "reason": "x"})
    assert response.status_code == 403
    assert snapshot() == before


def test_dong_head_of_another_dong_gets_404():
    head = staff(Role.DONG_HEAD)
    person = staff(Role.OFFICER)
    before = snapshot()
    response = client_for(head).post(
        reverse("accounts:staff_edit", args=[person.pk]),
        {"role": Role.PLANNER_ELDER, "dong": head.dong_id, "reason": "x"},
    )
    assert response.status_code == 404
    assert snapshot() == before


def test_nobody_changes_their_own_role():
    admin = staff(Role.ADMIN)
    other_admin = staff(Role.ADMIN)
    before = snapshot()
    response = client_for(admin).post(
        reverse("accounts:staff_edit", args=[admin.pk]), {"role": Role.DISTRICT_STAFF, "reason": "x"}
    )
    assert response.status_code == 403
    assert snapshot() == before
    assert client_for(other_admin).get(reverse("accounts:staff_edit", args=[admin.pk])).status_code == 200


# --- 말소 -------------------------------------------------------------------------------------------


def test_dong_head_deactivates_with_a_reason_and_frees_the_zones():
    head = staff(Role.DONG_HEAD)
    person = staff(Role.OFFICER, dong=head.dong)
    zone = Zone.objects.create(dong=head.dong, name="1구역", officer=person)
    url = reverse("accounts:staff_deactivate", args=[person.pk])
    page = client_for(head).get(url).content.decode()
    assert "1구역" in page
    response = client_for(head).post(url, {"reason": "전보(성북구청)"})
    assert response["Location"] == reverse("accounts:staff_detail", args=[person.pk])
    person.refresh_from_db()
    zone.refresh_from_db()
    assert person.is_active is False
    assert zone.officer_id is None
    change = PermissionChange.objects.get(user=person, action=PermissionChange.Action.REVOKE)
    assert (change.reason, change.actor_id) == ("전보(성북구청)", head.pk)


def test_deactivation_needs_a_reason():
    head = staff(Role.DONG_HEAD)
    person = staff(Role.OFFICER, dong=head.dong)
    before = snapshot()
    response = client_for(head).post(reverse("accounts:staff_deactivate", args=[person.pk]), {"reason": " "})
    assert response.status_code == 200
    assert snapshot() == before


@pytest.mark.parametrize("role", [Role.PLANNER_ELDER, Role.TEAM_LEADER, Role.DISTRICT_STAFF])
def test_others_may_not_deactivate(role):
    actor = staff(role)
    person = staff(Role.OFFICER, dong=actor.dong or DongFactory(district=actor.district))
    before = snapshot()
    response = client_for(actor).post(reverse("accounts:staff_deactivate", args=[person.pk]), {"reason": "x"})
    assert response.status_code == 403
    assert snapshot() == before


def test_nobody_deactivates_themselves():
    head = staff(Role.DONG_HEAD)
    before = snapshot()
    response = client_for(head).post(reverse("accounts:staff_deactivate", args=[head.pk]), {"reason": "x"})
    assert response.status_code == 403
    assert snapshot() == before
