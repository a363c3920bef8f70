"""Test helpers for the JSON API."""

from __future__ import annotations

from django.test import Client

from chatdong.accounts.models import User
from chatdong.accounts.services import api_token_issue


def bearer_client(user: User, *, remote_addr: str = "127.0.0.1") -> Client:
    """A test client that sends a fresh API token of `user` with every request."""
    raw, _token = api_token_issue(user=user)
    return Client(REMOTE_ADDR=remote_addr, HTTP_AUTHORIZATION=f"Bearer {raw}")
