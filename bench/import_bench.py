"""Import of a full district's resident-registration extract: wall time and peak memory (RSS).

    ./dev bench import_bench [--residents 425000] [--seed 2016] [--database-url postgres://…] [--no-sqlite]

Generates the extract once (var/bench/extract_N_SEED.csv, reused afterwards), then for each database —
a fresh SQLite file under var/bench/, and a fresh, uniquely named PostgreSQL database when DATABASE_URL
(or --database-url) names a PostgreSQL server — runs in its own process: migrate, set up 성북구 and its
20 동, import the extract (timed), import the same file again (a no-op re-import, timed), and report the
process's peak RSS. The fresh databases are removed afterwards unless --keep.

Goal (issue 2): the full ~425,000-resident district in ≤ 30 s and ≤ 1 GB peak memory, on both databases.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
GOAL_SECONDS = 30.0
GOAL_RSS_MB = 1024.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


class HelperWatch:
    """Peak RSS of this process's child processes (the importer's helper that reads and checks the
    file), read from /proc while they run: getrusage(RUSAGE_CHILDREN) would also count, for a child
    forked from a large process, the parent's pages it shared for a moment before exec."""

    def __init__(self) -> None:
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> HelperWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = str(os.getpid())
        while not self._stop.wait(0.05):
            for stat in Path("/proc").glob("[0-9]*/stat"):
                try:
                    if stat.read_text().rsplit(")", 1)[1].split()[1] != me:
                        continue
                    status = (stat.parent / "status").read_text()
                except (OSError, IndexError):
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak_kib = max(self.peak_kib, int(line.split()[1]))

    @property
    def peak_mb(self) -> float:
        return self.peak_kib / 1024


def child(extract: Path) -> None:
    """One database: runs in its own process so that its peak RSS is the import's alone."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from chatdong.accounts.services import district_setup
    from chatdong.registry.models import Household, Resident
    from chatdong.registry.services import residents_import

    district_setup(preset="seongbuk")
    rss_before = peak_rss_mb()
    with HelperWatch() as helper:
        started = time.perf_counter()
        cpu_started = time.process_time()
        first = residents_import(path=extract, actor=None)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        rss_first = peak_rss_mb()
        started = time.perf_counter()
        second = residents_import(path=extract, actor=None)
        again = time.perf_counter() - started
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "status": [first.status, second.status],
                "rows": first.total_rows,
                "residents": Resident.objects.count(),
                "households": Household.objects.count(),
                "import_s": round(seconds, 2),
                "import_cpu_s": round(cpu, 2),
                "reimport_s": round(again, 2),
                "reimport_unchanged": second.summary.get("unchanged"),
                "rss_before_mb": round(rss_before),
                "rss_import_mb": round(rss_first),
                "rss_peak_mb": round(peak_rss_mb()),
                # A large extract is read and checked by a helper process (registry.importer): its peak.
                "rss_helper_mb": round(helper.peak_mb),
                "summary": first.summary,
                "message": first.message
                if first.status == "succeeded"
                else list(first.errors.values_list()[:5]),
            },
            ensure_ascii=False,
        )
    )


def run_child(extract: Path, database_url: str) -> dict:
    env = dict(os.environ, DATABASE_URL=database_url, CHATDONG_VAR_DIR=str(BENCH_DIR))
    env.pop("CHATDONG_DEBUG", None)
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(extract)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"benchmark run failed on {database_url.split('@')[-1]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def fresh_postgres(server_url: str) -> tuple[str, str]:
    """Create a uniquely named database on the server; return (its URL, its name)."""
    import psycopg
    from psycopg import sql

    base = server_url.rsplit("/", 1)[0] if server_url.count("/") > 2 else server_url
    name = f"chatdong_import_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"{base}/{name}", name


def drop_postgres(server_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    base = server_url.rsplit("/", 1)[0] if server_url.count("/") > 2 else server_url
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--residents", type=int, default=425_000)
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--no-sqlite", action="store_true", help="only PostgreSQL")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    extract = BENCH_DIR / f"extract_{args.residents}_{args.seed}.csv"
    if not extract.exists():
        sys.path.insert(0, str(ROOT))
        from chatdong.demo.generator import generate_district

        started = time.perf_counter()
        partial = extract.with_suffix(".part.csv")
        generate_district(residents=args.residents, seed=args.seed, out=partial)
        partial.rename(extract)
        print(f"generated {extract.relative_to(ROOT)} in {time.perf_counter() - started:.1f} s")
    print(
        f"extract: {extract.relative_to(ROOT)} ({extract.stat().st_size / 1e6:.0f} MB), {args.residents:,} residents"
    )

    results = []
    if not args.no_sqlite:
        path = BENCH_DIR / f"import_bench_{uuid.uuid4().hex[:8]}.sqlite3"
        try:
            results.append(run_child(extract, f"sqlite:///{path}"))
        finally:
            if not args.keep:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
    if args.database_url.startswith(("postgres://", "postgresql://")):
        url, name = fresh_postgres(args.database_url)
        try:
            results.append(run_child(extract, url))
        finally:
            if not args.keep:
                drop_postgres(args.database_url, name)

    print(
        f"\n{'database':<11}{'rows':>9}{'import s':>10}{'cpu s':>8}{'RSS MB':>8}{'+helper':>9}"
        f"{'re-import s':>13}  goal (≤ {GOAL_SECONDS:.0f} s, ≤ {GOAL_RSS_MB:.0f} MB)"
    )
    for r in results:
        memory = r["rss_peak_mb"] + r["rss_helper_mb"]  # both peaks together: an upper bound
        met = r["import_s"] <= GOAL_SECONDS and memory <= GOAL_RSS_MB
        print(
            f"{r['database']:<11}{r['rows']:>9,}{r['import_s']:>10.1f}{r['import_cpu_s']:>8.1f}"
            f"{r['rss_peak_mb']:>8,}{r['rss_helper_mb']:>9,}{r['reimport_s']:>13.1f}  {'met' if met else 'MISSED'}"
        )
    for r in results:
        print(
            f"{r['database']}: {json.dumps(r['summary'], ensure_ascii=False)}; re-import unchanged={r['reimport_unchanged']:,}"
        )
    print(
        "cpu s: this process only (not the helper nor PostgreSQL); RSS: peak of this process and of the"
        " helper that reads and checks the file."
    )
    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} (figures are noisy on a busy machine)"
    )


if __name__ == "__main__":
    main()
