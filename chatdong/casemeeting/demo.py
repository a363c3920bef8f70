"""Demo data for the case meetings: in every 동 of the demo district, last month's meeting (held, with
attendees, minutes and the decisions matching what the cases app's demo shows for those cases) and next
month's planned meeting with the cases that now need a decision on its agenda.

Run after the cases app's demo_seed (it reads the cases). Synthetic and deterministic for a given rng;
bulk writes (no access log: seeding is nobody's access)."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from chatdong.accounts.models import Agency, District, Dong, Role, User
from chatdong.casemeeting.models import AgendaItem, Attendee, Decision, Meeting
from chatdong.casemeeting.selectors import DEFAULT_WEEK_OF_MONTH, DEFAULT_WEEKDAY, _nth_weekday
from chatdong.cases.models import Case
from chatdong.core.calendar import is_business_day, next_business_day

SEOUL = ZoneInfo("Asia/Seoul")
S = Case.Step
ITEMS_PER_MEETING = 4
EXPERTS = (
    ("김정신", "성북구 정신건강복지센터", "정신건강 전문요원"),
    ("이법률", "대한법률구조공단 성북출장소", "변호사"),
    ("박주거", "성북주거복지센터", "주거복지사"),
)
DISCUSSIONS = (
    "월세 체납과 실직으로 생계가 어려움. 긴급복지 생계지원 뒤 일자리 연계를 함께 추진하기로 함.",
    "홀로 사는 어르신, 우울감 호소. 방문간호와 안부 확인 서비스를 묶어 지원하기로 함.",
    "자녀 양육 부담이 큰 한부모 가구. 방과후 돌봄과 양육비 이행 상담을 연계하기로 함.",
    "주거 환경이 열악함(곰팡이·단열). 주거환경 개선 봉사와 주거급여 신청을 돕기로 함.",
    "알코올 문제로 가족 갈등. 정신건강복지센터와 함께 사례관리하기로 함.",
)
# Cases whose state already shows the meeting's 구분·선정 (so last month's minutes can have decided it).
CLASSIFIED_STEPS = (S.CLASSIFIED, S.PLANNING, S.SERVICE, S.LINKAGE)


def _meeting_day(year: int, month: int) -> dt.date:
    week, weekday = getattr(settings, "CHATDONG_CASE_MEETING_WEEK", (DEFAULT_WEEK_OF_MONTH, DEFAULT_WEEKDAY))
    day = _nth_weekday(year, month, week, weekday)
    return day if is_business_day(day) else next_business_day(day)


def _month_shift(day: dt.date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def demo_seed(*, district: District, today: dt.date, rng: random.Random) -> dict[str, int]:
    dongs = list(Dong.objects.filter(district=district).order_by("code"))
    agencies = list(Agency.objects.filter(district=district).order_by("name"))
    staff: dict[int, dict[str, User]] = {}
    for user in User.objects.filter(dong__in=dongs, is_active=True).order_by("username"):
        assert user.dong_id is not None
        staff.setdefault(user.dong_id, {}).setdefault(user.role, user)
    workers = list(
        User.objects.filter(role=Role.AGENCY_WORKER, agency__district=district, is_active=True).order_by(
            "username"
        )
    )
    last_day = _meeting_day(*_month_shift(today, -1))
    next_day = _meeting_day(*_month_shift(today, 1))
    held_at = dt.datetime.combine(last_day, dt.time(17, 0), tzinfo=SEOUL)
    counts = {"meetings": 0, "attendees": 0, "agenda_items": 0, "decisions": 0}

    with transaction.atomic():
        Meeting.objects.filter(dong__in=dongs, held_on__in=(last_day, next_day)).delete()
        meetings: list[Meeting] = []
        for dong in dongs:
            people = staff.get(dong.pk, {})
            head = people.get(Role.DONG_HEAD)
            creator = people.get(Role.PLANNER_POVERTY) or head or next(iter(people.values()), None)
            if creator is None:
                continue
            for day, held in ((last_day, True), (next_day, False)):
                meetings.append(
                    Meeting(
                        district=district,
                        dong=dong,
                        held_on=day,
                        starts_at=dt.time(14, 0),
                        place=f"{dong.name} 주민센터 2층 회의실",
                        chair=head,
                        status=Meeting.Status.HELD if held else Meeting.Status.PLANNED,
                        summary="안건 사례의 유형과 주사례관리 기관을 정하고 계획을 승인함." if held else "",
                        created_by=creator,
                        minutes_recorded_at=held_at if held else None,
                        minutes_recorded_by=(people.get(Role.SUPERVISOR) or creator) if held else None,
                    )
                )
        Meeting.objects.bulk_create(meetings)
        counts["meetings"] = len(meetings)

        attendees: list[Attendee] = []
        items: list[AgendaItem] = []
        decisions: list[Decision] = []
        co_links: list[tuple[Decision, Agency]] = []
        for meeting in meetings:
            people = staff.get(meeting.dong_id, {})
            for role in (
                Role.DONG_HEAD,
                Role.TEAM_LEADER,
                Role.PLANNER_POVERTY,
                Role.SUPERVISOR,
                Role.COUNSELOR,
            ):
                member = people.get(role)
                if member is not None:
                    attendees.append(
                        Attendee(
                            meeting=meeting,
                            side=Attendee.Side.PUBLIC,
                            user=member,
                            name=member.full_name,
                            organisation=f"{meeting.dong.name} 주민센터",
                            title=member.get_role_display(),
                        )
                    )
            for worker in rng.sample(workers, k=min(2, len(workers))):
                assert worker.agency is not None
                attendees.append(
                    Attendee(
                        meeting=meeting,
                        side=Attendee.Side.PRIVATE,
                        user=worker,
                        agency=worker.agency,
                        name=worker.full_name,
                        organisation=worker.agency.name,
                        title="사례관리자",
                    )
                )
            name, organisation, title = rng.choice(EXPERTS)
            attendees.append(
                Attendee(
                    meeting=meeting,
                    side=Attendee.Side.PRIVATE,
                    name=name,
                    organisation=organisation,
                    title=title,
                )
            )
            added_by = meeting.created_by
            if meeting.status == Meeting.Status.HELD:
                candidates = list(
                    Case.objects.filter(
                        dong_id=meeting.dong_id, step__in=(*CLASSIFIED_STEPS, S.CLOSED, S.FOLLOW_UP)
                    )
                    .exclude(case_type="")
                    .order_by("pk")[:ITEMS_PER_MEETING]
                )
            else:
                candidates = list(
                    Case.objects.filter(dong_id=meeting.dong_id, step=S.MEETING).order_by("pk")[
                        :ITEMS_PER_MEETING
                    ]
                )
            for position, case in enumerate(candidates, start=1):
                held = meeting.status == Meeting.Status.HELD
                item = AgendaItem(
                    meeting=meeting,
                    case=case,
                    position=position,
                    origin=AgendaItem.Origin.SUGGESTED,
                    reason="사례 유형·주사례관리 기관 결정",
                    discussion=rng.choice(DISCUSSIONS) if held else "",
                    added_by=added_by,
                )
                items.append(item)
                if held:
                    decision = Decision(
                        item=item,
                        kind=Decision.Kind.CLASSIFY,
                        case_type=case.case_type,
                        lead_agency_id=case.lead_agency_id,
                        applied_at=held_at,
                    )
                    decisions.append(decision)
                    if agencies and rng.random() < 0.5:
                        co_links.append((decision, rng.choice(agencies)))
                    if case.step in (S.CLOSED, S.FOLLOW_UP) and case.closure_reason:
                        decisions.append(
                            Decision(
                                item=item,
                                kind=Decision.Kind.CLOSE,
                                close_reason=case.closure_reason,
                                follow_up_on=case.follow_up_on,
                                applied_at=held_at,
                            )
                        )
        Attendee.objects.bulk_create(attendees)
        AgendaItem.objects.bulk_create(items)
        for d in decisions:
            d.item_id = d.item.pk
        Decision.objects.bulk_create(decisions)
        through = Decision.co_agencies.through
        through.objects.bulk_create(
            through(decision_id=d.pk, agency_id=a.pk) for d, a in co_links if d.lead_agency_id != a.pk
        )
        counts.update(attendees=len(attendees), agenda_items=len(items), decisions=len(decisions))
    return counts
