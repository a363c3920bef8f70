from django.urls import include, path

from config.api import api

urlpatterns = [
    path("", include("chatdong.core.urls")),
    path("accounts/", include("chatdong.accounts.urls")),
    path("registry/", include("chatdong.registry.urls")),
    path("audit/", include("chatdong.audit.urls")),
    path("api/", api.urls),
]
