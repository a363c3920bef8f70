"""Shared API pieces: bearer-token auth and the translation of service errors to HTTP."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import HttpBearer

from chatdong.accounts.models import User
from chatdong.accounts.services import api_token_user
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


token_auth = TokenAuth()


def api_user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def install_error_handlers(api: NinjaAPI) -> None:
    def handler(status: int) -> Any:
        def respond(request: HttpRequest, exc: Exception) -> HttpResponse:
            body: dict[str, Any] = {"detail": str(exc)}
            if isinstance(exc, ValidationFailed) and exc.errors:
                body["errors"] = exc.errors
            return api.create_response(request, body, status=status)

        return respond

    api.add_exception_handler(PermissionDenied, handler(403))
    api.add_exception_handler(NotFound, handler(404))
    api.add_exception_handler(ValidationFailed, handler(422))
