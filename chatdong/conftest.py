from __future__ import annotations

import pytest
from django.test import Client

from chatdong.accounts.models import User


@pytest.fixture
def login_client():
    """login_client(user) → a Django test client logged in as that user (from the office network)."""

    def make(user: User) -> Client:
        client = Client(REMOTE_ADDR="127.0.0.1")
        client.force_login(user)
        return client

    return make
