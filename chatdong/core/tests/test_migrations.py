"""The migrations themselves, applied from nothing on the database the suite runs on (SQLite or
PostgreSQL). The rest of the suite builds its tables from the models (--no-migrations, for speed), so
without this test a migration that only fails when it runs (a data migration, SQL one database does not
accept) would pass CI."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[3]


def _migrate(database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_every_migration_applies_to_an_empty_database(tmp_path: Path) -> None:
    default = settings.DATABASES["default"]
    if default["ENGINE"] == "django.db.backends.sqlite3":
        result = _migrate(f"sqlite:///{tmp_path / 'migrated.sqlite3'}")
        assert result.returncode == 0, result.stdout + result.stderr
        return
    psycopg = pytest.importorskip("psycopg")
    name = f"chatdong_migrate_{uuid.uuid4().hex[:12]}"
    host, port = default.get("HOST") or "127.0.0.1", default.get("PORT") or 5432
    user, password = default.get("USER") or "postgres", default.get("PASSWORD") or ""
    admin = psycopg.connect(host=host, port=port, user=user, password=password, dbname="postgres")
    admin.autocommit = True
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        auth = f"{user}:{password}@" if password else f"{user}@"
        result = _migrate(f"postgres://{auth}{host}:{port}/{name}")
        assert result.returncode == 0, result.stdout + result.stderr
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
