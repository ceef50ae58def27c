"""Who may call each certificates endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from tests.authorization import Case, check, expect

CASES = [
    Case(
        "GET",
        "/.well-known/jwks.json",
        expect(200, 200, 200, 200, 200, 200),
        name="public keys are public",
    ),
]


@pytest.fixture
def world() -> dict[str, Any]:
    return {}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_authorization(case, client, actors, world):
    check(case, client, actors, world)
