"""Program rules as SQL: every rule type but pregnancy is one SELECT of its candidates, with their
reasons and due dates, worked out by the database.

A district's turning-age, birth-window and welfare-flag lists are tens of thousands of targets:
- a new list is one INSERT … SELECT (`list_insert`): no row goes through Python;
- a list made before is compared with its candidates in the database (`list_diff`): only the rows that
  differ come back (new people, changed reasons or due dates, targets to restore or cancel), so
  re-extracting an unchanged list reads nothing into Python;
- following the registry after an import reads the candidates among a few people (`rule_select` narrowed,
  `candidates`) and compares them in Python (services).
bench/target_bench.py measures extraction against the bare query that selects the same people.

Every candidate SELECT has the columns of `COLUMNS`, in that order.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from django.db import connection
from django.utils import timezone

from chatdong.accounts.models import Dong
from chatdong.outreach import rules
from chatdong.outreach.models import Program, Target
from chatdong.registry.models import Resident

COLUMNS = ("resident_id", "household_id", "dong_id", "ban_id", "reason", "due_on", "visits_planned")

# The columns a new target is inserted with (services._insert_targets writes the same ones by COPY).
INSERT_COLUMNS = (
    "created_at",
    "updated_at",
    "program_id",
    "period_start",
    "period_end",
    "dong_id",
    "ban_id",
    "resident_id",
    "household_id",
    "reason",
    "source",
    "status",
    "status_note",
    "consent",
    "due_on",
    "visits_planned",
    "pregnancy_id",
)


class Select(NamedTuple):
    sql: str
    params: list[Any]
    key: str  # resident_id (a person list) or household_id (a household list)


class Diff(NamedTuple):
    """What re-extracting a list changes: `selected` candidates in all; `new` candidates with no target;
    `changed` (target id, status, source, candidate) whose target differs or is a cancelled rule target
    to restore; `stale` ids of open rule targets the rule no longer selects."""

    selected: int
    new: list[rules.Candidate]
    changed: list[tuple[int, str, str, rules.Candidate]]
    stale: list[int]


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _date(value: dt.date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _date_param() -> str:
    # A date parameter outside an INSERT has no column to take its type from; PostgreSQL is told.
    # SQLite keeps dates as ISO text (CAST … AS DATE would make them numbers there).
    return "CAST(%s AS DATE)" if connection.vendor == "postgresql" else "%s"


def district_dong_ids(district_id: int) -> list[int]:
    return list(Dong.objects.filter(district_id=district_id).values_list("pk", flat=True))


def rule_select(
    rule: dict[str, Any],
    dong_ids: list[int],
    start: dt.date,
    end: dt.date,
    *,
    resident_ids: Iterable[int] | None = None,
    household_ids: Iterable[int] | None = None,
) -> Select | None:
    """The rule's candidates in the given 동 for the period as one SELECT (columns COLUMNS), or None for
    a rule written in Python (pregnancy: rules.pregnancy_candidates). `resident_ids` / `household_ids`
    narrow it to those people or households (following the registry after an import)."""
    make = _SELECTS.get(rule["type"])
    return None if make is None else make(rule, dong_ids, start, end, _Narrow.of(resident_ids, household_ids))


def candidate_select(program: Program, rule: dict[str, Any], start: dt.date, end: dt.date) -> Select | None:
    """The program's whole list for the period as one SELECT keyed as the list is (a person program by
    resident, a household program by household), or None: a pregnancy rule, or a person rule on a
    household program (its candidates are grouped per household in Python: services._program_candidates)."""
    household_rule = rule["type"] in rules.HOUSEHOLD_RULES
    if rule["type"] not in _SELECTS or household_rule != (program.unit == Program.Unit.HOUSEHOLD):
        return None
    return rule_select(rule, district_dong_ids(program.district_id), start, end)


def candidates(select: Select) -> list[rules.Candidate]:
    """The rows of a candidate SELECT, in key order."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({select.sql}) c ORDER BY c.{select.key}", select.params)
        rows = cursor.fetchall()
    dates: dict[Any, dt.date] = {}
    found = []
    for resident_id, household_id, dong_id, ban_id, reason, due_on, visits in rows:
        if isinstance(due_on, str):  # SQLite keeps dates as text
            due_on = dates.get(due_on) or dates.setdefault(due_on, dt.date.fromisoformat(due_on))
        found.append(rules.Candidate(resident_id, household_id, dong_id, ban_id, reason, due_on, visits))
    return found


class _Narrow(NamedTuple):
    sql: str  # " AND …" on the residents r, or ""
    params: list[Any]

    @classmethod
    def of(cls, resident_ids: Iterable[int] | None, household_ids: Iterable[int] | None) -> _Narrow:
        sql, params = "", []
        for column, ids in (("id", resident_ids), ("household_id", household_ids)):
            if ids is not None:
                listed = list(ids)
                sql += f" AND r.{column} IN ({', '.join(['%s'] * len(listed))})" if listed else " AND 1 = 0"
                params += listed
        return cls(sql, params)


_NO_RESIDENT = "CAST(NULL AS BIGINT)"


def _named(*expressions: str) -> str:
    """A candidate SELECT's list: the expressions named as COLUMNS (a subquery's columns are named by
    its first SELECT on both databases)."""
    return ", ".join(f"{e} AS {name}" for e, name in zip(expressions, COLUMNS, strict=True))


def _in_dongs(dong_ids: list[int]) -> str:
    # An empty district selects nobody (IN () is not SQL).
    return f"r.dong_id IN ({', '.join(['%s'] * len(dong_ids))})" if dong_ids else "1 = 0"


def _turning_age(
    rule: dict[str, Any], dong_ids: list[int], start: dt.date, end: dt.date, narrow: _Narrow
) -> Select:
    """One branch per age: everyone a branch selects shares the birth year, so its reason and due date
    are constants."""
    due = rules.due_date(rule, start, end)
    visits = rule.get("visits_per_year", 1)
    labels = rule.get("labels", {})
    residents = _q(Resident._meta.db_table)
    branches, params = [], []
    for age, first, last in rules.turning_age_ranges(rule["ages"], start, end):
        label = labels.get(str(age))
        reason = f"{first.year}년생, {start.year}년 만 {age}세 도래" + (f"({label})" if label else "")
        branches.append(
            f"SELECT {_named('r.id', 'r.household_id', 'r.dong_id', 'r.ban_id', 'CAST(%s AS VARCHAR(200))', _date_param(), 'CAST(%s AS INTEGER)')} "
            f"FROM {residents} r WHERE {_in_dongs(dong_ids)} AND r.status = %s "
            f"AND r.birth_date BETWEEN %s AND %s{narrow.sql}"
        )
        params += [
            reason[:200], _date(due), visits, *dong_ids, Resident.Status.RESIDENT.value, _date(first), _date(last),
            *narrow.params,
        ]  # fmt: skip
    return Select(" UNION ALL ".join(branches), params, "resident_id")


def _birth_window(
    rule: dict[str, Any], dong_ids: list[int], start: dt.date, end: dt.date, narrow: _Narrow
) -> Select:
    """Households with a child born in the window, grouped by the database: the youngest child's birth
    date and the number of children born in the window make the reason. The
    due date depends on the birth date and the holidays, so it is worked out here for every day of the
    window and joined as a VALUES list (column1 = birth date, column2 = due date)."""
    low, high = rule["months"]
    first = rules.months_before(start, high + 1) + dt.timedelta(days=1)
    last = rules.months_before(end, low)
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    visits = rule.get("visits_per_year", 1)
    dues = [value for day in days for value in (_date(day), _date(rules.due_date(rule, start, end, day)))]
    # The birth date as ISO text on both databases (PostgreSQL's CAST follows the DateStyle setting).
    birth = "to_char(g.birth, 'YYYY-MM-DD')" if connection.vendor == "postgresql" else "g.birth"
    more = "CASE WHEN g.n > 1 THEN %s || CAST(g.n - 1 AS VARCHAR(10)) || %s ELSE '' END"
    reason = f"CAST({birth} || %s || {more} || %s AS VARCHAR(200))"
    sql = (
        f"SELECT {_named(_NO_RESIDENT, 'g.household_id', 'g.dong_id', 'g.ban_id', reason, 'd.column2', 'CAST(%s AS INTEGER)')} FROM ("
        f"SELECT r.household_id, MAX(r.birth_date) AS birth, COUNT(*) AS n, MIN(r.dong_id) AS dong_id, "
        f"MIN(r.ban_id) AS ban_id FROM {_q(Resident._meta.db_table)} r "
        f"WHERE {_in_dongs(dong_ids)} AND r.status = %s AND r.birth_date BETWEEN %s AND %s "
        f"AND r.household_id IS NOT NULL{narrow.sql} GROUP BY r.household_id) g "
        f"JOIN (VALUES {', '.join(['(%s, %s)'] * len(days))}) d ON d.column1 = g.birth"
    )
    params = [
        " 출생 아동", " 외 ", "명", f"(생후 {low}~{high}개월) 세대", visits,
        *dong_ids, Resident.Status.RESIDENT.value, _date(first), _date(last), *narrow.params, *dues,
    ]  # fmt: skip
    return Select(sql, params, "household_id")


def _welfare_flag(
    rule: dict[str, Any], dong_ids: list[int], start: dt.date, end: dt.date, narrow: _Narrow
) -> Select:
    """Households with a flagged member, grouped by the database: the reason depends only on which flags
    the household's members carry, so it is a CASE over the flag combinations."""
    flags: list[str] = rule["flags"]
    visits = rule.get("visits_per_year", 1)
    when, reasons = [], []
    for size in range(len(flags), 0, -1):
        for combo in itertools.combinations(range(len(flags)), size):
            cond = " AND ".join(f"g.m{i} = {1 if i in combo else 0}" for i in range(len(flags)))
            when.append(f"WHEN {cond} THEN %s")
            labels = "·".join(rules.WELFARE_FLAGS[flags[i]] for i in combo)
            reasons.append(f"{labels} 세대, {start.year}년 연간 방문 {visits}회"[:200])
    flag_max = ", ".join(f"MAX(CASE WHEN r.{flag} THEN 1 ELSE 0 END) AS m{i}" for i, flag in enumerate(flags))
    any_flag = " OR ".join(f"r.{flag}" for flag in flags)
    reason = f"CAST(CASE {' '.join(when)} END AS VARCHAR(200))"
    sql = (
        f"SELECT {_named(_NO_RESIDENT, 'g.household_id', 'g.dong_id', 'g.ban_id', reason, _date_param(), 'CAST(%s AS INTEGER)')} FROM ("
        f"SELECT r.household_id, MIN(r.dong_id) AS dong_id, MIN(r.ban_id) AS ban_id, {flag_max} "
        f"FROM {_q(Resident._meta.db_table)} r WHERE {_in_dongs(dong_ids)} AND r.status = %s "
        f"AND ({any_flag}){narrow.sql} GROUP BY r.household_id) g"
    )
    params = [
        *reasons, _date(rules.due_date(rule, start, end)), visits, *dong_ids, Resident.Status.RESIDENT.value,
        *narrow.params,
    ]  # fmt: skip
    return Select(sql, params, "household_id")


# The rule types written as SQL, and how (rules.HOUSEHOLD_RULES tells which select households).
_SELECTS: dict[str, Callable[[dict[str, Any], list[int], dt.date, dt.date, _Narrow], Select]] = {
    "turning_age": _turning_age,
    "birth_window": _birth_window,
    "welfare_flag": _welfare_flag,
}


def list_insert(program: Program, start: dt.date, end: dt.date, select: Select) -> int:
    """A new list (the period has no target of the program yet, so no conflict is possible) in one
    INSERT … SELECT, in key order (the list's rows then sit together in the table)."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    # Not WITH … INSERT: Python's sqlite3 reports no row count for a statement that does not begin
    # with INSERT.
    sql = (
        f"INSERT INTO {_q(Target._meta.db_table)} ({', '.join(_q(c) for c in INSERT_COLUMNS)}) "
        f"SELECT %s, %s, %s, %s, %s, c.dong_id, c.ban_id, c.resident_id, c.household_id, c.reason, "
        f"%s, %s, '', %s, c.due_on, c.visits_planned, NULL FROM ({select.sql}) c ORDER BY c.{select.key}"
    )
    params = [
        now, now, program.pk, _date(start), _date(end),
        Target.Source.RULE.value, Target.Status.OPEN.value, Target.Consent.UNKNOWN.value, *select.params,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def list_diff(program: Program, start: dt.date, select: Select) -> Diff:
    """Compare the program's list for the period with the rule's candidates, in one statement: the
    candidates are worked out once (a CTE used twice is materialised by both databases), joined to the
    list by key, and only the rows that differ come back, tagged: "n" (the number of candidates), "new",
    "changed" (fields differ, or a cancelled rule target to restore; a done target is never touched) and
    "stale" (an open rule target the rule no longer selects). As services._compare_in_python does.

    On PostgreSQL one FULL JOIN, which it runs only as a hash or merge join: a NOT EXISTS against the
    candidates was planned as a nested loop (50 million comparisons, 4 s) whenever the statistics had
    not yet seen the list just made. SQLite (FULL JOIN only since 3.39) takes a LEFT JOIN for the new and
    changed, and NOT EXISTS for the stale, which it answers through an automatic index."""
    key = select.key
    household_only = " AND resident_id IS NULL" if key == "household_id" else ""
    the_list = (
        f"(SELECT id, status, source, reason, dong_id, ban_id, due_on, visits_planned, pregnancy_id, {key} AS k "
        f"FROM {_q(Target._meta.db_table)} WHERE program_id = %s AND period_start = %s{household_only}) t"
    )
    list_params = [program.pk, _date(start)]
    # Null-safe inequality: SQLite's IS NOT (IS DISTINCT FROM only since SQLite 3.39).
    postgres = connection.vendor == "postgresql"
    differs = "IS DISTINCT FROM" if postgres else "IS NOT"
    cancelled, done, open_ = Target.Status.CANCELLED.value, Target.Status.DONE.value, Target.Status.OPEN.value
    rule_source = Target.Source.RULE.value
    changed_sql = (
        f"t.status <> %s AND ((t.status = %s AND t.source = %s) OR t.reason <> c.reason OR t.dong_id <> c.dong_id "
        f"OR t.ban_id {differs} c.ban_id OR t.due_on {differs} c.due_on OR t.visits_planned <> c.visits_planned "
        f"OR t.pregnancy_id IS NOT NULL)"
    )
    changed_params = [done, cancelled, rule_source]
    stale_sql = "t.status = %s AND t.source = %s"
    stale_params = [open_, rule_source]
    rest = ", ".join(f"c.{c}" for c in COLUMNS)
    nulls = ", ".join(["NULL"] * len(COLUMNS))
    head = f"WITH c ({', '.join(COLUMNS)}) AS ({select.sql}) SELECT 'n', COUNT(*), NULL, NULL, {nulls} FROM c UNION ALL "
    if postgres:
        sql = head + (
            f"SELECT CASE WHEN t.id IS NULL THEN 'new' WHEN c.{key} IS NULL THEN 'stale' ELSE 'changed' END, "
            f"t.id, t.status, t.source, {rest} FROM c FULL JOIN {the_list} ON t.k = c.{key} "
            f"WHERE t.id IS NULL OR (c.{key} IS NULL AND {stale_sql}) OR (c.{key} IS NOT NULL AND {changed_sql})"
        )
        params = [*select.params, *list_params, *stale_params, *changed_params]
    else:
        # SQLite joins by nested loops: each candidate looks its target up through the whole key of
        # target_unique_subject (program, period, subject), the subject written as the index has it
        # (which also keeps a household list to household targets: a resident's subject is positive).
        # The unary + takes the CTE column's affinity off, without which SQLite does not use the index
        # for the comparison.
        subject = "+c.resident_id" if key == "resident_id" else "(c.household_id * -1)"
        sql = head + (
            f"SELECT CASE WHEN t.id IS NULL THEN 'new' ELSE 'changed' END, t.id, t.status, t.source, {rest} "
            f"FROM c LEFT JOIN {_q(Target._meta.db_table)} t ON t.program_id = %s AND t.period_start = %s "
            f"AND COALESCE(t.resident_id, (t.household_id * -1)) = {subject} WHERE t.id IS NULL OR ({changed_sql}) "
            f"UNION ALL SELECT 'stale', t.id, t.status, t.source, {nulls} FROM {the_list} "
            f"WHERE {stale_sql} AND NOT EXISTS (SELECT 1 FROM c WHERE c.{key} = t.k)"
        )
        params = [*select.params, *list_params, *changed_params, *list_params, *stale_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    selected, new, changed, stale = 0, [], [], []
    person = key == "resident_id"
    for tag, pk, status, source, resident_id, household_id, dong_id, ban_id, reason, due_on, visits in rows:
        if tag == "n":
            selected = pk
            continue
        if tag == "stale":
            stale.append(pk)
            continue
        if isinstance(due_on, str):  # SQLite
            due_on = dt.date.fromisoformat(due_on)
        candidate = rules.Candidate(
            resident_id if person else None, household_id, dong_id, ban_id, reason, due_on, visits
        )
        if tag == "new":
            new.append(candidate)
        else:
            changed.append((pk, status, source, candidate))
    return Diff(selected, new, changed, stale)
