"""The OpenAPI document lists every endpoint, and the browsable docs work offline."""

from __future__ import annotations

import re

import pytest

from tests.authorization import api_endpoints

ACCOUNTS_AUDIT_HEALTH = {
    "/api/v1/auth/login": {"post"},
    "/api/v1/auth/logout": {"post"},
    "/api/v1/auth/password-reset": {"post"},
    "/api/v1/auth/set-password": {"post"},
    "/api/v1/me": {"get", "patch"},
    "/api/v1/me/tokens": {"get", "post"},
    "/api/v1/me/tokens/{token_id}": {"delete"},
    "/api/v1/administrations": {"get", "post"},
    "/api/v1/administrations/{code}": {"get", "patch"},
    "/api/v1/users": {"get", "post"},
    "/api/v1/users/{user_id}": {"get", "patch"},
    "/api/v1/audit-events": {"get"},
    "/health/live": {"get"},
    "/health/ready": {"get"},
}
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json


def operations(spec):
    return {path: set(item) & HTTP_METHODS for path, item in spec["paths"].items()}


def test_document_lists_the_accounts_audit_and_health_endpoints(spec):
    documented = operations(spec)

    for path, methods in ACCOUNTS_AUDIT_HEALTH.items():
        assert documented.get(path, set()) >= methods, path


def test_document_lists_every_route_of_the_app(app, spec):
    documented = {
        (method.upper(), path) for path, methods in operations(spec).items() for method in methods
    }
    routes = {
        (method, re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule))
        for method, rule in api_endpoints(app)
    }

    assert routes - documented == set()


def test_every_operation_says_what_it_does(spec):
    for path, item in spec["paths"].items():
        for method in set(item) & HTTP_METHODS:
            assert item[method].get("summary") or item[method].get("description"), (method, path)


def test_lists_document_their_paging_arguments(spec):
    names = {parameter["name"] for parameter in spec["paths"]["/api/v1/users"]["get"]["parameters"]}

    assert {"page", "per_page", "administration", "role", "active", "q"} <= names


def test_docs_page_loads_with_assets_served_by_the_app(client):
    page = client.get("/api/docs")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    spec_urls = re.findall(r'url:\s*"([^"]+)"', html)
    assert {asset.rsplit("/", 1)[-1] for asset in assets} >= {
        "swagger-ui.css",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
    }
    assert spec_urls == ["/api/v1/openapi.json"]
    for url in assets + spec_urls:
        assert url.startswith("/"), f"{url} is not served by the app"
        assert not url.startswith("//"), f"{url} is not served by the app"
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content_length or response.get_data(), url
        response.close()
    assert "http://" not in html
    assert "https://" not in html
    assert '"validatorUrl": null' in html
