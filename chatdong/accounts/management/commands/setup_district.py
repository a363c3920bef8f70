"""`chatdong setup-district [--preset seongbuk]`: install a 구 and its 행정동 (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chatdong.accounts.districts import PRESETS
from chatdong.accounts.services import district_setup
from chatdong.core.errors import ValidationFailed


class Command(BaseCommand):
    help = "구와 행정동(10자리 코드)을 등록합니다. 여러 번 실행해도 같은 결과입니다. 통·반은 주민 자료 등록 때 만들어집니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--preset", default="seongbuk", choices=sorted(PRESETS), help="구 설정(기본: seongbuk)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            district = district_setup(preset=options["preset"])
        except ValidationFailed as exc:
            raise CommandError(str(exc)) from exc
        dongs = district.dongs.order_by("code")
        self.stdout.write(self.style.SUCCESS(f"{district.name}({district.code}): 행정동 {dongs.count()}개"))
        for dong in dongs:
            self.stdout.write(f"  {dong.code} {dong.name}")
