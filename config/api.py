"""The typed JSON API (django-ninja): /api/v1/…, OpenAPI docs at /api/docs.

Every operation needs a bearer token (POST /api/v1/auth/token) unless it says auth=None."""

from __future__ import annotations

from ninja import NinjaAPI

from chatdong.core.api import KoreanJSONRenderer, install_error_handlers, token_auth

api = NinjaAPI(
    title="chatdong API",
    version="1",
    description=(
        "찾아가는 동주민센터 운영 플랫폼 API. POST /api/v1/auth/token 으로 토큰을 받아 "
        "'Authorization: Bearer <token>' 으로 보냅니다. 웹과 같은 접근 규칙: 권한 없는 역할은 403, "
        "범위 밖 기록은 404(있는지도 알리지 않음). 주민 개인정보 조회는 모두 접속기록에 남습니다."
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=token_auth,
    renderer=KoreanJSONRenderer(),
)
install_error_handlers(api)

# Routers are mounted under /api/v1/ by each app's api module.
from chatdong.accounts.api import router as accounts_router  # noqa: E402
from chatdong.casemeeting.api import router as casemeeting_router  # noqa: E402
from chatdong.cases.api import router as cases_router  # noqa: E402
from chatdong.linkage.api import router as linkage_router  # noqa: E402
from chatdong.outreach.api import router as outreach_router  # noqa: E402
from chatdong.outreach.coverage_api import router as coverage_router  # noqa: E402
from chatdong.referrals.api import router as referrals_router  # noqa: E402
from chatdong.registry.api import router as registry_router  # noqa: E402
from chatdong.visits.api import router as visits_router  # noqa: E402

api.add_router("/v1/", accounts_router)
api.add_router("/v1/", registry_router)
api.add_router("/v1/", outreach_router)
api.add_router("/v1/", coverage_router)
api.add_router("/v1/", visits_router)
api.add_router("/v1/", referrals_router)
api.add_router("/v1/", cases_router)
api.add_router("/v1/", casemeeting_router)
api.add_router("/v1/", linkage_router)
