"""Program rules as data: validation of `Program.rule`, periods, due dates, and the candidates of a
pregnancy rule (the other rule types are one SQL SELECT each: outreach/rule_sql.py).

Every rule is expressed as date ranges on an indexed column (`Resident.birth_date`,
`PregnancyRegistration.expected_delivery_on`) or as a flag filter, so the database answers it in one
query per program.

Rule types (see docs/outreach.md for the full schema):
- turning_age   {"ages": [65, 70], "labels": {"65": "필수"}}      people turning an age in the period
- birth_window  {"months": [0, 12]}                              households with a child of 0..N months
- pregnancy     {"from_week": 20, "weeks_after_birth": 6}        registered pregnancies (임산부 등록)
- welfare_flag  {"flags": ["basic_livelihood", "near_poor"]}     households with a welfare flag
- list          {}                                               added from lists or by staff only
Common keys: "due": {"type": "period_end" | "birth_plus_days" | "start_plus_days", "days": n},
"visits_per_year": n (the annual visit plan per target).
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from django.db.models import Q

from chatdong.core.calendar import add_days_to_business_day
from chatdong.core.errors import ValidationFailed

RULE_TYPES = {
    "turning_age": "연령 도래",
    "birth_window": "출생·영아 세대",
    "pregnancy": "임산부 등록",
    "welfare_flag": "복지 자격",
    "list": "명단 등록",
}
DUE_TYPES = {
    "period_end": "기간 말일",
    "birth_plus_days": "출생(출산)일 + 일수",
    "start_plus_days": "기간 시작일 + 일수",
}
WELFARE_FLAGS = {
    "basic_livelihood": "기초생활수급",
    "near_poor": "차상위",
    "single_elder": "독거노인",
    "single_parent": "한부모가족",
}
# Rule types whose target is a household (세대), whatever Program.unit says.
HOUSEHOLD_RULES = frozenset({"birth_window", "welfare_flag"})


class Candidate(NamedTuple):
    """One person or household a rule selects, with its reason and due date (a tuple: extraction makes
    tens of thousands of them)."""

    resident_id: int | None
    household_id: int | None
    dong_id: int
    ban_id: int | None
    reason: str
    due_on: dt.date | None
    visits_planned: int = 1
    pregnancy_id: int | None = None


# ---------------------------------------------------------------------------------------------------
# Periods


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier; a day past the month's end becomes its last day (31 Mar − 1 month
    = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = pycalendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def period_bounds(period: str, period_start: dt.date) -> tuple[dt.date, dt.date]:
    """(start, end) of the period beginning on `period_start`; raises if it is not a period start."""
    if period == "month":
        if period_start.day != 1:
            raise ValidationFailed(
                "월간 사업의 기간은 매월 1일로 시작합니다.", {"period_start": ["1일을 고르세요."]}
            )
        last = pycalendar.monthrange(period_start.year, period_start.month)[1]
        return period_start, period_start.replace(day=last)
    if (period_start.month, period_start.day) != (1, 1):
        raise ValidationFailed(
            "연간 사업의 기간은 1월 1일로 시작합니다.", {"period_start": ["1월 1일을 고르세요."]}
        )
    return period_start, dt.date(period_start.year, 12, 31)


def current_period_start(period: str, day: dt.date) -> dt.date:
    return day.replace(day=1) if period == "month" else dt.date(day.year, 1, 1)


def period_label(period: str, period_start: dt.date) -> str:
    return f"{period_start.year}년 {period_start.month}월" if period == "month" else f"{period_start.year}년"


# ---------------------------------------------------------------------------------------------------
# Validation


def _int(value: Any, field: str, low: int, high: int, errors: dict[str, list[str]]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors.setdefault(field, []).append(f"{low}~{high} 사이의 정수여야 합니다.")
        return low
    return value


def rule_validate(rule: Any) -> dict[str, Any]:
    """The rule normalised (defaults filled in), or ValidationFailed with a message per key."""
    errors: dict[str, list[str]] = {}
    if not isinstance(rule, dict):
        raise ValidationFailed("대상 규칙은 JSON 객체여야 합니다.", {"rule": ["JSON 객체로 적어 주세요."]})
    kind = rule.get("type")
    if kind not in RULE_TYPES:
        raise ValidationFailed(
            "규칙 유형을 알 수 없습니다.", {"type": [f"다음 중 하나여야 합니다: {', '.join(RULE_TYPES)}"]}
        )
    out: dict[str, Any] = {"type": kind}
    if kind == "turning_age":
        ages = rule.get("ages")
        if not isinstance(ages, list) or not ages:
            errors.setdefault("ages", []).append("나이를 하나 이상 적어 주세요(예: [65, 70]).")
            ages = []
        out["ages"] = sorted({_int(a, "ages", 0, 130, errors) for a in ages})
        labels = rule.get("labels", {})
        if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
            errors.setdefault("labels", []).append('나이별 구분은 {"65": "필수"} 형식이어야 합니다.')
            labels = {}
        out["labels"] = {str(k): v[:20] for k, v in labels.items() if str(k) in {str(a) for a in out["ages"]}}
    elif kind == "birth_window":
        months = rule.get("months", [0, 12])
        if not isinstance(months, list) or len(months) != 2:
            errors.setdefault("months", []).append("개월 수는 [시작, 끝] 두 값이어야 합니다(예: [0, 12]).")
            months = [0, 12]
        low = _int(months[0], "months", 0, 72, errors)
        high = _int(months[1], "months", 0, 72, errors)
        if low > high:
            errors.setdefault("months", []).append("시작 개월 수가 끝보다 클 수 없습니다.")
        out["months"] = [low, high]
    elif kind == "pregnancy":
        out["from_week"] = _int(rule.get("from_week", 20), "from_week", 1, 42, errors)
        out["weeks_after_birth"] = _int(rule.get("weeks_after_birth", 6), "weeks_after_birth", 0, 104, errors)
    elif kind == "welfare_flag":
        flags = rule.get("flags")
        if not isinstance(flags, list) or not flags or any(f not in WELFARE_FLAGS for f in flags):
            errors.setdefault("flags", []).append(f"다음 중에서 고르세요: {', '.join(WELFARE_FLAGS)}")
            flags = []
        out["flags"] = [f for f in WELFARE_FLAGS if f in flags]
    due = rule.get("due", {"type": "period_end"})
    if not isinstance(due, dict) or due.get("type") not in DUE_TYPES:
        errors.setdefault("due", []).append(f"기한 유형은 다음 중 하나여야 합니다: {', '.join(DUE_TYPES)}")
        due = {"type": "period_end"}
    out["due"] = {"type": due["type"]}
    if due["type"] != "period_end":
        out["due"]["days"] = _int(due.get("days", 28), "due", 0, 730, errors)
    if due["type"] == "birth_plus_days" and kind not in ("birth_window", "pregnancy"):
        errors.setdefault("due", []).append(
            "출생일 기준 기한은 출생·영아 세대와 임산부 규칙에만 쓸 수 있습니다."
        )
    out["visits_per_year"] = _int(rule.get("visits_per_year", 1), "visits_per_year", 1, 52, errors)
    if errors:
        raise ValidationFailed("대상 규칙에 고칠 곳이 있습니다.", errors)
    return out


# ---------------------------------------------------------------------------------------------------
# Due dates


def due_date(rule: dict[str, Any], start: dt.date, end: dt.date, anchor: dt.date | None = None) -> dt.date:
    """The target's due date; a weekend or holiday moves to the previous business day."""
    due = rule.get("due", {"type": "period_end"})
    if due["type"] == "birth_plus_days" and anchor is not None:
        day = max(anchor, start) + dt.timedelta(days=due["days"])
    elif due["type"] == "start_plus_days":
        day = start + dt.timedelta(days=due["days"])
    else:
        day = end
    return add_days_to_business_day(day, 0)


# ---------------------------------------------------------------------------------------------------
# Candidates


def _fetch_all(rows: Any) -> list[Any]:
    """All rows in one client-side fetch. Not .iterator(): on PostgreSQL that is a server-side cursor,
    planned for the first rows (cursor_tuple_fraction) and fetched in round trips — 5–10 times slower
    than the query itself for a district's list (bench/target_bench.py). A list is a few ten thousand
    small tuples."""
    return list(rows)


def turning_age_ranges(
    ages: Iterable[int], start: dt.date, end: dt.date
) -> list[tuple[int, dt.date, dt.date]]:
    """(age, first birth date, last birth date) for people whose birthday of that age falls in
    [start, end]. For a year it is the whole birth year; 29 February counts in its birth year whatever
    the year of the period."""
    ranges = []
    for age in ages:
        first = months_before(start, 12 * age)
        last = months_before(end, 12 * age)
        # months_before maps 29 Feb back to 28 Feb; a period ending on 28 Feb of a non-leap year must
        # still take those born on 29 Feb (their birthday is observed then).
        if last.month == 2 and last.day == 28 and pycalendar.isleap(last.year):
            last = last.replace(day=29)
        ranges.append((age, first, last))
    return ranges


def pregnancy_candidates(
    rule: dict[str, Any],
    dong_ids: list[int],
    start: dt.date,
    end: dt.date,
    resident_ids: Iterable[int] | None = None,
    household_ids: Iterable[int] | None = None,
) -> Iterator[Candidate]:
    """The registered pregnancies a pregnancy rule selects in the given 동 for the period, one per mother
    (her latest). The other rule types are one SQL SELECT each (outreach/rule_sql.py); this one stays in
    Python because each due date follows its own delivery date, with no bound to join a table of dates
    on."""
    from chatdong.outreach.models import PregnancyRegistration

    before = dt.timedelta(weeks=40 - rule["from_week"])
    after = dt.timedelta(weeks=rule["weeks_after_birth"])
    # The registration is in the program from (EDD − (40 − from_week) weeks) to (birth or EDD) + after.
    queryset = PregnancyRegistration.objects.filter(
        Q(delivered_on__isnull=True, expected_delivery_on__gte=start - after)
        | Q(delivered_on__gte=start - after),
        expected_delivery_on__lte=end + before,
        resident__dong_id__in=dong_ids,
        resident__status="resident",
    )
    # Driven by the (small, indexed) registrations joined to residents by key, never by a scan of the
    # 동's residents.
    if resident_ids is not None:
        queryset = queryset.filter(resident_id__in=list(resident_ids))
    if household_ids is not None:
        queryset = queryset.filter(resident__household_id__in=list(household_ids))
    rows = queryset.values_list(
        "pk",
        "resident_id",
        "resident__household_id",
        "resident__dong_id",
        "resident__ban_id",
        "expected_delivery_on",
        "delivered_on",
    )
    visits = rule.get("visits_per_year", 1)
    best: dict[int, Candidate] = {}
    dues: dict[dt.date, dt.date] = {}
    for pk, resident_id, household_id, dong_id, ban_id, edd, delivered in rows.order_by(
        "expected_delivery_on"
    ):
        birth = delivered or edd
        reason = (
            f"출산 {delivered:%Y-%m-%d}" if delivered else f"출산 예정 {edd:%Y-%m-%d}"
        ) + f", 임신 {rule['from_week']}주~출산 후 {rule['weeks_after_birth']}주 등록 임산부"
        due = dues.get(birth)
        if due is None:
            due = dues[birth] = due_date(rule, start, end, birth)
        best[resident_id] = Candidate(resident_id, household_id, dong_id, ban_id, reason, due, visits, pk)
    yield from best.values()
