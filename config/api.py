"""The typed JSON API (django-ninja): /api/v1/…, OpenAPI docs at /api/docs."""

from __future__ import annotations

from ninja import NinjaAPI

from chatdong.core.api import install_error_handlers

api = NinjaAPI(
    title="chatdong API",
    version="1",
    description="찾아가는 동주민센터 운영 플랫폼 API. 웹과 같은 접근 규칙: 범위 밖 기록은 404.",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)

# Routers are mounted under /api/v1/ by each app's api module.
from chatdong.accounts.api import router as accounts_router  # noqa: E402
from chatdong.registry.api import router as registry_router  # noqa: E402

api.add_router("/v1/", accounts_router)
api.add_router("/v1/", registry_router)
