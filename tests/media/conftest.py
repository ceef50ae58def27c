"""Fixtures of the media tests: the upload flow through a store's plain HTTP."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from elearn.accounts.models import Role
from tests.factories import Factory, Person
from tests.media.samples import EXTENSIONS, MP4, PDF
from tests.storage import Backend, Reply, local_backend


@dataclass
class MediaFlow:
    """The client's side of an upload: ask the API, send the form to the store, complete."""

    client: FlaskClient
    backend: Backend

    def start(
        self,
        person: Person,
        course_id: int,
        content: bytes = PDF,
        content_type: str = "application/pdf",
        filename: str | None = None,
        size: int | None = None,
    ) -> TestResponse:
        body = {
            "course_id": course_id,
            "filename": filename or f"handout{EXTENSIONS.get(content_type, '')}",
            "content_type": content_type,
            "size": len(content) if size is None else size,
        }
        return self.client.post("/api/v1/media", json=body, headers=person.headers)

    def send(self, started: Mapping[str, Any], content: bytes, **changed: str) -> Reply:
        """POST the presigned form with ``content``; ``changed`` alters signed fields."""
        upload = started["upload"]
        return self.backend.post_form(upload["url"], {**upload["fields"], **changed}, content)

    def complete(self, person: Person, asset_id: int, **body: Any) -> TestResponse:
        return self.client.post(
            f"/api/v1/media/{asset_id}/complete", json=body, headers=person.headers
        )

    def ready(self, person: Person, course_id: int, *content: Any) -> dict[str, Any]:
        """A ready asset, uploaded and completed the way a client does it (``content`` and
        ``content_type`` as for ``start``)."""
        started = self.start(person, course_id, *content)
        assert started.status_code == 201, started.get_data(as_text=True)
        assert self.send(started.json, content[0] if content else PDF).status == 204
        completed = self.complete(person, started.json["asset"]["id"])
        assert completed.status_code == 200, completed.get_data(as_text=True)
        return completed.json

    def fetch(self, person: Person | None, asset_id: int) -> tuple[TestResponse, Reply | None]:
        """GET the asset's content URL, then follow its redirect with the store's plain client."""
        headers = person.headers if person else {}
        response = self.client.get(f"/api/v1/media/{asset_id}/content", headers=headers)
        if response.status_code != 302:
            return response, None
        return response, self.backend.get(response.headers["Location"])


@pytest.fixture
def trainer(make: Factory) -> Person:
    return make.user(Role.TRAINER, administration=None)


@pytest.fixture
def trainee(make: Factory) -> Person:
    return make.user(Role.TRAINEE, administration="AZ")


@pytest.fixture
def flow(app: Flask, client: FlaskClient, backend: Backend, monkeypatch) -> MediaFlow:
    """The upload flow on each store in turn (the app uses that store meanwhile)."""
    monkeypatch.setitem(app.extensions, "elearn.storage", backend.storage)
    return MediaFlow(client, backend)


@pytest.fixture
def local_flow(app: Flask, client: FlaskClient) -> MediaFlow:
    """The upload flow on the app's own folder store."""
    return MediaFlow(client, local_backend(app))


@pytest.fixture
def lesson_kind(client: FlaskClient):
    """``lesson_kind(person, course, lesson_id, kind)``: change a lesson's kind through the API."""

    def change(person: Person, course_id: int, lesson_id: int, kind: str) -> None:
        response = client.patch(
            f"/api/v1/courses/{course_id}/lessons/{lesson_id}",
            json={"kind": kind},
            headers=person.headers,
        )
        assert response.status_code == 200, response.get_data(as_text=True)

    return change


@pytest.fixture
def show(client: FlaskClient, local_flow: MediaFlow, lesson_kind):
    """``show(owner, course)``: a ready video, shown in the course's first lesson; the asset."""

    def build(owner: Person, course: Any) -> dict[str, Any]:
        lesson_id = course.lesson_ids[0][0]
        lesson_kind(owner, course.id, lesson_id, "video")
        asset = local_flow.ready(owner, course.id, MP4, "video/mp4")
        response = client.put(
            f"/api/v1/lessons/{lesson_id}/media",
            json={"media_asset_id": asset["id"]},
            headers=owner.headers,
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        return asset

    return build
