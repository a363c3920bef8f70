"""`chatdong import-residents FILE`: import a resident-registration extract (CSV or XLSX).

All-or-nothing. On failure every error is printed (row, column, value, reason), written to a CSV file
for Excel (--errors-out, default FILE.errors.csv next to the input) and the exit status is 1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Never

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from chatdong.accounts.models import User
from chatdong.core.errors import PermissionDenied
from chatdong.registry.models import ImportBatch
from chatdong.registry.selectors import import_errors_csv, import_errors_rows
from chatdong.registry.services import residents_import


class Command(BaseCommand):
    help = "주민등록 자료(CSV: UTF-8·CP949, 또는 XLSX)를 반영합니다. 오류가 하나라도 있으면 아무것도 반영하지 않습니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="주민등록 자료 파일(.csv 또는 .xlsx)")
        parser.add_argument(
            "--errors-out",
            type=Path,
            help="오류 목록 CSV를 쓸 경로(기본: 입력 파일 옆의 이름.errors.csv)",
        )
        parser.add_argument("--user", help="등록하는 직원의 계정(접속기록에 남음; 비우면 시스템)")
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
            unit_scale=True,
            desc=path.name,
            disable=True if options["no_progress"] else None,  # None: off when not on a terminal
            file=sys.stderr,
        )

        def progress(done: int, total: int) -> None:
            if bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

        try:
            batch = residents_import(path=path, actor=actor, progress=progress)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()

        if batch.status == ImportBatch.Status.SUCCEEDED:
            self.stdout.write(self.style.SUCCESS(batch.message))
            return
        for row, column, value, reason in import_errors_rows(batch=batch):
            if row == 0:  # the file as a whole
                self.stderr.write(f"파일: {reason}")
                continue
            shown = f" 값 '{value}'" if value else ""
            self.stderr.write(f"{row}행 [{column}]{shown}: {reason}")
        out = options["errors_out"] or path.with_name(path.stem + ".errors.csv")
        with out.open("w", encoding="utf-8", newline="") as handle:
            handle.writelines(import_errors_csv(batch=batch))
        raise CommandError(f"{batch.message} 오류 목록: {out}", returncode=1)
