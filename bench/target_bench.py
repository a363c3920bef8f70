"""Target extraction at district size: a year's list for every program of 성북구 (reasons and due dates
included), against the bare indexed SQL query that selects the same people, timed in the same run.

    ./dev bench target_bench [--residents 425000] [--year 2026] [--runs 3]
        [--database-url postgres://postgres@127.0.0.1:5432/chatdong_bench_target]

Prepares the database once (성북구, a generated extract of N residents, imported, plus registered
pregnancies) and reuses it. For every program with a rule it times, taking the median of --runs:
- bare:    the SQL the rule amounts to (date ranges on the indexed birth date, flags), all rows fetched;
- create:  targets_extract on an empty period (builds the list: query, reasons, due dates, inserts);
- refresh: targets_extract again (the stable case: every target compared, nothing written).
Goal (issue 3): extraction ≤ 3× the bare query.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from _setup import BENCH_DIR, django_setup


def median_ms(fn: Callable[[], Any], runs: int, before: Callable[[], Any] | None = None) -> tuple[float, Any]:
    timings, result = [], None
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        result = fn()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=425_000)
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = django_setup(args.database_url, f"target_{args.residents}")

    from django.core.management import call_command
    from django.db import connection, transaction

    # Every app: the import's follow-up (outreach.services.targets_follow_registry) reads visits, and
    # the extraction writes the access log.
    call_command("migrate", verbosity=0)

    from chatdong.accounts.models import Dong
    from chatdong.accounts.services import district_setup
    from chatdong.demo.generator import generate_district
    from chatdong.outreach import rules
    from chatdong.outreach.demo import _pregnancies
    from chatdong.outreach.models import PregnancyRegistration, Target, TargetChange, TargetRun
    from chatdong.outreach.services import programs_install_defaults, targets_extract
    from chatdong.registry.models import Resident
    from chatdong.registry.services import residents_import

    district = district_setup(preset="seongbuk")
    if Resident.objects.count() < args.residents * 0.9:
        extract = BENCH_DIR / f"extract_{args.residents}_{args.seed}.csv"
        if not extract.exists():
            generate_district(residents=args.residents, seed=args.seed, out=extract)
        started = time.perf_counter()
        batch = residents_import(path=extract, actor=None)
        print(f"prepared: imported {batch.summary.get('rows')} rows in {time.perf_counter() - started:.1f} s")
    dong_ids = list(Dong.objects.filter(district=district).values_list("pk", flat=True))
    if not PregnancyRegistration.objects.exists():
        with transaction.atomic():
            made = _pregnancies(dong_ids, dt.date(args.year, 6, 30), random.Random(args.seed))
        print(f"prepared: {made:,} registered pregnancies")
    programs = programs_install_defaults(district)

    start = dt.date(args.year, 1, 1)
    end = dt.date(args.year, 12, 31)
    marks = ",".join("%s" for _ in dong_ids)
    table = Resident._meta.db_table
    base = f"SELECT id, birth_date, dong_id, ban_id, household_id FROM {table} WHERE dong_id IN ({marks}) AND status = %s"

    def bare_sql(rule: dict[str, Any]) -> tuple[str, list[Any]]:
        params: list[Any] = [*dong_ids, "resident"]
        kind = rule["type"]
        if kind == "turning_age":
            ranges = rules.turning_age_ranges(rule["ages"], start, end)
            sql = base + " AND (" + " OR ".join("birth_date BETWEEN %s AND %s" for _ in ranges) + ")"
            for _, first, last in ranges:
                params += [first, last]
            return sql, params
        if kind == "birth_window":
            low, high = rule["months"]
            first = rules.months_before(start, high + 1) + dt.timedelta(days=1)
            return base + " AND birth_date BETWEEN %s AND %s", [*params, first, rules.months_before(end, low)]
        if kind == "welfare_flag":
            return base + " AND (" + " OR ".join(f"{flag}" for flag in rule["flags"]) + ")", params
        if kind == "pregnancy":
            before = dt.timedelta(weeks=40 - rule["from_week"])
            after = dt.timedelta(weeks=rule["weeks_after_birth"])
            sql = (
                f"SELECT p.id, p.resident_id, p.expected_delivery_on, p.delivered_on, r.dong_id, r.ban_id "
                f"FROM {PregnancyRegistration._meta.db_table} p JOIN {table} r ON r.id = p.resident_id "
                f"WHERE r.dong_id IN ({marks}) AND r.status = %s AND p.expected_delivery_on <= %s "
                f"AND ((p.delivered_on IS NULL AND p.expected_delivery_on >= %s) OR p.delivered_on >= %s) "
                f"ORDER BY p.expected_delivery_on"  # as the extraction; lets the planner start from the index
            )
            return sql, [*dong_ids, "resident", end + before, start - after, start - after]
        raise ValueError(kind)

    def run_bare(sql: str, params: list[Any]) -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("%s", "?") if connection.vendor == "sqlite" else sql, params)
            return len(cursor.fetchall())

    def clear(program_id: int) -> None:
        with transaction.atomic():
            TargetChange.objects.filter(target__program_id=program_id, target__period_start=start).delete()
            Target.objects.filter(program_id=program_id, period_start=start).delete()
            TargetRun.objects.filter(program_id=program_id, period_start=start).delete()
        if connection.vendor == "postgresql":
            # A year's list is made once, into a table that holds the other lists. Deleting and making it
            # again run after run (this bench, and every earlier run on the same database) leaves dead
            # rows and ever more half-empty index pages: after a few hundred runs the targets' indexes
            # were 30–50 MB for 42,000 rows, and inserting into them cost a third more. Each timed run
            # starts from the state of a database that never had that: the table vacuumed and its
            # indexes rebuilt (REINDEX: what the table's indexes would be had the rows been inserted once).
            with connection.cursor() as cursor:
                cursor.execute("VACUUM outreach_target")
                cursor.execute("REINDEX TABLE outreach_target")

    print(
        f"database: {connection.vendor} ({url.split('@')[-1]}), residents: {Resident.objects.count():,}, year {args.year}"
    )
    print(
        f"{'program':<36} {'rows':>7} {'targets':>7} {'bare ms':>8} {'create ms':>9} {'× bare':>6} {'refresh ms':>10} {'× bare':>6}"
    )
    totals = {"bare": 0.0, "create": 0.0, "refresh": 0.0}
    for program in programs:
        rule = rules.rule_validate(program.rule)
        if rule["type"] == "list":
            print(f"{program.name:<36} (명단 사업: 규칙 추출 없음)")
            continue
        sql, params = bare_sql(rule)
        bare_ms, rows = median_ms(functools.partial(run_bare, sql, params), args.runs)
        extract_list = functools.partial(targets_extract, actor=None, program=program, period_start=start)
        create_ms, run = median_ms(extract_list, args.runs, before=functools.partial(clear, program.pk))
        refresh_ms, again = median_ms(extract_list, args.runs)
        assert again.counts["added"] == 0 and again.counts["cancelled"] == 0, again.counts
        totals["bare"] += bare_ms
        totals["create"] += create_ms
        totals["refresh"] += refresh_ms
        print(
            f"{program.name:<36} {rows:>7,} {run.counts['selected']:>7,} {bare_ms:>8.1f} {create_ms:>9.1f} "
            f"{create_ms / bare_ms:>6.2f} {refresh_ms:>10.1f} {refresh_ms / bare_ms:>6.2f}"
        )
    print(
        f"{'all programs':<36} {'':>7} {'':>7} {totals['bare']:>8.1f} {totals['create']:>9.1f} "
        f"{totals['create'] / totals['bare']:>6.2f} {totals['refresh']:>10.1f} {totals['refresh'] / totals['bare']:>6.2f}"
    )
    print("goal: extraction ≤ 3× the bare indexed query")


if __name__ == "__main__":
    main()
