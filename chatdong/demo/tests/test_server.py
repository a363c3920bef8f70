"""The server runner: the task worker lives and dies with it."""

from __future__ import annotations

import socket
import sys
import time
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from chatdong.demo import server


class SleepingWorker(server.Worker):
    def command(self) -> list[str]:
        return [sys.executable, "-c", "import time; time.sleep(60)"]


class QuittingWorker(server.Worker):
    def command(self) -> list[str]:
        return [sys.executable, "-c", "pass"]


def _wait_for(condition: Any, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_worker_command_runs_the_database_task_worker_on_every_queue() -> None:
    command = server.Worker(say=lambda _m: None).command()

    assert command[:3] == [sys.executable, "-m", "chatdong"]
    assert command[3:6] == ["db_worker", "--queue-name", "*"]


def test_worker_is_stopped_with_the_server() -> None:
    said: list[str] = []
    worker = SleepingWorker(say=said.append)

    worker.start()
    process = worker.process
    assert process is not None
    assert process.poll() is None
    worker.stop()

    assert process.poll() is not None  # terminated, not left behind
    assert said == [f"백그라운드 작업 처리기 시작(pid {process.pid})"]


def test_worker_that_dies_is_started_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server, "_RESTART_DELAY", 0.05)
    said: list[str] = []
    worker = QuittingWorker(say=said.append)

    worker.start()
    first = worker.process
    restarted = _wait_for(lambda: worker.process is not first)
    worker.stop()

    assert restarted
    assert any("다시 시작합니다" in message for message in said)


class FakeServer:
    ran = False

    def run(self) -> None:
        FakeServer.ran = True


class FakeWorker:
    events: list[str] = []

    def __init__(self, *, say: Any) -> None:
        pass

    def start(self) -> None:
        FakeWorker.events.append("start")

    def stop(self) -> None:
        FakeWorker.events.append("stop")


def test_run_server_starts_the_worker_and_stops_it_when_the_server_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(server, "create_server", lambda app, **kw: FakeServer())
    monkeypatch.setattr(server, "Worker", FakeWorker)
    FakeWorker.events = []
    said: list[str] = []

    server.run_server(host="127.0.0.1", port=8123, threads=2, worker=True, say=said.append)

    assert FakeServer.ran
    assert FakeWorker.events == ["start", "stop"]
    assert said[0] == "http://127.0.0.1:8123/ 에서 서비스 중입니다. 끝내려면 Ctrl+C를 누르세요."


def test_serve_command_reports_a_port_in_use_and_starts_no_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server, "Worker", FakeWorker)
    FakeWorker.events = []
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        with pytest.raises(CommandError, match="서비스를 시작할 수 없습니다"):
            call_command("serve", "--port", str(port), stdout=StringIO())

    assert FakeWorker.events == []
