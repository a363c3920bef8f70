"""Demo data for referrals: an agency directory (the demo agencies enriched, plus public agencies that
take referrals without accounts), and in each 동 a few desk consultations whose needs were routed, with
referrals in every state — one overdue and one ping-ponged per 동 so the supervisors' queue has work.

Synthetic and deterministic for a given rng; bulk writes (no access log: seeding is nobody's access)."""

from __future__ import annotations

import datetime as dt
import random
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.db import transaction

from chatdong.accounts.models import Agency, District, Dong, Role, User
from chatdong.core.calendar import add_business_days
from chatdong.core.needs import NeedCategory
from chatdong.referrals.models import DeskConsultation, DeskNeed, Referral, ReferralEvent
from chatdong.referrals.services import referral_due_days
from chatdong.registry.models import Resident

SEOUL = ZoneInfo("Asia/Seoul")
N = NeedCategory

# name → (kind, need categories, services, contact person, phone, hours)
DIRECTORY: dict[str, tuple[str, list[str], str, str, str, str]] = {
    "길음종합사회복지관": (
        Agency.Kind.WELFARE_CENTER,
        [N.DAILY_LIVING, N.CARE, N.EDUCATION, N.RELATIONS],
        "밑반찬·도시락 배달, 재가 어르신 돌봄, 아동 방과후 교실, 가족 상담",
        "이사례",
        "02-940-1001",
        "평일 09:00–18:00",
    ),
    "정릉종합사회복지관": (
        Agency.Kind.WELFARE_CENTER,
        [N.DAILY_LIVING, N.CARE, N.CULTURE],
        "무료 급식, 주거 환경 개선 봉사, 어르신 여가 프로그램",
        "박연계",
        "02-940-1002",
        "평일 09:00–18:00, 토 09:00–13:00",
    ),
    "월곡종합사회복지관": (
        Agency.Kind.WELFARE_CENTER,
        [N.DAILY_LIVING, N.JOBS, N.EDUCATION],
        "푸드뱅크, 취업 상담, 청소년 학습 지원",
        "최나눔",
        "02-940-1003",
        "평일 09:00–18:00",
    ),
    "성북구 남부권역 사례관리 거점기관": (
        Agency.Kind.HUB,
        [N.DAILY_LIVING, N.HOUSING, N.HEALTH, N.RELATIONS],
        "통합사례관리(남부 10개 동), 위기가구 긴급 지원",
        "정거점",
        "02-940-1101",
        "평일 09:00–18:00",
    ),
    "성북구 북부권역 사례관리 거점기관": (
        Agency.Kind.HUB,
        [N.DAILY_LIVING, N.HOUSING, N.HEALTH, N.RELATIONS],
        "통합사례관리(북부 10개 동), 위기가구 긴급 지원",
        "한거점",
        "02-940-1102",
        "평일 09:00–18:00",
    ),
    "국민건강보험공단 성북지사": (
        Agency.Kind.PUBLIC,
        [N.HEALTH],
        "건강보험료 체납·분할납부 상담, 장기요양 인정 신청",
        "민원 창구",
        "02-920-0000",
        "평일 09:00–18:00",
    ),
    "성북구 정신건강복지센터": (
        Agency.Kind.HEALTH,
        [N.HEALTH, N.RELATIONS, N.SAFETY],
        "우울·자살 위기 상담, 정신건강 사례관리, 24시간 위기상담 연계",
        "김마음",
        "02-922-0000",
        "평일 09:00–18:00 (위기 1577-0199)",
    ),
    "성북주거복지센터": (
        Agency.Kind.OTHER,
        [N.HOUSING],
        "주거급여·임대주택 안내, 긴급 주거 지원, 집수리",
        "오주거",
        "02-921-0000",
        "평일 09:30–17:30",
    ),
    "성북구 일자리지원센터": (
        Agency.Kind.PUBLIC,
        [N.JOBS, N.EDUCATION],
        "구직 상담, 직업훈련 연계, 어르신 일자리",
        "장일터",
        "02-920-3000",
        "평일 09:00–18:00",
    ),
    "대한법률구조공단 성북출장소": (
        Agency.Kind.PUBLIC,
        [N.LEGAL],
        "채무·임대차·가정 문제 무료 법률 상담",
        "상담 창구",
        "132",
        "평일 09:00–18:00",
    ),
}

WALK_INS: tuple[tuple[str, str, str], ...] = (
    (N.HOUSING, "월세 3개월 체납, 퇴거 통보를 받았다고 함", "planner"),
    (N.HEALTH, "건강보험료 체납으로 병원 이용을 미루고 있음", "agency"),
    (N.DAILY_LIVING, "기초연금 신청 방법 문의", "staff"),
    (N.CARE, "혼자 사는 어머니 식사 돌봄 필요", "agency"),
    (N.JOBS, "실직 후 구직 상담 희망", "agency"),
    (N.LEGAL, "보증금 반환 분쟁", "agency"),
)
RESULTS = {
    "staff": "기초연금 신청서 접수 완료, 결과는 문자로 안내 예정.",
    "planner": "가정방문 후 서울형 긴급복지(생계비) 신청, 사례관리 접수.",
    "agency": "대상자와 통화, 서비스 이용 등록 완료.",
}


def _at(day: dt.date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=SEOUL)


def demo_seed(*, district: District, today: dt.date, rng: random.Random) -> dict[str, int]:
    with transaction.atomic():
        agencies = _directory(district)
        counts = {"agencies": len(agencies), "consultations": 0, "referrals": 0, "overdue": 0, "pingpong": 0}
        for dong in Dong.objects.filter(district=district).order_by("code"):
            made = _dong_work(dong=dong, today=today, rng=rng, agencies=agencies)
            for key, value in made.items():
                counts[key] += value
        counts["agency_findings"] = _agency_findings(district, rng)
    return counts


def _agency_findings(district: District, rng: random.Random) -> int:
    """민간기관 발굴 의뢰: each agency with a case worker tells one 동 about a resident it found, through
    the service (so the 동's receiver is chosen and notified as in real use). The person is written as an
    agency knows her (name, birth date, phone), so the receiver's duplicate check finds her."""
    from chatdong.referrals.services import agency_finding_receiver, referral_agency_finding

    sent = 0
    workers = User.objects.filter(
        agency__district=district, role=Role.AGENCY_WORKER, is_active=True
    ).order_by("pk")
    seen_agencies: set[int] = set()
    residents = (
        Resident.objects.filter(dong__district=district, status=Resident.Status.RESIDENT)
        .select_related("dong")
        .order_by("pk")
    )
    for worker in workers:
        if worker.agency_id is None or worker.agency_id in seen_agencies:
            continue
        seen_agencies.add(worker.agency_id)
        person = residents[rng.randrange(200) :].first() or residents.first()
        if person is None or agency_finding_receiver(person.dong) is None:
            continue
        dong = person.dong
        referral_agency_finding(
            actor=worker,
            dong=dong,
            name=person.name,
            birth_date=person.birth_date,
            phone=person.phone,
            need_category=NeedCategory.DAILY_LIVING,
            summary="복지관 도시락 배달 중 확인: 혼자 지내며 최근 식사를 거르고 관리비가 밀렸다고 함.",
        )
        sent += 1
    return sent


def _directory(district: District) -> list[Agency]:
    rows = []
    for name, (kind, categories, services, contact, phone, hours) in DIRECTORY.items():
        agency, _ = Agency.objects.update_or_create(
            district=district,
            name=name,
            defaults={
                "kind": kind,
                "need_categories": [str(c) for c in categories],
                "services": services,
                "contact_person": contact,
                "phone": phone,
                "hours": hours,
                "accepts_referrals": True,
            },
        )
        rows.append(agency)
    return rows


def _dong_work(*, dong: Dong, today: dt.date, rng: random.Random, agencies: list[Agency]) -> dict[str, int]:
    staff = {u.role: u for u in User.objects.filter(dong=dong, is_active=True).order_by("username")}
    counselor = staff.get(Role.COUNSELOR)
    planner = staff.get(Role.PLANNER_POVERTY)
    officer = staff.get(Role.OFFICER)
    nurse = staff.get(Role.VISITING_NURSE) or planner
    if counselor is None or planner is None or officer is None or nurse is None:
        return {}
    ids = list(
        Resident.objects.filter(dong=dong, status=Resident.Status.RESIDENT)
        .order_by("id")
        .values_list("id", flat=True)[:2000]
    )
    if len(ids) < 10:
        return {}
    residents = Resident.objects.in_bulk(rng.sample(ids, 8))
    people = list(residents.values())
    by_category = {c: [a for a in agencies if c in a.need_categories] for c in NeedCategory.values}

    consultations: list[DeskConsultation] = []
    # (consultation, category, note, route, state)
    plans: list[tuple[DeskConsultation, str, str, str, str]] = []
    # (state, business days since the walk-in) per walk-in; only the "overdue" one is past its due date.
    states = [("done", 6), ("accepted", 2), ("sent", 1), ("declined", 4), ("overdue", 9), ("pingpong", 3)]
    for index, (category, note, route) in enumerate(WALK_INS):
        person = people[index]
        state, age = states[index]
        day = _back(today, age)
        consultation = DeskConsultation(
            district_id=dong.district_id,
            dong=dong,
            counselor=counselor,
            resident=person,
            name=person.name,
            phone=person.phone,
            birth_date=person.birth_date,
            note=note,
            consulted_on=day,
        )
        consultations.append(consultation)
        plans.append((consultation, category, note, route, state))
    DeskConsultation.objects.bulk_create(consultations)

    referrals: list[Referral] = []
    needs: list[DeskNeed] = []
    for consultation, category, note, route, state in plans:
        day = consultation.consulted_on
        to_kind = Referral.To.AGENCY if route == "agency" else Referral.To.STAFF
        to_user = planner if route == "planner" else officer if route == "staff" else None
        choices = by_category.get(category) or agencies
        to_agency = choices[rng.randrange(len(choices))] if to_kind == Referral.To.AGENCY else None
        due = add_business_days(day, referral_due_days(to_kind=to_kind, urgent=False))
        status = {"overdue": "sent", "pingpong": "sent"}.get(state, state)
        if state == "overdue":
            due = _back(today, 2)
        referral = Referral(
            district_id=dong.district_id,
            dong=dong,
            resident=consultation.resident,
            household_id=consultation.resident.household_id if consultation.resident else None,
            need_category=category,
            summary=note,
            sender=counselor,
            to_kind=to_kind,
            to_user=to_user,
            to_agency=to_agency,
            source=Referral.Source.DESK,
            source_id=consultation.pk,
            status=status,
            due_on=due if state != "pingpong" else add_business_days(today, 3),
            result=RESULTS[route]
            if status == "done"
            else "대상 기관 서비스 정원 초과"
            if status == "declined"
            else "",
            responded_at=_at(_forward(day, 1), 15) if status in ("done", "declined") else None,
            bounce_count=3 if state == "pingpong" else 0,
            client_name=consultation.name,
            client_phone=consultation.phone,
        )
        referrals.append(referral)
        needs.append(DeskNeed(consultation=consultation, category=category, note=note, route=route))
    # An urgent 의약과 referral from a visit (PHQ-9 item 9 > 0), still unanswered.
    person = people[6]
    referrals.append(
        Referral(
            district_id=dong.district_id,
            dong=dong,
            resident=person,
            household_id=person.household_id,
            need_category=N.HEALTH,
            summary="가정방문 중 PHQ-9 9번 문항 1점(자살 사고). 당일 연락 필요.",
            sender=nurse,
            to_kind=Referral.To.HEALTH,
            source=Referral.Source.SCREENING,
            urgent=True,
            due_on=add_business_days(today, 1),
            client_name=person.name,
            client_phone=person.phone,
        )
    )
    Referral.objects.bulk_create(referrals)
    for need, referral in zip(needs, referrals, strict=False):
        need.referral = referral
        need.routed_at = _at(need.consultation.consulted_on, 11)
    DeskNeed.objects.bulk_create(needs)

    events: list[ReferralEvent] = []
    sent_days = [plan[0].consulted_on for plan in plans] + [today]  # the last one: the urgent visit referral
    for referral, sent_day in zip(referrals, sent_days, strict=True):
        events.append(
            ReferralEvent(referral=referral, actor=referral.sender, to_status="sent", action="send")
        )
        if referral.status in ("accepted", "done"):
            events.append(
                ReferralEvent(
                    referral=referral,
                    actor=to_actor(referral),
                    from_status="sent",
                    to_status="accepted",
                    action="accept",
                )
            )
        if referral.status == "done":
            events.append(
                ReferralEvent(
                    referral=referral,
                    actor=to_actor(referral),
                    from_status="accepted",
                    to_status="done",
                    action="complete",
                    note=referral.result,
                )
            )
        if referral.status == "declined":
            events.append(
                ReferralEvent(
                    referral=referral,
                    actor=to_actor(referral),
                    from_status="sent",
                    to_status="declined",
                    action="decline",
                    note=referral.result,
                )
            )
        for n in range(referral.bounce_count):  # return, re-send, return, re-send …
            back = n % 2 == 0
            events.append(
                ReferralEvent(
                    referral=referral,
                    actor=referral.sender,
                    from_status="sent" if back else "returned",
                    to_status="returned" if back else "sent",
                    action="return" if back else "forward",
                    note="소관이 아니라며 반송" if back else "다른 기관으로 다시 의뢰",
                )
            )
        Referral.objects.filter(pk=referral.pk).update(created_at=_at(sent_day, 10))
    ReferralEvent.objects.bulk_create(events)
    return {
        "consultations": len(consultations),
        "referrals": len(referrals),
        "overdue": 1,
        "pingpong": 1,
    }


def to_actor(referral: Referral) -> User:
    """Who answered in the demo: the staff receiver, or the sender standing in for an agency account."""
    return referral.to_user if referral.to_user is not None else referral.sender


def _back(day: dt.date, business_days: int) -> dt.date:
    current = day
    remaining = business_days
    while remaining:
        current -= dt.timedelta(days=1)
        if add_business_days(current, 0) == current:
            remaining -= 1
    return current


def _forward(day: dt.date, business_days: int) -> dt.date:
    return add_business_days(day, business_days)
