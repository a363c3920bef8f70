"""Serving chatdong: waitress (a production WSGI server) for config.wsgi.application, static files via
WhiteNoise, and the background-task worker (`chatdong db_worker`) as a child process that lives and
dies with the server. Used by `chatdong serve` and `chatdong demo`."""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from waitress.server import create_server  # type: ignore[import-untyped]  # waitress ships no type hints

WORKER_COMMAND = ("db_worker", "--queue-name", "*", "--interval", "1", "--no-startup-delay")
_RESTART_DELAY = 2.0  # seconds before a worker that died is started again
_STOP_TIMEOUT = 10.0


class Worker:
    """The task worker in a child process (`python -m chatdong db_worker`), restarted if it dies, and
    stopped (SIGTERM, then SIGKILL) with the server."""

    def __init__(self, *, say: Callable[[str], None]) -> None:
        self.say = say
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # a restart and a stop never interleave
        self._thread = threading.Thread(target=self._supervise, name="chatdong-worker", daemon=True)

    def command(self) -> list[str]:
        return [sys.executable, "-m", "chatdong", *WORKER_COMMAND]

    def _spawn(self) -> subprocess.Popen[bytes]:
        # Its own session: Ctrl+C in the terminal reaches only the server, which then stops the worker
        # in order. On Linux the worker also gets SIGTERM if the server dies without cleaning up.
        return subprocess.Popen(self.command(), start_new_session=True, preexec_fn=_die_with_parent)

    def start(self) -> None:
        self.process = self._spawn()
        self.say(f"백그라운드 작업 처리기 시작(pid {self.process.pid})")
        self._thread.start()

    def _supervise(self) -> None:
        while not self._stopping.is_set():
            process = self.process
            if process is None:
                return
            code = process.wait()
            if self._stopping.is_set():
                return
            self.say(
                f"백그라운드 작업 처리기가 종료되었습니다(코드 {code}); {_RESTART_DELAY:.0f}초 뒤 다시 시작합니다."
            )
            if self._stopping.wait(_RESTART_DELAY):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                self.process = self._spawn()

    def stop(self) -> None:
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# prctl(PR_SET_PDEATHSIG, …), looked up in the parent: after fork the child only makes the C call.
_PR_SET_PDEATHSIG = 1
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None


def _die_with_parent() -> None:
    """Runs in the child before exec: ask Linux to send SIGTERM when the spawning thread ends (the
    server's main thread, or the supervisor thread for a restarted worker)."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)  # unwinds through `finally`, so the worker is stopped too


def run_server(
    *, host: str, port: int, threads: int, worker: bool, say: Callable[[str], None], ready: str = ""
) -> None:
    """Serve until interrupted (Ctrl+C or SIGTERM), with the task worker alongside unless `worker` is
    False (then run `chatdong db_worker` separately)."""
    # Static files are served from the finders (no collectstatic needed); WhiteNoise still expects
    # STATIC_ROOT to exist.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    application = get_wsgi_application()
    # OSError here (port in use, …) reaches the caller before anything was started.
    server = create_server(application, host=host, port=port, threads=threads, ident="chatdong")
    task_worker = Worker(say=say) if worker else None
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        if task_worker is not None:
            task_worker.start()
        say(ready or f"http://{host}:{port}/ 에서 서비스 중입니다. 끝내려면 Ctrl+C를 누르세요.")
        started = time.monotonic()
        server.run()  # returns on Ctrl+C (KeyboardInterrupt) or SIGTERM (SystemExit), after closing
        say(f"서버를 멈춥니다({time.monotonic() - started:.0f}초 동안 실행).")
    finally:
        if task_worker is not None:
            task_worker.stop()
        signal.signal(signal.SIGTERM, previous)
