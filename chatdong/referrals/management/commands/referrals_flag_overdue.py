"""`chatdong referrals-flag-overdue`: tell supervisors and senders about overdue referrals (for cron;
safe to run any number of times a day: each referral and due date notifies once)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chatdong.core.time import today
from chatdong.referrals.services import referrals_flag_overdue


class Command(BaseCommand):
    help = "회신 기한이 지난 의뢰를 동장·팀장·복지수퍼바이저와 보낸 사람에게 알립니다(여러 번 실행해도 한 번만 알림)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="기준일(YYYY-MM-DD, 기본: 오늘)")

    def handle(self, *args: Any, **options: Any) -> None:
        day = dt.date.fromisoformat(options["date"]) if options.get("date") else today()
        written = referrals_flag_overdue(day=day)
        self.stdout.write(f"{day:%Y-%m-%d}: 새 알림 {written}건")
