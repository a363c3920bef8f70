"""Resident search at district size: p50/p95/max per kind of search, through the real selector
(scoping and the access-log write included).

    ./dev bench search_bench [--residents 425000] [--database-url postgres://postgres@127.0.0.1:5432/chatdong_bench]

Prepares the database once (성북구, a generated extract of N residents, imported) and reuses it.
Goal (issue 2): p95 ≤ 50 ms for each kind of search.
"""

from __future__ import annotations

import argparse
import random
import time

from _setup import BENCH_DIR, django_setup, percentile


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=425_000)
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--queries", type=int, default=200, help="queries per kind")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = django_setup(args.database_url, f"search_{args.residents}")

    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)

    from chatdong.accounts.models import Dong, Role, Scope, User
    from chatdong.accounts.services import district_setup
    from chatdong.core.rrn import decrypt_rrn
    from chatdong.demo.generator import generate_district
    from chatdong.registry.models import Resident
    from chatdong.registry.selectors import resident_search
    from chatdong.registry.services import residents_import

    district = district_setup(preset="seongbuk")
    if Resident.objects.count() < args.residents * 0.9:
        extract = BENCH_DIR / f"extract_{args.residents}_{args.seed}.csv"
        if not extract.exists():
            generate_district(residents=args.residents, seed=args.seed, out=extract)
        started = time.perf_counter()
        batch = residents_import(path=extract, actor=None)
        print(f"prepared: imported {batch.summary} in {time.perf_counter() - started:.1f} s")

    district_user, _ = User.objects.get_or_create(
        username="bench-district",
        defaults={
            "full_name": "벤치",
            "role": Role.DISTRICT_STAFF,
            "scope": Scope.DISTRICT,
            "district": district,
        },
    )
    biggest = Dong.objects.get(name="종암동")
    dong_user, _ = User.objects.get_or_create(
        username="bench-dong",
        defaults={"full_name": "벤치동", "role": Role.PLANNER_ELDER, "scope": Scope.DONG, "dong": biggest},
    )

    rng = random.Random(7)
    total = Resident.objects.count()
    ids = sorted(rng.sample(range(1, total + 1), args.queries))
    sample = list(Resident.objects.filter(pk__in=ids))
    rng.shuffle(sample)
    queries = {
        "name": [r.name[:2] for r in sample],
        "phone": [r.phone for r in sample if r.phone],
        "phone_last4": [r.phone_last4 for r in sample if r.phone_last4],
        "address": [f"{r.road_name} {r.building_main}" for r in sample],
        "rrn": [decrypt_rrn(r.rrn_encrypted) for r in sample],
    }
    kinds = {"name": "name", "phone": "phone", "phone_last4": "phone", "address": "address", "rrn": "rrn"}

    print(f"database: {connection.vendor} ({url.split('@')[-1]}), residents: {total:,}")
    print(f"{'user':<10} {'kind':<12} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'avg hits':>9}")
    for label, user in (("구 전체", district_user), ("종암동", dong_user)):
        for kind, values in queries.items():
            timings, hits = [], 0
            for value in values:
                started = time.perf_counter()
                result = resident_search(user=user, request=None, query=value, kind=kinds[kind])  # type: ignore[arg-type]
                timings.append((time.perf_counter() - started) * 1000)
                hits += len(result.residents)
            print(
                f"{label:<10} {kind:<12} {len(values):>4} {percentile(timings, 50):>8.1f} "
                f"{percentile(timings, 95):>8.1f} {max(timings):>8.1f} {hits / len(values):>9.1f}"
            )


if __name__ == "__main__":
    main()
