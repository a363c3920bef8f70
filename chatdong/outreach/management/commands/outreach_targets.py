"""`chatdong outreach_targets`: install the default programs, extract a period's lists, or follow the
registry on demand (after imports made outside the web page)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chatdong.accounts.models import District
from chatdong.core.errors import ValidationFailed
from chatdong.outreach.models import Program
from chatdong.outreach.services import (
    programs_install_defaults,
    targets_extract,
    targets_follow_registry,
    targets_integrity_check,
)

VISIT_FACTS = {"visit_made": "방문 완료", "visit_refused": "방문 거부"}


class Command(BaseCommand):
    help = "방문 사업: 기본 사업 설치(--install), 대상 추출(--extract YYYY-MM-DD), 주민 변동 반영(--follow)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--district", default="1129000000", help="구 행정구역코드(기본: 성북구)")
        parser.add_argument("--install", action="store_true", help="기본 방문 사업 6개와 안내 문자 서식 설치")
        parser.add_argument(
            "--extract", metavar="PERIOD_START", help="운영 중인 모든 사업의 대상 추출(기간 시작일)"
        )
        parser.add_argument("--program", help="추출할 사업 코드(기본: 모두)")
        parser.add_argument(
            "--follow", action="store_true", help="아직 반영하지 않은 주민 자료 변동을 대상 명단에 반영"
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="대상의 사업·동·반·주민·세대·담당자 참조가 모두 있는지, 방문 여부가 방문 기록과 맞는지 점검",
        )
        parser.add_argument(
            "--repair-visit-facts",
            action="store_true",
            help="대상의 방문 완료·거부 여부를 방문 기록으로 다시 계산",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        district = District.objects.filter(code=options["district"]).first()
        if district is None:
            raise CommandError(f"구를 찾을 수 없습니다: {options['district']}")
        if options["install"]:
            programs = programs_install_defaults(district)
            self.stdout.write(f"방문 사업 {len(programs)}개 설치(이미 있던 사업은 그대로)")
        if options["extract"]:
            try:
                start = dt.date.fromisoformat(options["extract"])
            except ValueError:
                raise CommandError("기간 시작일은 YYYY-MM-DD 형식이어야 합니다.") from None
            queryset = Program.objects.filter(district=district, active=True)
            if options["program"]:
                queryset = queryset.filter(code=options["program"])
            for program in queryset:
                if program.rule.get("type") == "list":
                    continue
                try:
                    run = targets_extract(actor=None, program=program, period_start=start)
                except ValidationFailed as exc:
                    raise CommandError(f"{program.name}: {exc}") from None
                self.stdout.write(f"{program.name}: {run.counts}")
        if options["follow"]:
            runs = targets_follow_registry()
            for run in runs:
                self.stdout.write(f"주민 자료 {run.batch_id}번 반영: {run.counts}")
            if not runs:
                self.stdout.write("새로 반영할 주민 자료가 없습니다.")
        if options["repair_visit_facts"]:
            from chatdong.visits.services import targets_visit_facts_refresh

            self.stdout.write(f"방문 완료·거부 여부를 다시 계산한 대상: {targets_visit_facts_refresh()}건")
        if options["check"]:
            problems = targets_integrity_check()
            for column, ids in problems.items():
                if column in VISIT_FACTS:
                    what = f"방문 기록과 {VISIT_FACTS[column]} 여부가 다른 방문 대상"
                else:
                    what = "없는 대상을 가리키는 방문 대상"
                self.stdout.write(f"{column}: {what} {len(ids)}건 (예: {ids[:10]})")
            if set(problems) & set(VISIT_FACTS):
                self.stdout.write("고치려면: chatdong outreach_targets --repair-visit-facts")
            if problems:
                raise CommandError("방문 대상의 참조가 맞지 않습니다.")
            self.stdout.write("방문 대상의 참조가 모두 맞습니다.")
