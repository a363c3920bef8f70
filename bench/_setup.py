"""Shared setup for benchmarks: a Django environment on a dedicated database (never the demo's).

SQLite: a file under var/bench/. PostgreSQL: pass --database-url postgres://…/NAME; the database is
created if missing. Keys and caches live under var/bench/ too.
"""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"


def django_setup(database_url: str | None, name: str) -> str:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    url = database_url or f"sqlite:///{BENCH_DIR / (name + '.sqlite3')}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("CHATDONG_VAR_DIR", str(BENCH_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    if url.startswith("postgres"):
        _ensure_pg_database(url)
    import django

    django.setup()
    return url


def _ensure_pg_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    base, _, dbname = url.rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]
