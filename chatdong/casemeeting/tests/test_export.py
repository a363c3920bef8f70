"""The minutes as XLSX: every cell, and an agency worker's file holds only the shared cases' items."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from chatdong.accounts.models import Role
from chatdong.audit.models import AccessLog
from chatdong.casemeeting import selectors
from chatdong.casemeeting.models import Attendee, Decision, Meeting
from chatdong.casemeeting.tests.helpers import S, agency, case_at, item_on, meeting_for, share
from chatdong.cases.models import Case, CaseType, ClosureReason
from chatdong.testing.world import World

pytestmark = pytest.mark.django_db


def _rows(content: bytes) -> list[tuple[object, ...]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    assert sheet.title == "회의록"
    return list(sheet.iter_rows(values_only=True))


def _meeting(world: World) -> tuple[Meeting, Case, Case]:
    head = world.users[Role.DONG_HEAD]
    worker = world.users[Role.AGENCY_WORKER]
    co = agency(world.district, "성북노인종합복지관")
    meeting = meeting_for(
        head, held_on=dt.date(2026, 11, 18), starts_at=dt.time(14, 0), chair=head, summary="=2건 결정"
    )
    Attendee.objects.create(
        meeting=meeting,
        side="public",
        user=head,
        name="동장 직원",
        organisation="가동 주민센터",
        title="동장",
    )
    Attendee.objects.create(
        meeting=meeting,
        side="private",
        user=worker,
        agency=world.agency,
        name="민간 직원",
        organisation="가나종합사회복지관",
        title="사례관리자",
    )
    Attendee.objects.create(
        meeting=meeting, side="private", name="박전문", organisation="성북구정신건강복지센터"
    )
    shared = case_at(S.CLASSIFIED, resident=world.r_z1, actor=head, case_type=CaseType.INTENSIVE)
    share(shared, world.agency, actor=head)
    other = case_at(S.FOLLOW_UP, resident=world.r_z2, actor=head)
    first = item_on(meeting, shared, actor=head, position=1, reason="사례 유형·주사례관리 기관 결정")
    first.discussion = "월세 6개월 체납, 우울감"
    first.save()
    classify = Decision.objects.create(
        item=first,
        kind=Decision.Kind.CLASSIFY,
        case_type=CaseType.INTENSIVE,
        lead_agency=world.agency,
        applied_at=dt.datetime(2026, 11, 18, 6, tzinfo=dt.UTC),
    )
    classify.co_agencies.set([co])
    second = item_on(meeting, other, actor=head, position=2, reason="종결 제안: 목표 달성")
    Decision.objects.create(
        item=second,
        kind=Decision.Kind.CLOSE,
        close_reason=ClosureReason.GOAL_MET,
        follow_up_on=dt.date(2027, 2, 1),
        applied_at=dt.datetime(2026, 11, 18, 6, tzinfo=dt.UTC),
    )
    return meeting, shared, other


def test_minutes_xlsx_cells(world: World) -> None:
    meeting, shared, other = _meeting(world)
    head = world.users[Role.DONG_HEAD]

    view = selectors.meeting_view(
        user=head, request=None, meeting_id=meeting.pk, action="download", reason="보고"
    )
    rows = _rows(selectors.minutes_xlsx(view))

    assert [tuple(v for v in row if v is not None) for row in rows] == [
        ("가동 민·관 통합사례회의 회의록",),
        (),
        ("회의일", "2026-11-18"),
        ("시작 시각", "14:00"),
        ("장소", "주민센터 2층 회의실"),
        ("회의 주재", "동장 직원"),
        ("상태", "예정"),
        ("회의 총평", "'=2건 결정"),
        (),
        ("참석자",),
        ("구분", "이름", "소속", "직위·역할"),
        ("공공", "동장 직원", "가동 주민센터", "동장"),
        ("민간", "민간 직원", "가나종합사회복지관", "사례관리자"),
        ("민간", "박전문", "성북구정신건강복지센터"),
        (),
        ("안건",),
        selectors.ITEM_HEADER,
        (
            1,
            shared.pk,
            "김*일",
            "대상자 구분·선정",
            "사례 유형·주사례관리 기관 결정",
            "월세 6개월 체납, 우울감",
            "고난도 사례관리",
            "가나종합사회복지관",
            "성북노인종합복지관",
            "반영",
        ),
        (2, other.pk, "김*일", "사후관리", "종결 제안: 목표 달성", "목표 달성 (사후관리 2027-02-01)", "반영"),
    ]


def test_agency_workers_file_holds_only_the_shared_cases_items(world: World) -> None:
    meeting, shared, _other = _meeting(world)
    worker = world.users[Role.AGENCY_WORKER]

    view = selectors.meeting_view(
        user=worker, request=None, meeting_id=meeting.pk, action="download", reason="기관 보관"
    )
    rows = _rows(selectors.minutes_xlsx(view))

    assert [row[1] for row in rows[17:]] == [shared.pk]
    log = AccessLog.objects.order_by("-id").first()
    assert log is not None
    assert (log.user, log.action, log.reason, log.subjects) == (
        worker,
        "download",
        "기관 보관",
        [world.r_z1.pk],
    )
