"""Shared API pieces: bearer-token auth, the translation of service errors to HTTP, error and page
schemas, and paging of scoped querysets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer

from chatdong.accounts.models import User
from chatdong.accounts.services import api_token_user
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed

UNAUTHENTICATED_MESSAGE = (
    "인증이 필요합니다. POST /api/v1/auth/token 으로 받은 토큰을 'Authorization: Bearer …'로 보내 주세요."
)
MAX_PAGE_SIZE = 200


class KoreanJSONRenderer(JSONRenderer):
    """UTF-8 JSON with Korean text as is, not as \\uXXXX escapes."""

    json_dumps_params: Mapping[str, Any] = {"ensure_ascii": False}


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


def bearer_token(request: HttpRequest) -> str:
    """The raw token of an authenticated request (TokenAuth has already accepted it)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


class ErrorOut(Schema):
    detail: str = Field(..., description="사람이 읽을 수 있는 오류 내용(한국어)")


class ValidationErrorOut(Schema):
    detail: str | list[dict[str, Any]] = Field(
        ..., description="오류 내용(한국어), 또는 입력 형식 오류의 목록(항목 위치 loc, 내용 msg)"
    )
    errors: dict[str, list[str]] | None = Field(None, description="입력 항목별 오류(있을 때)")


# Error answers every authenticated endpoint may give; listed in the OpenAPI schema.
ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}

ItemT = TypeVar("ItemT")
ModelT = TypeVar("ModelT", bound=Model)


class PageIn(Schema):
    page: int = Field(1, ge=1, description="쪽 번호(1부터)")
    page_size: int = Field(
        settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=MAX_PAGE_SIZE, description="한 쪽의 항목 수"
    )

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


class Page(Schema, Generic[ItemT]):
    count: int = Field(..., description="전체 항목 수")
    page: int
    page_size: int
    items: list[ItemT]


def page_of(queryset: QuerySet[ModelT], paging: PageIn) -> tuple[list[ModelT], int]:
    """One page of an (already scoped and ordered) queryset, and the total count."""
    total = queryset.count()
    return list(queryset[paging.offset : paging.offset + paging.page_size]), total


def page_body(items: Sequence[object], total: int, paging: PageIn) -> dict[str, object]:
    return {"count": total, "page": paging.page, "page_size": paging.page_size, "items": list(items)}


def install_error_handlers(api: NinjaAPI) -> None:
    def handler(status: int) -> Any:
        def respond(request: HttpRequest, exc: Exception) -> HttpResponse:
            body: dict[str, Any] = {"detail": str(exc)}
            if isinstance(exc, ValidationFailed) and exc.errors:
                body["errors"] = exc.errors
            return api.create_response(request, body, status=status)

        return respond

    def unauthenticated(request: HttpRequest, exc: object) -> HttpResponse:
        response = api.create_response(request, {"detail": UNAUTHENTICATED_MESSAGE}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="chatdong"'
        return response

    api.add_exception_handler(PermissionDenied, handler(403))
    api.add_exception_handler(NotFound, handler(404))
    api.add_exception_handler(ValidationFailed, handler(422))
    api.add_exception_handler(AuthenticationError, unauthenticated)
