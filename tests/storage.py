"""Storage under test: each backend with the plain HTTP client its presigned URLs are used with.

``s3`` talks HTTP to SeaweedFS with ``requests``; ``local`` goes through the Flask test client
to the app-served URLs. The ``seaweedfs``, ``s3_options`` and ``backend`` fixtures
(tests/conftest.py) build them.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta

import requests
from flask import Flask

from elearn import clock
from elearn.infra.storage import UPLOAD_FILE_FIELD, LocalStorage, S3Options, S3Storage, Storage

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


def _requests_reply(response: requests.Response) -> Reply:
    return Reply(response.status_code, response.headers, response.content)


def s3_backend(options: S3Options) -> Backend:
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


def local_backend(app: Flask) -> Backend:
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
