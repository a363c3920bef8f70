"""The public case-management chain (DOMAIN.md §2) as one transitions table, and the deadline of each
step. Services consult this module; nothing else decides which step may follow which.

    발굴 → 초기상담 → 접수 → 욕구 및 위기도 조사 → 사례회의 → 대상자 구분·선정 → 서비스 제공계획
         → 서비스 제공 및 점검 → 종결 → 사후관리 → 관리 끝
    구분·선정 (유형: 서비스 연계) → 서비스 연계(연계·점검) → 사후관리
    재사정: 서비스 제공 및 점검 / 서비스 연계 → 욕구 및 위기도 조사
    종결: from any open step, with a reason (case_close)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from chatdong.cases.models import Case, CaseType
from chatdong.core.calendar import add_days_to_business_day

S = Case.Step

OPEN_STEPS: tuple[str, ...] = (
    S.DISCOVERED,
    S.INITIAL_CONSULT,
    S.INTAKE,
    S.ASSESSMENT,
    S.MEETING,
    S.CLASSIFIED,
    S.PLANNING,
    S.SERVICE,
    S.LINKAGE,
)

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DISCOVERED: frozenset({S.INITIAL_CONSULT, S.CLOSED}),
    S.INITIAL_CONSULT: frozenset({S.INTAKE, S.CLOSED}),
    S.INTAKE: frozenset({S.ASSESSMENT, S.CLOSED}),
    S.ASSESSMENT: frozenset({S.MEETING, S.CLOSED}),
    S.MEETING: frozenset({S.CLASSIFIED, S.CLOSED}),
    S.CLASSIFIED: frozenset({S.PLANNING, S.LINKAGE, S.CLOSED}),
    S.PLANNING: frozenset({S.SERVICE, S.CLOSED}),
    S.SERVICE: frozenset({S.ASSESSMENT, S.CLOSED}),  # 재사정, 종결
    S.LINKAGE: frozenset({S.ASSESSMENT, S.FOLLOW_UP, S.CLOSED}),  # 재사정, 사후관리, 종결
    S.CLOSED: frozenset({S.FOLLOW_UP, S.ENDED}),
    S.FOLLOW_UP: frozenset({S.ENDED}),
    S.ENDED: frozenset(),
}

# Moves that carry a decision and so have their own service (case_advance refuses them).
DECIDED_BY: dict[str, str] = {
    S.CLASSIFIED: "대상자 구분·선정은 사례 유형을 정하는 '구분·선정'으로 처리하세요.",
    S.CLOSED: "종결은 종결 사유를 적는 '종결'로 처리하세요.",
}

# Forward order of the chain, for the timeline (the linkage track sits beside 서비스 제공계획/제공).
CHAIN_ORDER: tuple[str, ...] = (
    S.DISCOVERED,
    S.INITIAL_CONSULT,
    S.INTAKE,
    S.ASSESSMENT,
    S.MEETING,
    S.CLASSIFIED,
    S.PLANNING,
    S.SERVICE,
    S.LINKAGE,
    S.CLOSED,
    S.FOLLOW_UP,
    S.ENDED,
)


def allowed(from_step: str, to_step: str) -> bool:
    return to_step in TRANSITIONS.get(from_step, frozenset())


def next_steps(case: Case) -> list[tuple[str, str]]:
    """The moves 다음 단계로 offers for the case: the table's, less those with their own form and the
    track the case's type does not take."""
    wrong_track = S.PLANNING if case.case_type == CaseType.LINKAGE else S.LINKAGE
    return [
        (s, S(s).label)
        for s in CHAIN_ORDER
        if allowed(case.step, s)
        and s not in DECIDED_BY
        and not (case.step == S.CLASSIFIED and s == wrong_track)
    ]


def deadline_days(key: str) -> int:
    return int(settings.CHATDONG_CASE_DEADLINES[key])


def due_after(day: dt.date, key: str) -> dt.date:
    """`day` + the setting's calendar days; a due date on a closed day moves back to the business day
    before it (help for a household in crisis is never due later because of a holiday)."""
    return add_days_to_business_day(day, deadline_days(key))


def step_due(case: Case) -> dt.date | None:
    """The date by which the case's current step should be done (None: the step has no deadline).

    First pass (cycle 0): 조사 within `assessment` days of 접수; 구분·선정 within `classification` days
    of the meeting; the plan within `planning` days of 구분·선정; and none of these later than
    `intake_to_plan` days after 접수. After a 재사정 (cycle ≥ 1) the same per-step deadlines count from
    the day the re-assessment began, without the intake cap. 사후관리 is due on its follow-up date."""
    step = case.step
    first_pass = case.cycle == 0
    cap = due_after(case.intake_on, "intake_to_plan") if first_pass and case.intake_on else None
    due: dt.date | None = None
    if step == S.ASSESSMENT:
        start = case.intake_on if first_pass and case.intake_on else case.step_since
        due = due_after(start, "assessment")
    elif step == S.MEETING:
        due = due_after(case.meeting_on, "classification") if case.meeting_on else None
    elif step in (S.CLASSIFIED, S.PLANNING):
        due = due_after(case.classified_on, "planning") if case.classified_on else None
    elif step == S.FOLLOW_UP:
        return case.follow_up_on
    else:
        return None
    if cap is not None:
        return min(due, cap) if due is not None else cap
    return due
