"""`chatdong cases-flag-overdue`: tell each 동's supervisors about case steps past their due date.

Run daily (cron or the task worker). Idempotent: a case step overdue on one due date is notified once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chatdong.cases.selectors import cases_overdue
from chatdong.cases.services import cases_flag_overdue


class Command(BaseCommand):
    help = "처리기한이 지난 사례 단계를 동 복지수퍼바이저에게 알립니다(같은 건은 한 번만)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="기준일(YYYY-MM-DD, 기본: 오늘)", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        day = dt.date.fromisoformat(options["date"]) if options["date"] else None
        overdue = cases_overdue(day=day).count()
        sent = cases_flag_overdue(day=day)
        self.stdout.write(f"처리기한 경과 사례 {overdue:,}건, 새 알림 {sent:,}건")
