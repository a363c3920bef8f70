"""Pages: a success and a denied-with-nothing-changed test for each."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from chatdong.accounts.models import Role
from chatdong.audit.models import AccessLog
from chatdong.casemeeting.models import AgendaItem, Attendee, Decision, Meeting
from chatdong.casemeeting.tests.helpers import S, case_at, item_on, meeting_for, plan_for, share
from chatdong.cases.models import Case, CaseType
from chatdong.core.time import today
from chatdong.testing.world import World

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _counts() -> tuple[int, int, int, int, int]:
    return (
        Meeting.objects.count(),
        AgendaItem.objects.count(),
        Attendee.objects.count(),
        Decision.objects.count(),
        AccessLog.objects.count(),
    )


def test_list_shows_the_dongs_meetings(world: World, login_client) -> None:
    head = world.users[Role.DONG_HEAD]
    mine = meeting_for(head)
    meeting_for(world.planner_b)

    response = login_client(head).get(reverse("casemeeting:list"))

    assert response.status_code == 200
    assert [m.pk for m in response.context["meetings"]] == [mine.pk]
    assert "새 회의" in response.content.decode()


def test_list_is_denied_to_the_front_desk(world: World, login_client) -> None:
    meeting_for(world.users[Role.DONG_HEAD])
    before = _counts()

    response = login_client(world.users[Role.FRONT_DESK]).get(reverse("casemeeting:list"))

    assert response.status_code == 403
    assert _counts() == before


def test_new_meeting_form_and_create(world: World, login_client) -> None:
    head = world.users[Role.DONG_HEAD]
    client = login_client(head)

    form = client.get(reverse("casemeeting:create"))
    response = client.post(
        reverse("casemeeting:create"),
        {"held_on": "2026-12-16", "starts_at": "14:00", "place": "가동 주민센터 회의실", "chair": head.pk},
    )

    meeting = Meeting.objects.get()
    assert form.status_code == 200
    assert form.context["form"].initial["chair"] == head.pk
    assert response.status_code == 302
    assert response["Location"] == reverse("casemeeting:detail", args=[meeting.pk])
    assert (str(meeting.held_on), meeting.place, meeting.chair, meeting.dong) == (
        "2026-12-16",
        "가동 주민센터 회의실",
        head,
        world.dong_a,
    )


def test_new_meeting_is_denied_to_district_staff(world: World, login_client) -> None:
    before = _counts()

    response = login_client(world.users[Role.DISTRICT_STAFF]).post(
        reverse("casemeeting:create"), {"held_on": "2026-12-16"}
    )

    assert response.status_code == 403
    assert _counts() == before


def test_detail_builder_suggests_cases_and_logs_the_view(world: World, login_client) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    on_agenda = case_at(S.MEETING, resident=world.r_z1, actor=head)
    item_on(meeting, on_agenda, actor=head, reason="유형 결정")
    suggested = case_at(S.MEETING, resident=world.r_z2, actor=head)

    response = login_client(head).get(reverse("casemeeting:detail", args=[meeting.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert [s.case.pk for s in response.context["suggestions"]] == [suggested.pk]
    assert f"사례 {on_agenda.pk}</a> · 김*일" in html
    assert "김가일" not in html
    logged = list(AccessLog.objects.order_by("id").values_list("action", "object_type", "subjects"))
    assert logged[-2:] == [
        ("view", "case_meeting", [world.r_z1.pk]),
        ("view", "case_meeting_suggestions", [world.r_z2.pk]),
    ]


def test_detail_of_another_dongs_meeting_is_404(world: World, login_client) -> None:
    meeting = meeting_for(world.users[Role.DONG_HEAD])
    before = _counts()

    response = login_client(world.planner_b).get(reverse("casemeeting:detail", args=[meeting.pk]))

    assert response.status_code == 404
    assert _counts() == before


def test_agency_worker_sees_only_items_of_cases_shared_with_the_agency(world: World, login_client) -> None:
    head = world.users[Role.DONG_HEAD]
    worker = world.users[Role.AGENCY_WORKER]
    meeting = meeting_for(head)
    shared = case_at(S.MEETING, resident=world.r_z1, actor=head)
    share(shared, world.agency, actor=head)
    hidden = case_at(S.MEETING, resident=world.r_z2, actor=head)
    item_on(meeting, shared, actor=head, position=1)
    item_on(meeting, hidden, actor=head, position=2)
    Attendee.objects.create(meeting=meeting, side="private", user=worker, agency=world.agency, name="기관")
    client = login_client(worker)

    response = client.get(reverse("casemeeting:detail", args=[meeting.pk]))
    colleague = login_client(world.agency_colleague).get(reverse("casemeeting:detail", args=[meeting.pk]))

    assert response.status_code == 200
    assert [row.case.pk for row in response.context["v"].items] == [shared.pk]
    assert f"사례 {hidden.pk}" not in response.content.decode()
    assert response.context["can_run"] is False
    assert colleague.status_code == 404  # did not attend


def test_agenda_add_with_one_tap(world: World, login_client) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    case = case_at(S.MEETING, resident=world.r_z1, actor=head)

    response = login_client(head).post(
        reverse("casemeeting:agenda_add", args=[meeting.pk]),
        {"case": case.pk, "suggested": "on", "reason": "사례 유형·주사례관리 기관 결정"},
        **HTMX,
    )

    assert response.status_code == 200
    assert list(meeting.items.values_list("case_id", "origin", "reason")) == [
        (case.pk, "suggested", "사례 유형·주사례관리 기관 결정")
    ]
    assert 'id="agenda-builder"' in response.content.decode()
    assert response.context["suggestions"] == []


@pytest.mark.parametrize("who", ["district", "other_dong"])
def test_agenda_add_denied(world: World, login_client, who: str) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    case = case_at(S.MEETING, resident=world.r_z1, actor=head)
    user = world.users[Role.DISTRICT_STAFF] if who == "district" else world.planner_b
    before = _counts()

    response = login_client(user).post(
        reverse("casemeeting:agenda_add", args=[meeting.pk]), {"case": case.pk}, **HTMX
    )

    assert response.status_code == {"district": 403, "other_dong": 404}[who]
    assert _counts() == before


def test_agenda_remove(world: World, login_client) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    item = item_on(meeting, case_at(S.MEETING, resident=world.r_z1, actor=head), actor=head)
    before = _counts()

    denied = login_client(world.planner_b).post(
        reverse("casemeeting:agenda_remove", args=[meeting.pk, item.pk]), **HTMX
    )
    assert denied.status_code == 404
    assert _counts() == before

    response = login_client(head).post(reverse("casemeeting:agenda_remove", args=[meeting.pk, item.pk]))
    assert response.status_code == 302
    assert meeting.items.count() == 0


def test_attendee_add_and_remove(world: World, login_client) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    client = login_client(head)

    client.post(
        reverse("casemeeting:attendee_add", args=[meeting.pk]),
        {"kind": "account", "user": world.users[Role.AGENCY_WORKER].pk},
        **HTMX,
    )
    response = client.post(
        reverse("casemeeting:attendee_add", args=[meeting.pk]),
        {"kind": "external", "name": "박전문", "organisation": "성북구정신건강복지센터", "title": ""},
        **HTMX,
    )

    assert response.status_code == 200
    assert list(meeting.attendees.order_by("id").values_list("side", "name")) == [
        ("private", "민간기관 사례관리자 직원"),
        ("private", "박전문"),
    ]
    first = meeting.attendees.order_by("id").first()
    assert first is not None
    client.post(reverse("casemeeting:attendee_remove", args=[meeting.pk, first.pk]), **HTMX)
    assert list(meeting.attendees.values_list("name", flat=True)) == ["박전문"]


def test_attendee_add_denied_to_the_agency_worker(world: World, login_client) -> None:
    head = world.users[Role.DONG_HEAD]
    worker = world.users[Role.AGENCY_WORKER]
    meeting = meeting_for(head)
    Attendee.objects.create(meeting=meeting, side="private", user=worker, agency=world.agency, name="기관")
    before = _counts()

    response = login_client(worker).post(
        reverse("casemeeting:attendee_add", args=[meeting.pk]),
        {"kind": "external", "name": "누구", "organisation": "어디"},
    )

    assert response.status_code == 403
    assert _counts() == before


def _minutes_post(item: AgendaItem, action: str, **fields: str) -> dict[str, str]:
    prefix = f"item-{item.pk}-"
    return {"action": action, "summary": "결정 완료", prefix + "discussion": "월세 체납 6개월"} | {
        prefix + k: v for k, v in fields.items()
    }


def test_minutes_save_then_record_applies_the_decisions(world: World, login_client) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    case = case_at(S.MEETING, resident=world.r_z1, actor=head)
    item = item_on(meeting, case, actor=head)
    client = login_client(head)
    url = reverse("casemeeting:minutes", args=[meeting.pk])

    page = client.get(url)
    saved = client.post(
        url, _minutes_post(item, "save", classify="on", case_type="general", lead_agency=str(world.agency.pk))
    )
    assert Case.objects.get(pk=case.pk).step == S.MEETING  # saving applies nothing
    recorded = client.post(
        url,
        _minutes_post(item, "record", classify="on", case_type="general", lead_agency=str(world.agency.pk)),
    )

    assert page.status_code == 200
    assert saved.status_code == 302
    assert recorded.status_code == 302
    case.refresh_from_db()
    assert (case.step, case.case_type, case.lead_agency_id) == (
        S.CLASSIFIED,
        CaseType.GENERAL,
        world.agency.pk,
    )
    meeting.refresh_from_db()
    assert (meeting.status, meeting.summary) == ("held", "결정 완료")
    assert AgendaItem.objects.get(pk=item.pk).discussion == "월세 체납 6개월"


def test_minutes_record_refused_shows_the_row_and_changes_no_case(world: World, login_client) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    case = case_at(S.INTAKE, resident=world.r_z1, actor=head)
    item = item_on(meeting, case, actor=head)

    response = login_client(head).post(
        reverse("casemeeting:minutes", args=[meeting.pk]),
        _minutes_post(item, "record", classify="on", case_type="general"),
    )

    assert response.status_code == 422
    assert response.context["rows"][0][2] == [
        f"1번 안건(사례 {case.pk}) 대상자 구분·주사례관리 기관: '접수' 단계의 사례는 구분·선정할 수 "
        "없습니다. 사례회의 단계여야 합니다. (사례회의 단계가 아닙니다.)"
    ]
    assert Case.objects.get(pk=case.pk).step == S.INTAKE
    assert Meeting.objects.get(pk=meeting.pk).status == "planned"


def test_minutes_denied_to_another_dong(world: World, login_client) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    case = case_at(S.MEETING, resident=world.r_z1, actor=head)
    item = item_on(meeting, case, actor=head)
    before = _counts()

    response = login_client(world.planner_b).post(
        reverse("casemeeting:minutes", args=[meeting.pk]),
        _minutes_post(item, "record", classify="on", case_type="general"),
    )

    assert response.status_code == 404
    assert _counts() == before
    assert Case.objects.get(pk=case.pk).step == S.MEETING


def test_close(world: World, login_client) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head, status=Meeting.Status.HELD)
    before = _counts()

    denied = login_client(world.users[Role.DISTRICT_STAFF]).post(
        reverse("casemeeting:close", args=[meeting.pk])
    )
    assert denied.status_code == 403
    assert _counts() == before
    assert Meeting.objects.get(pk=meeting.pk).status == "held"

    response = login_client(head).post(reverse("casemeeting:close", args=[meeting.pk]))
    assert response.status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).status == "closed"


def test_print_is_logged_as_print(world: World, login_client) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    item_on(meeting, case_at(S.MEETING, resident=world.r_z1, actor=head), actor=head)

    response = login_client(world.users[Role.DISTRICT_STAFF]).get(
        reverse("casemeeting:print", args=[meeting.pk])
    )

    assert response.status_code == 200
    assert "가동 민·관 통합사례회의 회의록" in response.content.decode()
    last = AccessLog.objects.order_by("-id").first()
    assert last is not None
    assert (last.action, last.object_type, last.subjects) == ("print", "case_meeting", [world.r_z1.pk])


def test_print_denied_out_of_district(world: World, login_client) -> None:
    meeting = meeting_for(world.users[Role.DONG_HEAD])
    before = _counts()

    response = login_client(world.staff_x).get(reverse("casemeeting:print", args=[meeting.pk]))

    assert response.status_code == 404
    assert _counts() == before


def test_export_needs_a_reason_and_gives_the_minutes(world: World, login_client) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    case = case_at(S.PLANNING, resident=world.r_z1, actor=head, case_type=CaseType.GENERAL)
    plan = plan_for(case, actor=head)
    item = item_on(meeting, case, actor=head, reason="서비스 제공계획 승인")
    Decision.objects.create(item=item, kind=Decision.Kind.PLAN_APPROVE, plan=plan)
    client = login_client(head)
    url = reverse("casemeeting:export", args=[meeting.pk])
    before = _counts()

    no_reason = client.post(url, {"reason": ""})
    assert no_reason.status_code == 200
    assert no_reason.context["form"].errors == {"reason": ["사유를 적어 주세요."]}
    assert _counts() == before

    response = client.post(url, {"reason": "구 보고"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert [c.value for c in sheet[15]][:11] == [
        1,
        case.pk,
        "김*일",
        "서비스 제공계획",
        "서비스 제공계획 승인",
        None,
        None,
        None,
        None,
        f"승인(계획 {plan.pk})",
        None,
    ]
    last = AccessLog.objects.order_by("-id").first()
    assert last is not None
    assert (last.action, last.reason, last.subjects) == ("download", "구 보고", [world.r_z1.pk])


def test_export_denied_to_another_dong(world: World, login_client) -> None:
    meeting = meeting_for(world.users[Role.DONG_HEAD])
    before = _counts()

    response = login_client(world.planner_b).post(
        reverse("casemeeting:export", args=[meeting.pk]), {"reason": "x"}
    )

    assert response.status_code == 404
    assert _counts() == before


def test_minutes_page_lists_the_case_plans(world: World, login_client) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    case = case_at(S.PLANNING, resident=world.r_z1, actor=head, case_type=CaseType.GENERAL)
    plan = plan_for(case, actor=head)
    item_on(meeting, case, actor=head)

    response = login_client(head).get(reverse("casemeeting:minutes", args=[meeting.pk]))

    form = response.context["rows"][0][1]
    assert [p.pk for p in form.fields["plan"].queryset] == [plan.pk]
    assert f"계획 {plan.pk} · {today():%Y-%m-%d} 작성" in response.content.decode()


def test_attendee_remove_denied_to_district_staff(world: World, login_client) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    attendee = Attendee.objects.create(meeting=meeting, side="private", name="박전문", organisation="센터")
    before = _counts()

    response = login_client(world.users[Role.DISTRICT_STAFF]).post(
        reverse("casemeeting:attendee_remove", args=[meeting.pk, attendee.pk]), **HTMX
    )

    assert response.status_code == 403
    assert _counts() == before


def test_minutes_save_keeps_the_summary_as_a_draft(world: World, login_client) -> None:
    head = world.users[Role.PLANNER_ELDER]  # may write the draft, not record it
    meeting = meeting_for(head)
    case = case_at(S.MEETING, resident=world.r_z1, actor=head)
    item = item_on(meeting, case, actor=head)

    response = login_client(head).post(
        reverse("casemeeting:minutes", args=[meeting.pk]),
        _minutes_post(item, "save", classify="on", case_type="intensive"),
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.summary) == ("planned", "결정 완료")
    assert list(Decision.objects.values_list("kind", "case_type", "applied_at")) == [
        ("classify", "intensive", None)
    ]
    assert Case.objects.get(pk=case.pk).step == S.MEETING


def test_agenda_add_of_another_dongs_case_number_says_not_found(world: World, login_client) -> None:
    head = world.users[Role.DONG_HEAD]
    meeting = meeting_for(head)
    other = case_at(S.MEETING, resident=world.r_b, actor=world.planner_b)

    response = login_client(head).post(
        reverse("casemeeting:agenda_add", args=[meeting.pk]), {"case": other.pk}, **HTMX
    )

    assert response.status_code == 200
    assert response.context["error"] == f"사례 {other.pk}번을 찾을 수 없습니다."
    assert AgendaItem.objects.count() == 0
