"""Coverage dashboard (방문 현황) with a year of visits: p50/p95/max of the dashboard's queries, through
the real selectors (scoping included).

    ./dev bench coverage_bench [--visits 150000] [--runs 40]
        [--database-url postgres://postgres@127.0.0.1:5432/chatdong_bench_coverage]

Prepares the database once and reuses it: 성북구's 20 동, six programs, about 48,000 targets of the year
(어르신 65·70세 for planners and nurses, births, pregnancies by month, 기초생활수급·차상위 households,
children) with their residents and households, ~150,000 visits (attempts, repeat visits of the annual
plans, the sustained infant schedule) and a few thousand referrals. The registry holds only the people
on the lists (~50,000 residents), not all 425,000: the dashboard's queries read targets, visits and
referrals and never scan the registry (drill-down pages join residents by primary key), so the other
375,000 rows would change nothing but the preparation time.

Goal (issue 3): p95 ≤ 150 ms for the dashboard.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

from _setup import django_setup, percentile

# (code, name, kind, unit, period, targets in the year, visits per target (min, max), before scaling
# to --visits)
PROGRAMS = [
    ("elder-planner", "어르신 복지플래너", "elder_planner", "person", "year", 12_000, (1, 2)),
    ("elder-nurse", "어르신 방문간호", "elder_nurse", "person", "year", 12_000, (1, 3)),
    ("child", "우리아이 복지플래너", "child", "person", "year", 2_500, (1, 2)),
    ("infant-health", "영유아 건강간호", "infant_health", "person", "month", 2_500, (2, 14)),
    ("poverty", "빈곤위기가정 복지플래너", "poverty", "household", "year", 15_000, (2, 6)),
    ("youth", "아동청소년 복지플래너", "youth", "person", "year", 3_000, (1, 3)),
]
ROLE_OF_KIND = {
    "elder_planner": "planner_elder",
    "elder_nurse": "visiting_nurse",
    "child": "planner_child",
    "infant_health": "infant_nurse",
    "poverty": "planner_poverty",
    "youth": "planner_youth",
}


def prepare(*, year: int, visits_goal: int, seed: int) -> None:
    from django.db import transaction

    from chatdong.accounts.models import Dong, Role, Scope, User
    from chatdong.accounts.services import district_setup
    from chatdong.outreach.models import Program, Target
    from chatdong.referrals.models import Referral
    from chatdong.registry.models import Household, Resident
    from chatdong.visits.models import Visit
    from chatdong.visits.services import targets_visit_facts_refresh

    rng = random.Random(seed)
    district = district_setup(preset="seongbuk")
    dongs = list(Dong.objects.filter(district=district).order_by("code"))
    weights = [rng.uniform(0.6, 1.6) for _ in dongs]
    started = time.perf_counter()
    with transaction.atomic():
        programs = {}
        for code, name, kind, unit, period, _, _ in PROGRAMS:
            programs[code], _ = Program.objects.get_or_create(
                district=district,
                code=code,
                defaults={
                    "name": name,
                    "kind": kind,
                    "unit": unit,
                    "period": period,
                    "visit_roles": [ROLE_OF_KIND[kind]],
                },
            )
        staff: dict[tuple[int | None, str], list[User]] = {}
        users = []
        for dong in dongs:
            for role in ROLE_OF_KIND.values():
                for n in range(2):
                    users.append(
                        User(
                            username=f"bench-{dong.code}-{role}-{n}",
                            full_name=f"{dong.name} {role} {n}",
                            role=role,
                            scope=Scope.DONG,
                            dong=dong,
                            password="!",
                        )
                    )
        User.objects.bulk_create(users, batch_size=1000)
        for user in User.objects.filter(username__startswith="bench-11"):
            staff.setdefault((user.dong_id, user.role), []).append(user)

        total_persons = sum(p[5] for p in PROGRAMS if p[3] == "person")
        total_households = sum(p[5] for p in PROGRAMS if p[3] == "household") + total_persons // 2
        households = [
            Household(
                household_no=f"B{i:08d}",
                dong=rng.choices(dongs, weights)[0],
                road_name="벤치로",
                building_main=i % 400 + 1,
                member_count=2,
            )
            for i in range(total_households)
        ]
        Household.objects.bulk_create(households, batch_size=5000)
        households = list(Household.objects.filter(household_no__startswith="B").order_by("id"))
        person_households = households[: total_persons // 2]
        residents = []
        for i in range(total_persons):
            home = person_households[i // 2]
            residents.append(
                Resident(
                    name=f"벤치{i}",
                    rrn_encrypted=b"-",
                    rrn_index=f"bench{i:09d}",
                    birth_date=dt.date(1956 + i % 60, 1 + i % 12, 1 + i % 28),
                    sex="MF"[i % 2],
                    household=home,
                    relation="본인" if i % 2 == 0 else "배우자",
                    dong_id=home.dong_id,
                    road_name="벤치로",
                    building_main=home.building_main,
                )
            )
        Resident.objects.bulk_create(residents, batch_size=5000)
        residents = list(Resident.objects.filter(rrn_index__startswith="bench").order_by("id"))
        poverty_households = households[total_persons // 2 :]

        targets: list[Target] = []
        plan: list[tuple[int, int]] = []  # (min, max) visits of each target, in order
        person_iter = iter(residents)
        household_iter = iter(poverty_households)
        for code, _, kind, unit, period, count, visits in PROGRAMS:
            program = programs[code]
            for i in range(count):
                resident: Resident | None = None
                household: Household | None = None
                if unit == "person":
                    resident = next(person_iter)
                    dong_id = resident.dong_id
                else:
                    household = next(household_iter)
                    dong_id = household.dong_id
                if period == "month":
                    month = 1 + i % 12
                    start = dt.date(year, month, 1)
                    end = (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)
                else:
                    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
                roll = rng.random()
                consent = (
                    "given"
                    if roll < 0.8
                    else "refused"
                    if roll < 0.87
                    else "withdrawn"
                    if roll < 0.9
                    else "unknown"
                )
                status = "cancelled" if rng.random() < 0.03 else "open"
                assignee = rng.choice(staff[(dong_id, ROLE_OF_KIND[kind])]) if rng.random() < 0.9 else None
                targets.append(
                    Target(
                        program=program,
                        period_start=start,
                        period_end=end,
                        dong_id=dong_id,
                        resident=resident,
                        household=household,
                        reason="벤치 대상",
                        status=status,
                        consent=consent,
                        assignee=assignee,
                        due_on=start + dt.timedelta(days=rng.randint(30, 330)),
                    )
                )
                plan.append(visits)
        Target.objects.bulk_create(targets, batch_size=5000)
        targets = list(Target.objects.filter(reason="벤치 대상").order_by("id"))

        # Scale the visits per target so that the year has about visits_goal of them.
        expected = sum((lo + hi) / 2 for lo, hi in plan)
        scale = visits_goal / expected
        visit_rows: list[Visit] = []
        done: list[int] = []
        referrals: list[Referral] = []
        sender = next(iter(staff.values()))[0]
        for target, (lo, hi) in zip(targets, plan, strict=True):
            n = max(1, int(rng.randint(lo, hi) * scale + rng.random()))
            staff_id = target.assignee_id or sender.pk
            for attempt in range(1, n + 1):
                last = attempt == n
                day = target.period_start + dt.timedelta(days=min(360, attempt * rng.randint(5, 60)))
                if last and rng.random() < 0.3:
                    outcome = "planned"
                else:
                    outcome = rng.choices(["visited", "absent", "refused"], [0.8, 0.15, 0.05])[0]
                visit_rows.append(
                    Visit(
                        target_id=target.pk,
                        dong_id=target.dong_id,
                        resident_id=target.resident_id,
                        household_id=target.household_id,
                        staff_id=staff_id,
                        scheduled_on=day,
                        due_on=day + dt.timedelta(days=14),
                        visited_at=None
                        if outcome == "planned"
                        else dt.datetime(day.year, day.month, day.day, 10, tzinfo=dt.UTC),
                        outcome=outcome,
                        attempt=attempt,
                    )
                )
            # As visits.services does: a visit made with no next one planned closes the target.
            if outcome == "visited" and target.status == "open":
                done.append(target.pk)
            if rng.random() < 0.06:
                referrals.append(
                    Referral(
                        district=district,
                        dong_id=target.dong_id,
                        resident_id=target.resident_id,
                        household_id=target.household_id,
                        need_category="health",
                        summary="벤치 의뢰",
                        sender_id=staff_id,
                        to_kind="health",
                        source=rng.choice(["visit", "screening"]),
                        status=rng.choice(["sent", "accepted", "done", "declined"]),
                        due_on=target.period_start + dt.timedelta(days=20),
                    )
                )
        Visit.objects.bulk_create(visit_rows, batch_size=5000)
        # What recording each visit through visits.services would have set on its target.
        targets_visit_facts_refresh()
        for chunk in range(0, len(done), 5000):
            Target.objects.filter(pk__in=done[chunk : chunk + 5000]).update(status="done")
        Referral.objects.bulk_create(referrals, batch_size=5000)
        User.objects.get_or_create(
            username="bench-district",
            defaults={
                "full_name": "벤치 구",
                "role": Role.DISTRICT_STAFF,
                "scope": Scope.DISTRICT,
                "district": district,
            },
        )
        jongam = Dong.objects.get(name="종암동")
        User.objects.get_or_create(
            username="bench-dong-head",
            defaults={"full_name": "벤치 동장", "role": Role.DONG_HEAD, "scope": Scope.DONG, "dong": jongam},
        )
    print(
        f"prepared: {len(targets):,} targets, {len(visit_rows):,} visits, {len(referrals):,} referrals "
        f"in {time.perf_counter() - started:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=150_000)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--runs", type=int, default=40, help="timed calls per case")
    parser.add_argument("--database-url")
    parser.add_argument("--explain", action="store_true", help="print the query plan of the main query")
    args = parser.parse_args()
    url = django_setup(args.database_url, f"coverage_{args.visits}")

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    # Every app: the drill-down list writes the access log (audit), and the database is reused.
    call_command("migrate", verbosity=0)

    from chatdong.accounts.models import Dong, User
    from chatdong.outreach import coverage
    from chatdong.outreach.models import Target
    from chatdong.referrals.models import Referral
    from chatdong.visits.models import Visit

    if Visit.objects.count() < args.visits * 0.9:
        prepare(year=args.year, visits_goal=args.visits, seed=args.seed)
    if connection.vendor == "postgresql":
        # What autovacuum does after a bulk load: statistics, and the visibility map that lets the
        # dashboard read targets and visits by index-only scans.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE outreach_target")
            cursor.execute("VACUUM ANALYZE visits_visit")
            cursor.execute("VACUUM ANALYZE referrals_referral")
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    district_user = User.objects.get(username="bench-district")
    dong_user = User.objects.get(username="bench-dong-head")
    jongam = Dong.objects.get(name="종암동")
    on = dt.date(args.year, 9, 1)
    year_filters = coverage.coverage_filters(user=district_user, year=args.year)
    cases = [
        ("구 전체", "동×사업", district_user, year_filters, "dong_program"),
        ("구 전체", "직원별", district_user, year_filters, "staff"),
        (
            "구 전체 3월",
            "동×사업",
            district_user,
            coverage.coverage_filters(user=district_user, year=args.year, month=3),
            "dong_program",
        ),
        (
            "종암동(동장)",
            "동×사업",
            dong_user,
            coverage.coverage_filters(user=dong_user, year=args.year),
            "dong_program",
        ),
        (
            "종암동(동장)",
            "직원별",
            dong_user,
            coverage.coverage_filters(user=dong_user, year=args.year, dong_id=jongam.pk),
            "staff",
        ),
    ]
    print(
        f"database: {connection.vendor} ({url.split('@')[-1]}); targets {Target.objects.count():,}, "
        f"visits {Visit.objects.count():,}, referrals {Referral.objects.count():,}"
    )
    if args.explain:
        targets = coverage._filtered(
            Target.objects.filter(dong__district=district_user.district), year_filters
        )
        print(coverage._annotate(targets, on).values("dong_id").annotate(n=Count("pk")).explain())
    # cpu = CPU time of this process: on SQLite (in process) the query's own cost, whatever else the
    # machine is doing; on PostgreSQL only the client's share. Wall time (p50/p95/max) is what a user waits.
    print(
        f"{'user':<14} {'view':<8} {'runs':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
        f"{'cpu p50':>8} {'cpu p95':>8} {'targets':>8}"
    )
    for label, view, user, filters, by in cases:
        timings, cpu = [], []
        result = None
        for _ in range(args.runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            result = coverage.coverage_figures(user=user, filters=filters, by=by, on=on)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        assert result is not None
        print(
            f"{label:<14} {view:<8} {len(timings):>4} {percentile(timings, 50):>8.1f} "
            f"{percentile(timings, 95):>8.1f} {max(timings):>8.1f} {percentile(cpu, 50):>8.1f} "
            f"{percentile(cpu, 95):>8.1f} {result.totals.targets:>8,}"
        )
    # Reference: the bare grouped count of the same targets (no figures), the least any dashboard over
    # them can cost on this machine at this moment: read the rows above against it on a busy machine.
    timings, cpu = [], []
    bare = coverage._filtered(Target.objects.filter(dong__district=district_user.district), year_filters)
    for _ in range(args.runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        list(bare.values("program_id", "dong_id").annotate(n=Count("pk")).order_by())
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    print(
        f"{'(기준) 구 전체':<14} {'대상 수만':<8} {len(timings):>4} {percentile(timings, 50):>8.1f} "
        f"{percentile(timings, 95):>8.1f} {max(timings):>8.1f} {percentile(cpu, 50):>8.1f} "
        f"{percentile(cpu, 95):>8.1f} {bare.count():>8,}"
    )
    # The list behind one figure (first page, with its count and the access-log write).
    timings, cpu = [], []
    filters = coverage.coverage_filters(user=dong_user, year=args.year, dong_id=jongam.pk)
    for _ in range(args.runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        listing = coverage.coverage_target_list(
            user=dong_user, request=None, filters=filters, figure="pending", on=on
        )
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    print(
        f"{'종암동(동장)':<14} {'명단':<8} {len(timings):>4} {percentile(timings, 50):>8.1f} "
        f"{percentile(timings, 95):>8.1f} {max(timings):>8.1f} {percentile(cpu, 50):>8.1f} "
        f"{percentile(cpu, 95):>8.1f} {listing.total:>8,}"
    )


if __name__ == "__main__":
    main()
