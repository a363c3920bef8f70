"""Who sees which case: 동 roles their 동 (a zone officer her zone), 구 사업담당 the district, a private
agency only cases shared with it under a consent in force, nobody else. Every view is logged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client

from chatdong.accounts.models import Agency, Role, User
from chatdong.audit.models import AccessLog
from chatdong.cases import access, services
from chatdong.cases.models import Case, CaseAgency, ShareScope
from chatdong.cases.tests.factories import make_case, ready_case, share
from chatdong.cases.tests.helpers import snapshot
from chatdong.core.errors import NotFound, PermissionDenied
from chatdong.core.needs import NeedCategory
from chatdong.core.time import today
from chatdong.testing.factories import AgencyFactory
from chatdong.testing.world import World, make

S = Case.Step
LoginClient = Callable[[User], Client]

# Expected answer of GET /cases/<case in 동 A, zone Z1, shared with the agency under consent>/ per role.
DETAIL_STATUS: dict[Role, int] = {
    Role.DONG_HEAD: 200,
    Role.TEAM_LEADER: 200,
    Role.PLANNER_ELDER: 200,
    Role.PLANNER_CHILD: 200,
    Role.PLANNER_POVERTY: 200,
    Role.PLANNER_YOUTH: 200,
    Role.VISITING_NURSE: 200,
    Role.INFANT_NURSE: 200,
    Role.COUNSELOR: 200,
    Role.SUPERVISOR: 200,
    Role.OFFICER: 200,  # zone Z1's officer: the resident lives in her zone
    Role.FRONT_DESK: 403,
    Role.DISTRICT_STAFF: 200,
    Role.SUPPORT_TEAM: 403,
    Role.HEALTH_MEDICAL: 403,
    Role.AGENCY_WORKER: 200,
    Role.ADMIN: 403,
}


def test_matrix_names_every_role() -> None:
    assert set(DETAIL_STATUS) == set(Role)


@pytest.mark.parametrize("role", list(Role))
def test_case_detail_by_role(world: World, login_client: LoginClient, role: Role) -> None:
    case = make_case(resident=world.r_z1, actor=world.users[Role.SUPERVISOR])
    share(case, world.agency, actor=world.users[Role.SUPERVISOR])
    user = world.users[role]
    before = snapshot()

    response = login_client(user).get(f"/cases/{case.pk}/")

    assert response.status_code == DETAIL_STATUS[role]
    if response.status_code == 200:
        log = AccessLog.objects.get()
        assert (log.username, log.action, log.object_type, log.object_id, log.subjects) == (
            user.username,
            "view",
            "case",
            str(case.pk),
            [world.r_z1.pk],
        )
    else:
        assert snapshot() == before


@pytest.mark.parametrize("who", ["officer_z2", "planner_b", "staff_x"])
def test_out_of_scope_staff_get_404(world: World, login_client: LoginClient, who: str) -> None:
    case = make_case(resident=world.r_z1, actor=world.users[Role.SUPERVISOR])
    before = snapshot()

    response = login_client(getattr(world, who)).get(f"/cases/{case.pk}/")

    assert response.status_code == 404
    assert snapshot() == before


def test_dong_sees_only_its_own_cases(world: World) -> None:
    a = make_case(resident=world.r_z1, actor=world.users[Role.SUPERVISOR])
    b = make_case(resident=world.r_b, actor=world.planner_b)

    assert list(access.cases_visible_to(world.users[Role.PLANNER_POVERTY])) == [a]
    assert list(access.cases_visible_to(world.planner_b)) == [b]
    assert set(access.cases_visible_to(world.users[Role.DISTRICT_STAFF])) == {a, b}
    assert list(access.cases_visible_to(world.staff_x)) == []


def test_zone_officer_sees_her_zone_and_her_own_cases(world: World) -> None:
    officer = world.users[Role.OFFICER]
    in_zone = make_case(resident=world.r_z1, actor=world.users[Role.SUPERVISOR])
    make_case(resident=world.r_z2, actor=world.users[Role.SUPERVISOR])
    opened = make_case(resident=world.r_a_free, actor=officer)

    assert set(access.cases_visible_to(officer)) == {in_zone, opened}


def test_agency_sees_nothing_without_consent(world: World) -> None:
    worker = world.users[Role.AGENCY_WORKER]
    case = make_case(resident=world.r_z1, actor=world.users[Role.SUPERVISOR])
    CaseAgency.objects.create(case=case, agency=world.agency, role=CaseAgency.Role.LEAD, since=today())

    assert list(access.cases_visible_to(worker)) == []
    with pytest.raises(NotFound):
        services.case_check_record(actor=worker, case=case, text="방문")


def test_agency_sees_nothing_with_consent_but_not_shared(world: World) -> None:
    case = make_case(resident=world.r_z1, actor=world.users[Role.SUPERVISOR])
    consent = share(case, world.agency, actor=world.users[Role.SUPERVISOR])
    CaseAgency.objects.filter(case=case).delete()

    assert consent.withdrawn_on is None
    assert list(access.cases_visible_to(world.users[Role.AGENCY_WORKER])) == []


def test_consent_for_another_agency_shares_nothing(world: World) -> None:
    other = make(Agency, AgencyFactory, district=world.district, name="다른복지관")
    case = make_case(resident=world.r_z1, actor=world.users[Role.SUPERVISOR])
    CaseAgency.objects.create(case=case, agency=world.agency, role=CaseAgency.Role.CO, since=today())
    share(case, other, actor=world.users[Role.SUPERVISOR])

    assert list(access.cases_visible_to(world.users[Role.AGENCY_WORKER])) == []


def test_consent_dated_in_the_future_shares_nothing(world: World) -> None:
    case = make_case(resident=world.r_z1, actor=world.users[Role.SUPERVISOR])
    share(case, world.agency, actor=world.users[Role.SUPERVISOR], given_on=today() + dt.timedelta(days=1))

    assert list(access.cases_visible_to(world.users[Role.AGENCY_WORKER])) == []


def test_agency_sees_only_its_shared_cases(world: World) -> None:
    supervisor = world.users[Role.SUPERVISOR]
    shared = make_case(resident=world.r_z1, actor=supervisor)
    share(shared, world.agency, actor=supervisor)
    make_case(resident=world.r_z2, actor=supervisor)

    assert list(access.cases_visible_to(world.users[Role.AGENCY_WORKER])) == [shared]
    assert list(access.cases_visible_to(world.agency_colleague)) == [shared]


def test_withdrawal_stops_sharing_at_once(world: World, login_client: LoginClient) -> None:
    supervisor = world.users[Role.SUPERVISOR]
    case = make_case(resident=world.r_z1, actor=supervisor)
    consent = share(case, world.agency, actor=supervisor)
    client = login_client(world.users[Role.AGENCY_WORKER])
    assert client.get(f"/cases/{case.pk}/").status_code == 200

    services.consent_withdraw(actor=supervisor, case=case, consent=consent)

    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.post(f"/cases/{case.pk}/check/", {"kind": "check", "text": "방문"}).status_code == 404


def test_consent_scope_limits_what_the_agency_sees_and_writes(
    world: World, login_client: LoginClient
) -> None:
    supervisor = world.users[Role.SUPERVISOR]
    worker = world.users[Role.AGENCY_WORKER]
    case = ready_case(resident=world.r_z1, actor=supervisor, step=S.SERVICE, to_step=S.CLOSED)
    share(case, world.agency, actor=supervisor, scope=[ShareScope.BASIC])
    before = snapshot()

    with pytest.raises(PermissionDenied):
        services.case_linkage_record(
            actor=worker,
            case=case,
            kind="private",
            category=NeedCategory.DAILY_LIVING,
            service="밑반찬",
            provider=world.agency,
            provided_on=today(),
        )
    body = login_client(worker).get(f"/cases/{case.pk}/").content.decode()

    assert access.share_scopes(worker, case) == frozenset({ShareScope.BASIC})
    assert "서울형 긴급복지 생계지원" not in body  # the linkage on record (services scope)
    assert "주거 안정" not in body  # the plan's goal (plan scope)
    assert snapshot()["ServiceLinkage"] == before["ServiceLinkage"]


def test_co_agency_may_record_but_not_advance_or_close(world: World) -> None:
    supervisor = world.users[Role.SUPERVISOR]
    worker = world.users[Role.AGENCY_WORKER]
    case = ready_case(resident=world.r_z1, actor=supervisor, step=S.SERVICE, to_step=S.CLOSED)
    share(case, world.agency, actor=supervisor, role=CaseAgency.Role.CO)

    services.case_check_record(actor=worker, case=case, text="밑반찬 전달, 건강 양호")
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.case_close(actor=worker, case=case, reason="goal_met")
    with pytest.raises(PermissionDenied):
        services.case_advance(actor=worker, case=case, to_step=S.ASSESSMENT)

    assert snapshot() == before


def test_lead_agency_may_close(world: World) -> None:
    supervisor = world.users[Role.SUPERVISOR]
    case = ready_case(resident=world.r_z1, actor=supervisor, step=S.SERVICE, to_step=S.CLOSED)
    share(case, world.agency, actor=supervisor, role=CaseAgency.Role.LEAD)

    closed = services.case_close(actor=world.users[Role.AGENCY_WORKER], case=case, reason="goal_met")

    assert closed.step == S.CLOSED


def test_only_supervisors_record_supervision(world: World) -> None:
    case = make_case(resident=world.r_z1, actor=world.users[Role.SUPERVISOR])
    before = snapshot()

    with pytest.raises(PermissionDenied):
        services.case_supervision_record(
            actor=world.users[Role.PLANNER_POVERTY], case=case, kind="supportive", notes="x"
        )

    assert snapshot() == before
    supervision = services.case_supervision_record(
        actor=world.users[Role.SUPERVISOR], case=case, kind="educational", notes="사정 기록 방법 안내"
    )
    assert (supervision.kind, supervision.supervisor) == ("educational", world.users[Role.SUPERVISOR])


def test_inactive_user_sees_nothing(world: World) -> None:
    make_case(resident=world.r_z1, actor=world.users[Role.SUPERVISOR])
    user = world.users[Role.PLANNER_POVERTY]
    user.is_active = False

    assert list(access.cases_visible_to(user)) == []


_DONG_CASE_ROLES = {
    Role.DONG_HEAD,
    Role.TEAM_LEADER,
    Role.PLANNER_ELDER,
    Role.PLANNER_CHILD,
    Role.PLANNER_POVERTY,
    Role.PLANNER_YOUTH,
    Role.VISITING_NURSE,
    Role.INFANT_NURSE,
    Role.COUNSELOR,
    Role.SUPERVISOR,
    Role.OFFICER,
}
# Which roles open each page (200); every other role gets 403 and nothing is written.
PAGE_ROLES: dict[str, set[Role]] = {
    "/cases/": _DONG_CASE_ROLES | {Role.DISTRICT_STAFF, Role.AGENCY_WORKER},
    "/cases/new/": _DONG_CASE_ROLES,
    "/cases/supervision/": {Role.SUPERVISOR, Role.TEAM_LEADER},
    "/cases/export/": (_DONG_CASE_ROLES - {Role.OFFICER})
    | {Role.DISTRICT_STAFF},  # the officer is zone-scoped
}


@pytest.mark.parametrize("url", list(PAGE_ROLES))
@pytest.mark.parametrize("role", list(Role))
def test_pages_by_role(world: World, login_client: LoginClient, url: str, role: Role) -> None:
    before = snapshot()

    response = login_client(world.users[role]).get(url)

    assert response.status_code == (200 if role in PAGE_ROLES[url] else 403)
    if response.status_code == 403:
        assert snapshot() == before
