"""The OpenAPI schema is valid, and the docs page loads everything from our own server (no CDN:
government intranets have no internet)."""

from __future__ import annotations

import re

from django.test import Client
from openapi_spec_validator import validate

PUBLIC_OPERATIONS = {("post", "/api/v1/auth/token")}


def test_openapi_schema_is_valid() -> None:
    response = Client().get("/api/openapi.json")

    assert response.status_code == 200
    validate(response.json())


def test_every_operation_but_login_needs_the_bearer_token() -> None:
    spec = Client().get("/api/openapi.json").json()

    operations = {
        (method, path): op.get("security")
        for path, item in spec["paths"].items()
        for method, op in item.items()
    }
    assert spec["components"]["securitySchemes"] == {"TokenAuth": {"type": "http", "scheme": "bearer"}}
    assert {
        key for key, security in operations.items() if security != [{"TokenAuth": []}]
    } == PUBLIC_OPERATIONS
    # Every app's router is mounted: the resources at the top of /api/v1/.
    assert {path.split("/")[3] for _, path in operations} == {
        *["auth", "me", "staff", "dongs", "zones", "agencies", "residents", "households"],
        *["outreach", "visits", "screenings", "home-visit-schedule", "referrals", "desk"],
        *["cases", "case-meetings", "linkage"],
    }


def test_docs_page_loads_its_assets_from_our_server() -> None:
    client = Client()
    page = client.get("/api/docs")

    assert page.status_code == 200
    html = page.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sorted(assets) == [
        "/static/ninja/favicon.png",
        "/static/ninja/favicon.svg",
        "/static/ninja/swagger-ui-bundle.js",
        "/static/ninja/swagger-ui-init.js",
        "/static/ninja/swagger-ui.css",
    ]
    assert "cdn" not in html.lower()
    assert [client.get(url).status_code for url in sorted(assets)] == [200] * 5
    assert '"url": "/api/openapi.json"' in html
