"""`chatdong generate-district --residents N --seed S --out FILE`: a synthetic 성북구 extract."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chatdong.accounts.districts import PRESETS
from chatdong.demo.generator import DEFAULT_AS_OF, DEFAULT_PRESET, DEFAULT_RESIDENTS, generate_district


class Command(BaseCommand):
    help = (
        "가상의 주민등록 자료(성북구 20개 행정동, 가상 인물)를 가져오기 형식으로 만듭니다. "
        "같은 인원·시드·기준일이면 언제나 같은 파일입니다."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--residents",
            type=int,
            default=DEFAULT_RESIDENTS,
            help=f"주민 수(기본: 실제 인구 {DEFAULT_RESIDENTS:,}명)",
        )
        parser.add_argument("--seed", type=int, default=1, help="난수 시드(기본: 1)")
        parser.add_argument("--out", type=Path, required=True, help="출력 파일(.csv: UTF-8 BOM, .xlsx)")
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=DEFAULT_AS_OF,
            help=f"자료 기준일 YYYY-MM-DD(기본: {DEFAULT_AS_OF})",
        )
        parser.add_argument("--preset", default=DEFAULT_PRESET, choices=sorted(PRESETS))
        parser.add_argument("--workers", type=int, help="동시에 만드는 프로세스 수(기본: CPU 수)")

    def handle(self, *args: Any, **options: Any) -> None:
        residents: int = options["residents"]
        if residents < 1:
            raise CommandError("--residents는 1 이상이어야 합니다.")
        if options["as_of"] > dt.date.today():
            raise CommandError("--as-of는 미래일 수 없습니다(주민등록번호의 생년월일이 미래가 됩니다).")
        out: Path = options["out"]
        summary = generate_district(
            residents=residents,
            seed=options["seed"],
            out=out,
            as_of=options["as_of"],
            preset=options["preset"],
            workers=options["workers"],
        )
        self.stdout.write(self.style.SUCCESS(f"{out}: {summary.seconds:.1f}초"))
        for line in summary.lines():
            self.stdout.write(f"  {line}")
