from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from chatdong.accounts.models import User

CHROMIUM = os.environ.get("CHATDONG_CHROMIUM", "/usr/bin/chromium")
SCREENSHOT_DIR = Path(settings.VAR_DIR) / "screenshots"


@pytest.fixture
def login_client():
    """login_client(user) → a Django test client logged in as that user (from the office network)."""

    def make(user: User) -> Client:
        client = Client(REMOTE_ADDR="127.0.0.1")
        client.force_login(user)
        return client

    return make


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Headless system Chromium driven by Playwright (never a downloaded browser). Skipped where no
    Chromium is installed, except in CI, where its absence fails the run."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Chromium at {CHROMIUM} for the browser journeys")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; the test's ORM calls are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield instance
        finally:
            instance.close()
