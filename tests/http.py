"""Assertions on HTTP responses shared by every domain's tests."""

from __future__ import annotations

import re
from collections.abc import Iterable

from werkzeug.test import TestResponse

PROBLEM_MEMBERS = {"type", "title", "status", "detail"}


def assert_problem(
    response: TestResponse, status: int, *, fields: Iterable[str] = ()
) -> dict[str, object]:
    """An RFC 9457 problem with ``status``; ``fields`` must each be named in ``errors``."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert isinstance(body, dict)
    assert set(body) >= PROBLEM_MEMBERS
    assert body["status"] == status
    for field in fields:
        assert field in body.get("errors", {}), body
    return body


def links(response: TestResponse) -> dict[str, str]:
    """The RFC 8288 ``Link`` header as {rel: url}."""
    return {
        rel: url
        for url, rel in re.findall(r'<([^>]+)>;\s*rel="([^"]+)"', response.headers.get("Link", ""))
    }
