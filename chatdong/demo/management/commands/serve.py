"""`chatdong serve [--host 127.0.0.1] [--port 8000] [--threads 8] [--no-worker]`: the production server.

waitress serves config.wsgi.application (static files through WhiteNoise) and the background-task
worker (`chatdong db_worker`) runs alongside as a child process, stopped with the server. Put a
reverse proxy (TLS) in front of it for anything but a single office machine.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chatdong.demo.server import run_server


class Command(BaseCommand):
    help = "웹 서버(waitress)와 백그라운드 작업 처리기를 함께 실행합니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="들을 주소(기본: 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="포트(기본: 8000)")
        parser.add_argument("--threads", type=int, default=8, help="요청 처리 스레드 수(기본: 8)")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="백그라운드 작업 처리기를 띄우지 않음(따로 `chatdong db_worker`를 실행할 때)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run_server(
                host=options["host"],
                port=options["port"],
                threads=options["threads"],
                worker=not options["no_worker"],
                say=self.stdout.write,
            )
        except OSError as exc:
            raise CommandError(
                f"{options['host']}:{options['port']}에서 서비스를 시작할 수 없습니다: {exc}"
            ) from exc
