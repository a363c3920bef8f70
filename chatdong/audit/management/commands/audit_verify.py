"""`chatdong audit-verify`: walk the access-log hash chain and report every changed or missing row."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from chatdong.audit.services import ChainStats, audit_chain_verify


class Command(BaseCommand):
    help = (
        "접속기록 해시 체인을 처음부터 끝까지 검증합니다. "
        "변경·삭제·추가된 기록이 있으면 하나하나 출력하고 0이 아닌 종료 코드로 끝납니다."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        stats = ChainStats()
        problems = 0
        for problem in audit_chain_verify(stats=stats):
            problems += 1
            self.stdout.write(f"#{problem.log_id}: {problem.reason}")
        if problems:
            raise CommandError(
                f"접속기록 {stats.checked:,}건 중 문제 {problems:,}건: 위변조가 의심됩니다.", returncode=1
            )
        self.stdout.write(self.style.SUCCESS(f"OK: 접속기록 {stats.checked:,}건, 해시 체인 이상 없음"))
