from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from chatdong.accounts import services
from chatdong.accounts.models import User


class LockoutModelBackend(ModelBackend):
    """Django's password check, refused while the account is locked out; every attempt is recorded."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username:
            return None
        if services.login_is_locked(username):
            services.login_attempt_record(username=username, request=request, succeeded=False)
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        services.login_attempt_record(username=username, request=request, succeeded=user is not None)
        return user
