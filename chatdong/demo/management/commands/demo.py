"""`chatdong demo`: a synthetic 성북구 on this machine, ready to try, in one command.

Migrates the database, sets up the district, generates and imports the synthetic extract, creates
staff for every role in every 동 (with zones) and a few private agencies, prints the accounts, then
serves the site on http://127.0.0.1:8000 with the background worker. Running it again reuses what is
there. `--no-serve --accounts-json PATH` prepares only and writes the accounts for scripts and tests.
"""

from __future__ import annotations

import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from chatdong.core.errors import ValidationFailed
from chatdong.demo.generator import DEFAULT_RESIDENTS
from chatdong.demo.server import run_server
from chatdong.demo.services import DEFAULT_SEED, DEMO_PASSWORD, DemoAccount, demo_prepare


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cell(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def accounts_table(accounts: list[DemoAccount]) -> list[str]:
    """A plain-text table (동, 역할, 아이디, 이름) aligned for Korean text in a terminal."""
    rows = [("동·소속", "역할", "아이디", "이름")] + [
        (a.dong_name or a.agency or "구청", a.role_label, a.username, a.full_name) for a in accounts
    ]
    widths = [max(_width(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(_cell(value, widths[i]) for i, value in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


class Command(BaseCommand):
    help = "가상 성북구(주민·직원·담당구역)를 준비하고 http://127.0.0.1:8000 에서 서비스합니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--residents",
            type=int,
            default=DEFAULT_RESIDENTS,
            help=f"가상 주민 수(기본: {DEFAULT_RESIDENTS:,}명, 성북구 실제 인구)",
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"난수 시드(기본: {DEFAULT_SEED})")
        parser.add_argument("--no-serve", action="store_true", help="준비만 하고 서버는 띄우지 않음")
        parser.add_argument("--accounts-json", type=Path, help="데모 계정을 JSON으로 쓸 파일")
        parser.add_argument("--host", default="127.0.0.1", help="들을 주소(기본: 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="포트(기본: 8000)")
        parser.add_argument("--no-progress", action="store_true", help="진행 막대를 표시하지 않음")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if options["residents"] < 1:
            raise CommandError("--residents는 1 이상이어야 합니다.")

        def say(message: str) -> None:
            self.stdout.write(f"[{time.monotonic() - started:5.1f}초] {message}")

        say("데이터베이스 준비(migrate)")
        call_command("migrate", interactive=False, verbosity=0)
        bars: list[tqdm[Any]] = []  # made on the import's first report: no thread while generating forks

        def progress(done: int, total: int) -> None:
            if not bars:
                bars.append(
                    tqdm(
                        total=total,
                        unit="행",
                        unit_scale=True,
                        desc="주민 자료 반영",
                        disable=options["no_progress"] or None,  # None: off when not a terminal
                        file=sys.stderr,
                    )
                )
            bar = bars[0]
            if bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

        try:
            accounts = demo_prepare(
                residents=options["residents"],
                seed=options["seed"],
                accounts_json=options["accounts_json"],
                say=say,
                progress=progress,
            )
        except ValidationFailed as exc:
            raise CommandError(str(exc)) from exc
        finally:
            for bar in bars:
                bar.close()

        self.stdout.write("")
        for line in accounts_table(accounts):
            self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(self.style.WARNING(f"모든 데모 계정의 비밀번호: {DEMO_PASSWORD}"))
        if options["accounts_json"]:
            say(f"계정 목록(JSON): {options['accounts_json']}")
        url = f"http://{options['host']}:{options['port']}/"
        if options["no_serve"]:
            say(self.style.SUCCESS("준비 완료"))
            return
        try:
            run_server(
                host=options["host"],
                port=options["port"],
                threads=8,
                worker=True,
                say=say,
                ready=self.style.SUCCESS(f"준비 완료: {url} 에 접속하세요. 끝내려면 Ctrl+C를 누르세요."),
            )
        except OSError as exc:
            raise CommandError(
                f"{options['host']}:{options['port']}에서 서비스를 시작할 수 없습니다: {exc}"
            ) from exc
