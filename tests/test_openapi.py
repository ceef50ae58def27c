"""The OpenAPI document lists every endpoint, and the browsable docs work offline."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import OpenAPIV30SpecValidator

from elearn.accounts.models import Role
from elearn.inputs import MAX_INTEGER
from tests.authorization import api_endpoints
from tests.http import assert_problem

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


def test_document_is_valid_openapi_3(spec):
    OpenAPIV30SpecValidator(spec).validate()


def test_errors_are_documented_as_the_problem_details_they_are_sent_as(spec):
    problem = spec["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    assert "errors" in problem["properties"]
    for name, response in spec["components"]["responses"].items():
        content = response.get("content")
        if content is not None:
            assert set(content) == {"application/problem+json"}, name
            assert content["application/problem+json"]["schema"] == {
                "$ref": "#/components/schemas/Problem"
            }


def test_every_operation_says_how_to_authenticate(spec):
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearerToken"]["description"],
    }
    assert schemes["sessionCookie"]["in"] == "cookie"
    assert schemes["sessionCookie"]["name"] == "elearn_session"
    assert spec["security"] == [{"bearerToken": []}, {"sessionCookie": []}]
    public = {
        (method, path)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS and operation.get("security") == []
    }
    assert public == {
        ("post", "/api/v1/auth/login"),
        ("post", "/api/v1/auth/password-reset"),
        ("post", "/api/v1/auth/set-password"),
        ("get", "/verify/{code}"),
        ("post", "/verify"),
        ("get", "/.well-known/jwks.json"),
        ("get", "/health/live"),
        ("get", "/health/ready"),
    }


def test_content_languages_are_an_enum_of_the_configured_ones(spec, settings):
    parameters = spec["paths"]["/api/v1/courses/{course_id}"]["get"]["parameters"]
    lang = next(parameter for parameter in parameters if parameter["name"] == "lang")

    assert lang["schema"]["enum"] == list(settings.languages)
    course = spec["components"]["schemas"]["CourseCreate"]["properties"]
    assert course["default_language"]["enum"] == list(settings.languages)


def test_ids_in_paths_are_bounded_to_the_database_range(spec):
    for path, item in spec["paths"].items():
        for parameter in item.get("parameters", []):
            if parameter["schema"].get("type") == "integer":
                assert parameter["schema"]["minimum"] == 1, path
                assert parameter["schema"]["maximum"] == MAX_INTEGER, path


# Quiz settings and questions travel in the package format: its validator bounds each number
# (docs/content-format.md) and names the field it refuses.
PACKAGE_FORMAT = {"QuizSettings", "Question"}


def test_every_integer_a_request_sends_is_bounded(spec):
    def integers(schema, where):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name in PACKAGE_FORMAT:
                return
            yield from integers(spec["components"]["schemas"][name], f"{where} → {name}")
            return
        if schema.get("type") == "integer":
            yield where, schema
        for name, child in (schema.get("properties") or {}).items():
            yield from integers(child, f"{where}.{name}")
        for key in ("items", "additionalProperties"):
            if isinstance(schema.get(key), dict):
                yield from integers(schema[key], f"{where}[]")

    found = 0
    for path, item in spec["paths"].items():
        for method in set(item) & HTTP_METHODS:
            operation = item[method]
            for parameter in operation.get("parameters", []):
                if "$ref" in parameter:  # If-None-Match
                    continue
                for where, schema in integers(
                    parameter["schema"], f"{method} {path} {parameter['name']}"
                ):
                    found += 1
                    assert {"minimum", "maximum"} <= set(schema), where
            for content in operation.get("requestBody", {}).get("content", {}).values():
                for where, schema in integers(content["schema"], f"{method} {path} body"):
                    found += 1
                    assert {"minimum", "maximum"} <= set(schema), where
    assert found > 20


def test_every_patch_refuses_an_empty_body(client, spec, make):
    admin = make.user(Role.ADMIN, administration=None)
    patches = [path for path, item in spec["paths"].items() if "patch" in item]

    for path in patches:
        url = re.sub(r"\{[^}]+\}", "1", path).replace("/administrations/1", "/administrations/AZ")
        response = client.patch(url, json={}, headers=admin.headers)

        assert_problem(response, 422)
    assert len(patches) >= 8
