"""Fixtures of the content tests: package uploads and smaller limits."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.content.builders import zip_of
from tests.factories import Person


@pytest.fixture
def upload(client: FlaskClient) -> Callable[..., TestResponse]:
    """POST a package (files mapping, or raw zip bytes) to the import endpoint."""

    def send(
        person: Person | None, package: Mapping[str, bytes] | bytes, **form: Any
    ) -> TestResponse:
        archive = package if isinstance(package, bytes) else zip_of(package)
        headers = {"X-Requested-With": "test", **(person.headers if person else {})}
        return client.post(
            "/api/v1/courses/import",
            data={"package": (io.BytesIO(archive), "package.zip"), **form},
            headers=headers,
            content_type="multipart/form-data",
        )

    return send


@pytest.fixture
def override_settings(app: Flask) -> Iterator[Callable[..., None]]:
    """Change settings for one test (e.g. smaller package limits)."""
    original = app.extensions["elearn.settings"]

    def override(**changes: Any) -> None:
        app.extensions["elearn.settings"] = replace(original, **changes)

    yield override
    app.extensions["elearn.settings"] = original
