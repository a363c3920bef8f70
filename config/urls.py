from django.urls import include, path

from config.api import api

urlpatterns = [
    path("", include("chatdong.core.urls")),
    path("accounts/", include("chatdong.accounts.urls")),
    path("registry/", include("chatdong.registry.urls")),
    path("audit/", include("chatdong.audit.urls")),
    path("outreach/coverage/", include("chatdong.outreach.coverage_urls")),
    path("outreach/", include("chatdong.outreach.urls")),
    path("visits/", include("chatdong.visits.urls")),
    path("referrals/", include("chatdong.referrals.urls")),
    path("cases/", include("chatdong.cases.urls")),
    path("case-meetings/", include("chatdong.casemeeting.urls")),
    path("linkage/", include("chatdong.linkage.urls")),
    path("api/", api.urls),
]
