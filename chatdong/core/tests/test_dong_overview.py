"""The 동 overview: exact figures on a small fixture, the zone map and flags, scoping (out of scope =
404), no personal data and no per-반 queries."""

from __future__ import annotations

import datetime as dt
import re
from typing import cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chatdong.accounts.models import Ban, Dong, Role, Zone
from chatdong.accounts.tests.org_fixtures import client_for, dong_with_bans, staff
from chatdong.audit.models import AccessLog
from chatdong.core.selectors import DongSummary, dong_overview, dong_summaries
from chatdong.core.time import today, years_before
from chatdong.registry.models import Household, Resident
from chatdong.testing.factories import (
    AgencyFactory,
    DistrictFactory,
    DongFactory,
    HouseholdFactory,
    ResidentFactory,
)

pytestmark = pytest.mark.django_db

ON = dt.date(2025, 6, 15)


def resident(household: Household, birth: dt.date, **fields: object) -> Resident:
    return cast(Resident, ResidentFactory(household=household, birth_date=birth, **fields))


@pytest.fixture
def populated():
    dong, bans = dong_with_bans({1: 2})
    ban = bans[(1, 1)]
    h1, h2, h3, h4 = (HouseholdFactory(ban=ban) for _ in range(4))
    resident(h1, dt.date(2025, 6, 15), single_parent=True)  # 0
    resident(h1, dt.date(2015, 6, 16))  # 9: the 10th birthday is tomorrow
    resident(h1, dt.date(2015, 6, 15))  # 10 today
    resident(h2, dt.date(1960, 6, 16), near_poor=True)  # 64, turns 65 tomorrow
    resident(h2, dt.date(1960, 6, 15), basic_livelihood=True)  # 65 today, turns 65 this year
    resident(h3, dt.date(1955, 1, 1), basic_livelihood=True)  # 70, turns 70 this year
    resident(h3, dt.date(1945, 6, 15), disability=Resident.Disability.SEVERE, single_elder=True)  # 80
    resident(h3, dt.date(1945, 6, 16), disability=Resident.Disability.MILD)  # 79
    resident(h4, dt.date(1980, 1, 1), status=Resident.Status.MOVED_OUT, basic_livelihood=True)
    resident(h3, dt.date(1930, 1, 1), status=Resident.Status.DECEASED)
    other_dong, other_bans = dong_with_bans({1: 1}, dong=DongFactory(district=dong.district))
    resident(HouseholdFactory(ban=other_bans[(1, 1)]), dt.date(1950, 1, 1))
    return dong, other_dong


def test_figures_are_exact(populated):
    dong, _ = populated
    figures = dong_overview(dong=dong, on=ON)
    assert [(band.label, band.count) for band in figures.age_bands] == [
        ("0~9세", 2),
        ("10~19세", 1),
        ("20~29세", 0),
        ("30~39세", 0),
        ("40~49세", 0),
        ("50~59세", 0),
        ("60~64세", 1),
        ("65~69세", 1),
        ("70~79세", 2),
        ("80세 이상", 1),
    ]
    assert figures.residents == 8
    assert figures.households == 3  # the household whose only member moved out does not count
    # Both 1960 births turn 65 in 2025, one of them tomorrow.
    assert (figures.aged_65_plus, figures.children_0_5, figures.turning_65, figures.turning_70) == (
        4,
        1,
        2,
        1,
    )
    assert (figures.basic_livelihood, figures.near_poor) == (2, 1)
    assert (figures.disability_severe, figures.disability_mild, figures.disability) == (1, 1, 2)
    assert (figures.single_elder, figures.single_parent) == (1, 1)
    assert figures.aged_65_share == 50.0
    assert round(figures.persons_per_household, 4) == round(8 / 3, 4)
    assert figures.age_bands[0].share == 25.0


def test_a_29_february_birthday_counts_from_1_march_in_common_years():
    dong, bans = dong_with_bans({1: 1})
    resident(HouseholdFactory(ban=bans[(1, 1)]), dt.date(2016, 2, 29))
    on_28th = dong_overview(dong=dong, on=dt.date(2026, 2, 28))
    on_1st = dong_overview(dong=dong, on=dt.date(2026, 3, 1))
    assert (on_28th.age_bands[0].count, on_28th.age_bands[1].count) == (1, 0)
    assert (on_1st.age_bands[0].count, on_1st.age_bands[1].count) == (0, 1)


def test_dong_list_figures_in_one_query(populated):
    dong, other = populated
    empty = DongFactory(district=dong.district)
    dongs = Dong.objects.filter(pk__in=[dong.pk, other.pk, empty.pk])
    with CaptureQueriesContext(connection) as ctx:
        summaries = dong_summaries(dongs=dongs, on=ON)
    assert len(ctx.captured_queries) == 2  # the grouped aggregate and the list of 동
    assert summaries == {
        dong.pk: DongSummary(residents=8, households=3, aged_65_plus=4, basic_livelihood=2),
        other.pk: DongSummary(residents=1, households=1, aged_65_plus=1, basic_livelihood=0),
        empty.pk: DongSummary(residents=0, households=0, aged_65_plus=0, basic_livelihood=0),
    }
    assert summaries[dong.pk].aged_65_share == 50.0


def stat(html: str, label: str) -> str:
    match = re.search(rf'<span class="label">{label}</span><span class="num">([^<]+)</span>', html)
    assert match is not None
    return match.group(1)


def test_dong_page_shows_figures_zone_map_and_staff():
    dong, bans = dong_with_bans({1: 3, 2: 2})
    planner = staff(Role.PLANNER_ELDER, dong=dong, full_name="가플래너")
    officer = staff(Role.OFFICER, dong=dong, full_name="나주무관")
    staff(Role.VISITING_NURSE, dong=dong, full_name="다간호사")  # no zone
    staff(Role.DONG_HEAD, dong=dong, full_name="라동장")  # exempt
    zone = Zone.objects.create(dong=dong, name="1구역", officer=officer)
    Ban.objects.filter(tong__number=1, tong__dong=dong).update(zone=zone)
    household = HouseholdFactory(ban=bans[(1, 1)])
    now = today()
    for years in (3, 40, 66, 81):
        resident(household, years_before(now, years), name=f"비밀주민{years}")
    response = client_for(planner).get(reverse("core:dong_detail", args=[dong.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert stat(html, "인구") == "4"
    assert stat(html, "세대") == "1"
    assert stat(html, "65세 이상") == "2"
    assert "담당자가 없는 반 2개:</strong>\n        2통 1~2반(구역 미지정)" in html
    assert (
        "담당구역이 없는 직원 2명:</strong>\n        가플래너(어르신 복지플래너), 다간호사(방문간호사)"
        in html
    )
    assert re.search(
        r'rowspan="1" class="cd-nowrap">1통</th>\s*<td class="cd-nowrap">1~3반</td>\s*<td>1구역</td>', html
    )
    assert "라동장" in html
    assert "비밀주민" not in html
    assert "구역 추가" not in html  # a planner does not manage zones
    assert AccessLog.objects.count() == 0


def test_dong_head_gets_zone_management_links():
    dong, _ = dong_with_bans({1: 1})
    head = staff(Role.DONG_HEAD, dong=dong)
    zone = Zone.objects.create(dong=dong, name="1구역")
    html = client_for(head).get(reverse("core:dong_detail", args=[dong.pk])).content.decode()
    assert f'href="/accounts/dongs/{dong.pk}/zones/new/"' in html
    assert f'href="/accounts/zones/{zone.pk}/edit/"' in html


@pytest.mark.parametrize("role", [Role.PLANNER_ELDER, Role.OFFICER, Role.DONG_HEAD])
def test_another_dong_is_404(role):
    user = staff(role)
    other = DongFactory(district=user.dong.district)
    assert client_for(user).get(reverse("core:dong_detail", args=[other.pk])).status_code == 404


def test_agency_worker_has_no_overview():
    worker = staff(Role.AGENCY_WORKER, agency=AgencyFactory())
    dong = DongFactory()
    client = client_for(worker)
    assert client.get(reverse("core:dong_detail", args=[dong.pk])).status_code == 403
    assert client.get(reverse("core:dong_list")).status_code == 403


def test_another_district_is_404():
    gu = staff(Role.DISTRICT_STAFF)
    foreign = DongFactory(district=DistrictFactory(code="1111000000", name="종로구"))
    assert client_for(gu).get(reverse("core:dong_detail", args=[foreign.pk])).status_code == 404


def test_dong_list_for_district_staff(populated):
    dong, other = populated
    gu = staff(Role.SUPPORT_TEAM, district=dong.district)
    response = client_for(gu).get(reverse("core:dong_list"))
    assert response.status_code == 200
    html = response.content.decode()
    rows = re.findall(
        r'<th scope="row"><a href="/dongs/(\d+)/">[^<]+</a></th>\s*<td class="cd-num">(\d+)</td>', html
    )
    assert rows == [(str(dong.pk), "8"), (str(other.pk), "1")]
    assert stat(html, "인구") == "9"
    assert "빈 반 2" in html  # the populated 동's two 반 have no zone


def test_dong_list_sends_a_single_dong_user_to_their_dong():
    planner = staff(Role.PLANNER_ELDER)
    response = client_for(planner).get(reverse("core:dong_list"))
    assert response["Location"] == reverse("core:dong_detail", args=[planner.dong_id])


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def populate_zones(dong: Dong, bans: dict, officers: int) -> None:
    for i in range(officers):
        person = staff(Role.OFFICER, dong=dong)
        zone = Zone.objects.create(dong=dong, name=f"{i + 1}구역", officer=person)
        Ban.objects.filter(pk__in=[b.pk for k, b in bans.items() if k[0] % officers == i]).update(zone=zone)


def test_dong_page_queries_do_not_grow_with_the_dong():
    small, small_bans = dong_with_bans({1: 2, 2: 2})
    large, large_bans = dong_with_bans(dict.fromkeys(range(1, 21), 9))
    populate_zones(small, small_bans, 2)
    populate_zones(large, large_bans, 8)
    gu = staff(Role.DISTRICT_STAFF, district=small.district)
    client = client_for(gu)
    small_count = queries_for(client, reverse("core:dong_detail", args=[small.pk]))
    large_count = queries_for(client, reverse("core:dong_detail", args=[large.pk]))
    assert small_count == large_count
    assert large_count <= 20
