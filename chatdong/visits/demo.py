"""Demo data for visits: for every 동's planners and nurses, today's and this week's planned visits on
their assigned targets (some joint planner + nurse), recorded visits of the last two months (with
needs checklists, health assessments and negative screenings), and one positive PHQ-9 recorded
through the real service so that its referral reaches 보건소 의약과.

Run after outreach's demo_seed (it makes and assigns the targets). Deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.db import transaction

from chatdong.accounts.models import District, Dong, Role, User
from chatdong.core.calendar import is_business_day
from chatdong.core.needs import NeedCategory
from chatdong.outreach.models import Target
from chatdong.visits import scoring, services
from chatdong.visits.access import VISIT_ROLES
from chatdong.visits.models import HealthAssessment, NeedItem, Screening, Visit

SEOUL = ZoneInfo("Asia/Seoul")
TODAY_PER_VISITOR = 6
WEEK_PER_DAY = 3
PAST_PER_VISITOR = 24
SCREEN_KIND: dict[str, str] = {
    Role.PLANNER_ELDER: "gds15",
    Role.VISITING_NURSE: "gds15",
    Role.PLANNER_POVERTY: "phq9",
    Role.PLANNER_YOUTH: "phq9",
    Role.PLANNER_CHILD: "kepds",
    Role.INFANT_NURSE: "kepds",
}
# The positive screening recorded through the service: PHQ-9 of 12 with item 9 answered (urgent).
POSITIVE_PHQ9 = [2, 2, 2, 2, 1, 1, 1, 0, 1]


def _business_days(start: dt.date, step: int, count: int) -> list[dt.date]:
    days: list[dt.date] = []
    day = start
    while len(days) < count:
        day += dt.timedelta(days=step)
        if is_business_day(day):
            days.append(day)
    return days


def _negative_answers(kind: str, rng: random.Random) -> list[int]:
    """Answers that score below every cut-off (the demo's positives come only through the service)."""
    if kind == "gds15":
        depressive = set(rng.sample(range(1, 16), rng.randint(0, 4)))
        reverse = {1, 5, 7, 11, 13}
        return [
            (0 if n in depressive else 1) if n in reverse else (1 if n in depressive else 0)
            for n in range(1, 16)
        ]
    if kind == "phq9":
        answers = [0] * 9
        for i in rng.sample(range(8), rng.randint(0, 4)):
            answers[i] = 1
        return answers
    points = [0] * 10
    for i in rng.sample(range(9), rng.randint(0, 5)):
        points[i] = 1
    reverse = {3, 5, 6, 7, 8, 9, 10}
    return [3 - p if n in reverse else p for n, p in enumerate(points, start=1)]


def _targets_for(user: User, rng: random.Random) -> list[Target]:
    targets = Target.objects.filter(dong_id=user.dong_id or 0, status=Target.Status.OPEN).exclude(
        consent__in=("refused", "withdrawn")
    )
    mine = list(targets.filter(assignee=user).select_related("resident").order_by("pk")[:400])
    if not mine:
        mine = [
            t
            for t in targets.filter(assignee__isnull=True)
            .select_related("program", "resident")
            .order_by("pk")[:2000]
            if user.role in (t.program.visit_roles or [])
        ][:400]
    rng.shuffle(mine)
    return [t for t in mine if t.resident_id is not None or t.household_id is not None]


def _visit(target: Target, staff: User, day: dt.date, co_staff: User | None = None) -> Visit:
    resident = target.resident
    return Visit(
        target=target,
        dong_id=target.dong_id,
        resident=resident,
        household_id=target.household_id or (resident.household_id if resident is not None else None),
        staff=staff,
        co_staff=co_staff,
        scheduled_on=day,
        due_on=getattr(target, "due_on", None),
        attempt=1,
    )


def demo_seed(*, district: District, today: dt.date, rng: random.Random) -> dict[str, int]:
    services.schedule_ensure(district=district)
    counts = {"visits_planned": 0, "visits_recorded": 0, "screenings": 0, "health_assessments": 0, "needs": 0}
    week = _business_days(today, 1, 4)
    past = _business_days(today, -1, 40)
    first_visit_today: Visit | None = None
    with transaction.atomic():
        for dong in Dong.objects.filter(district=district).order_by("code"):
            staff = {
                u.role: u
                for u in User.objects.filter(dong=dong, role__in=VISIT_ROLES, is_active=True).order_by(
                    "-username"
                )
            }
            planned: list[Visit] = []
            recorded: list[tuple[Visit, str]] = []
            used: set[int] = set()
            for role, user in sorted(staff.items()):
                targets = [t for t in _targets_for(user, rng) if t.pk not in used]
                used.update(t.pk for t in targets)
                nurse = staff.get(Role.VISITING_NURSE) if role == Role.PLANNER_ELDER else None
                cursor = 0
                for n in range(min(TODAY_PER_VISITOR, len(targets))):
                    co = nurse if nurse is not None and n % 3 == 0 else None  # every third: a joint visit
                    planned.append(_visit(targets[cursor], user, today, co))
                    cursor += 1
                for day in week:
                    for _ in range(WEEK_PER_DAY):
                        if cursor < len(targets):
                            planned.append(_visit(targets[cursor], user, day))
                            cursor += 1
                for _ in range(PAST_PER_VISITOR):
                    if cursor >= len(targets):
                        break
                    visit = _visit(targets[cursor], user, rng.choice(past))
                    cursor += 1
                    roll = rng.random()
                    visit.outcome = (
                        Visit.Outcome.VISITED
                        if roll < 0.75
                        else Visit.Outcome.ABSENT
                        if roll < 0.93
                        else Visit.Outcome.REFUSED
                    )
                    assert visit.scheduled_on is not None
                    visit.visited_at = dt.datetime.combine(
                        visit.scheduled_on, dt.time(rng.randint(10, 16), rng.choice((0, 20, 40))), SEOUL
                    )
                    visit.recorded_by = user
                    visit.notes = (
                        ""
                        if visit.outcome != Visit.Outcome.VISITED
                        else rng.choice(
                            (
                                "복지서비스 안내함",
                                "건강 상태 양호",
                                "혼자 지내 안부 확인 필요",
                                "기초연금 신청 안내",
                                "",
                            )
                        )
                    )
                    recorded.append((visit, role))
            Visit.objects.bulk_create(planned + [v for v, _ in recorded])
            services.targets_visit_facts_refresh({v.target_id for v, _ in recorded})
            counts["visits_planned"] += len(planned)
            counts["visits_recorded"] += len(recorded)
            if first_visit_today is None:
                first_visit_today = next(
                    (
                        v
                        for v in planned
                        if v.staff.role == Role.PLANNER_ELDER and v.resident_id and v.co_staff_id is None
                    ),
                    None,
                )
            screenings: list[Screening] = []
            assessments: list[HealthAssessment] = []
            needs: list[NeedItem] = []
            done_targets: list[int] = []
            for visit, role in recorded:
                if visit.outcome != Visit.Outcome.VISITED:
                    continue
                done_targets.append(visit.target_id)
                for category in rng.sample(NeedCategory.values, 2):
                    needs.append(NeedItem(visit=visit, category=category, need=rng.random() < 0.4))
                if rng.random() < 0.5:
                    kind = SCREEN_KIND[role]
                    answers = _negative_answers(kind, rng)
                    result = scoring.score(kind, answers)
                    screenings.append(
                        Screening(
                            visit=visit,
                            dong_id=visit.dong_id,
                            resident_id=visit.resident_id,
                            staff=visit.staff,
                            kind=kind,
                            answers=answers,
                            score=result.score,
                            band=result.band,
                            positive=result.positive,
                            urgent=result.urgent,
                            follow_up=result.follow_up,
                        )
                    )
                if role in (Role.VISITING_NURSE, Role.INFANT_NURSE):
                    systolic = rng.randint(110, 165)
                    assessments.append(
                        HealthAssessment(
                            visit=visit,
                            nurse=visit.staff,
                            bp_systolic=systolic,
                            bp_diastolic=systolic - rng.randint(35, 60),
                            glucose=rng.randint(85, 180),
                            glucose_kind=rng.choice(HealthAssessment.Glucose.values),
                            chronic=sorted(
                                rng.sample(
                                    ["hypertension", "diabetes", "arthritis", "dyslipidemia"],
                                    rng.randint(0, 2),
                                )
                            ),
                            medication_count=rng.randint(0, 6),
                            health_check_done=rng.random() < 0.7,
                            health_check_year=today.year - rng.randint(0, 1),
                            falls_last_year=rng.choice((0, 0, 0, 1, 2)),
                            frailty_score=rng.randint(0, 3),
                        )
                    )
            Screening.objects.bulk_create(screenings)
            HealthAssessment.objects.bulk_create(assessments)
            NeedItem.objects.bulk_create(needs)
            Target.objects.filter(pk__in=done_targets).update(
                status=Target.Status.DONE, status_note="방문 완료"
            )
            counts["screenings"] += len(screenings)
            counts["health_assessments"] += len(assessments)
            counts["needs"] += len(needs)
    counts["positive_referrals"] = 0
    if first_visit_today is not None:
        recorded_visit = services.visit_record(
            actor=first_visit_today.staff,
            visit=first_visit_today,
            outcome=Visit.Outcome.VISITED,
            notes="잠을 잘 못 자고 입맛이 없다고 함. 혼자 지냄.",
            needs={NeedCategory.HEALTH: {"need": True, "note": "정신건강 상담 연계"}},
            screenings=[("phq9", POSITIVE_PHQ9)],
        )
        counts["positive_referrals"] = len(recorded_visit.referrals)
        counts["visits_planned"] -= 1
        counts["visits_recorded"] += 1
        counts["screenings"] += 1
    return counts
