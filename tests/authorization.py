"""Table-driven authorization checks, shared by every domain's ``test_authorization.py``.

Each domain test module defines ``CASES`` (a list of ``Case``) and a ``world`` fixture that
arranges the objects its paths refer to, then calls ``check(case, client, actors, world)``.
``tests/test_authorization_coverage.py`` proves every API endpoint appears in some table.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import Person

API_PREFIXES = ("/api/v1/", "/health/")
_UNGUARDED_METHODS = frozenset({"HEAD", "OPTIONS"})
_DOCUMENTATION_ENDPOINTS = frozenset(
    {"static", "api-docs.openapi_json", "api-docs.openapi_swagger_ui"}
)

ACTORS = (
    "anonymous",
    "trainee",
    "trainer",
    "contact_point",
    "other_contact_point",
    "admin",
)


@dataclass(frozen=True)
class Case:
    """``expected`` maps every actor in ACTORS to the status code they must get."""

    method: str
    path: str
    expected: dict[str, int]
    json: dict[str, Any] | None = None
    name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # A multipart upload: this text (formatted like the body) as ``file``, ``json`` as form fields.
    upload: str | None = None

    def __post_init__(self) -> None:
        missing = set(ACTORS) - set(self.expected)
        if missing:
            raise ValueError(f"{self.method} {self.path}: no expectation for {sorted(missing)}")

    @property
    def id(self) -> str:
        return self.name or f"{self.method} {self.path}"


def expect(
    anonymous: int,
    trainee: int,
    trainer: int,
    contact_point: int,
    other_contact_point: int,
    admin: int,
) -> dict[str, int]:
    return {
        "anonymous": anonymous,
        "trainee": trainee,
        "trainer": trainer,
        "contact_point": contact_point,
        "other_contact_point": other_contact_point,
        "admin": admin,
    }


def check(
    case: Case, client: FlaskClient, actors: dict[str, Person | None], world: dict[str, Any]
) -> None:
    """Send the case's request as every actor; collect all mismatches, then fail once.

    Paths and string values of the body are formatted with ``world`` and ``{actor}`` (the
    actor's name), so a request that creates something can differ per actor.
    """
    mismatches = []
    for actor_name in ACTORS:
        values = {**world, "actor": actor_name}
        path = case.path.format(**values)
        body = {
            key: (value.format(**values) if isinstance(value, str) else value)
            for key, value in (case.json or {}).items()
        }
        person = actors[actor_name]
        headers = person.headers if person is not None else {}
        if case.upload is not None:
            upload = io.BytesIO(case.upload.format(**values).encode())
            response = client.open(
                path,
                method=case.method,
                data={**body, "file": (upload, "upload.csv")},
                content_type="multipart/form-data",
                headers={**headers, "X-Requested-With": "tests"},
            )
        else:
            response = client.open(
                path,
                method=case.method,
                json=body if case.method not in {"GET", "HEAD"} else None,
                headers=headers,
            )
        if response.status_code != case.expected[actor_name]:
            mismatches.append(
                f"{actor_name}: got {response.status_code}, expected "
                f"{case.expected[actor_name]} ({response.get_data(as_text=True)[:200]})"
            )
    assert not mismatches, f"{case.id} as\n  " + "\n  ".join(mismatches)


def api_endpoints(app: Flask) -> set[tuple[str, str]]:
    """Every (method, rule) of the API and the probes: what the tables must cover."""
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(API_PREFIXES) and rule.endpoint not in _DOCUMENTATION_ENDPOINTS
        for method in (rule.methods or set()) - _UNGUARDED_METHODS
    }
