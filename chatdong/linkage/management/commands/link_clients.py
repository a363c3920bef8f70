"""`chatdong link-clients FILE --out PAIRS.csv`: link an agency's client list against the registry.

PAIRS.csv (UTF-8 with BOM, for Excel) has one row per candidate pair: row (the row number in FILE, the
header being row 1), resident_id (the resident's "id" in the API), score (0–1), decision (match / review /
non-match) and evidence. A file with any row error writes nothing: the errors are printed and the exit
status is 1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Never

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from chatdong.accounts.models import User
from chatdong.core.errors import PermissionDenied
from chatdong.linkage.services import client_file_link


class Command(BaseCommand):
    help = "기관 대상자 명단(CSV·XLSX)을 주민 자료와 대조해 후보 쌍을 CSV로 씁니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="명단 파일(.csv 또는 .xlsx)")
        parser.add_argument("--out", type=Path, required=True, help="후보 쌍 CSV를 쓸 경로")
        parser.add_argument("--district", help="이 구(10자리 코드)의 주민과만 대조")
        parser.add_argument("--user", help="대조하는 직원의 계정(그 직원의 범위 안에서 대조; 비우면 시스템)")
        parser.add_argument(
            "--reason",
            default="기관 대상자 명단 대조(명령줄)",
            help="접속기록에 남길 사유(개인정보 내려받기)",
        )
        parser.add_argument("--no-progress", action="store_true", help="진행 막대를 표시하지 않음")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"파일이 없습니다: {path}")
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"없는 계정입니다: {options['user']}")
        bar: tqdm[Never] = tqdm(
            total=0,
            unit="행",
            desc=path.name,
            disable=True if options["no_progress"] else None,
            file=sys.stderr,
        )

        def progress(done: int, total: int) -> None:
            if bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

        try:
            result = client_file_link(
                path=path,
                out=options["out"],
                actor=actor,
                reason=options["reason"],
                district_code=options["district"],
                progress=progress,
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        if result.errors:
            for e in result.errors:
                where = "파일" if e.row == 0 else f"{e.row}행"
                shown = f" 값 '{e.value}'" if e.value else ""
                self.stderr.write(f"{where} [{e.column}]{shown}: {e.reason}")
            raise CommandError(
                f"오류 {len(result.errors)}건: 아무것도 쓰지 않았습니다. 고친 파일로 다시 실행해 주세요.",
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.rows}행 대조: 후보 {result.pairs}쌍(일치 {result.matches}, 검토 {result.reviews}) → {options['out']}"
            )
        )
