"""S3Storage against SeaweedFS: what only the S3 backend does, and how it fails."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
import requests
from flask import Flask

from elearn.infra import storage as storage_module
from elearn.infra.storage import (
    S3Options,
    S3Storage,
    StorageAuthError,
    StorageError,
    StorageUnavailable,
    new_object_key,
)
from elearn.infra.storage import s3 as s3_backend
from elearn.infra.storage.base import MAX_TTL

MINUTE = timedelta(minutes=1)


@pytest.fixture
def store(s3_options: S3Options) -> S3Storage:
    return S3Storage(s3_options)


@pytest.fixture
def silent_server() -> Iterator[tuple[str, list[socket.socket]]]:
    """An endpoint that accepts connections and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", accepted
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_keys_live_under_the_configured_prefix(store, seaweedfs):
    key = new_object_key("media")

    store.put(key, b"x", "text/plain")

    raw = seaweedfs.client().head_object(Bucket=seaweedfs.bucket, Key=f"tests/{key}")
    assert raw["ContentLength"] == 1
    assert raw["Metadata"]["sha256"] == store.head(key).sha256


@pytest.mark.parametrize("body", [b"payload", "stream"], ids=["bytes", "stream"])
def test_the_server_refuses_bytes_that_do_not_match_the_sent_sha256(
    store, monkeypatch, body, tmp_path
):
    key = new_object_key("tests")
    monkeypatch.setattr(s3_backend, "_b64", lambda _digest: "A" * 43 + "=")
    source = tmp_path / "payload"
    source.write_bytes(b"payload")

    with pytest.raises(StorageError), source.open("rb") as stream:
        store.put(key, body if isinstance(body, bytes) else stream, "text/plain")

    assert not store.exists(key)


def test_an_object_uploaded_by_form_has_no_recorded_sha256(store):
    key = new_object_key("tests")
    upload = store.presigned_upload(key, 100, "text/plain", MINUTE)
    files = {"file": ("a.txt", b"hello", "text/plain")}

    assert requests.post(upload.url, data=upload.fields, files=files, timeout=30).status_code == 204

    assert store.head(key).sha256 is None


def test_a_download_url_for_one_key_does_not_open_another(store):
    mine, theirs = new_object_key("tests"), new_object_key("tests")
    store.put(mine, b"mine", "text/plain")
    store.put(theirs, b"theirs", "text/plain")

    url = store.presigned_download(mine, MINUTE)
    forged = url.replace(mine.split("/")[-1], theirs.split("/")[-1])

    assert requests.get(forged, timeout=30).status_code == 403


def test_presigned_urls_point_at_the_public_endpoint(s3_options, seaweedfs):
    public = seaweedfs.endpoint_url.replace("127.0.0.1", "localhost")
    store = S3Storage(replace(s3_options, public_endpoint_url=public))
    key = new_object_key("tests")
    store.put(key, b"through the public name", "text/plain")

    url = store.presigned_download(key, MINUTE)
    upload = store.presigned_upload(new_object_key("tests"), 100, "text/plain", MINUTE)

    assert url.startswith(public)
    assert upload.url.startswith(public)
    assert requests.get(url, timeout=30).content == b"through the public name"


@pytest.mark.parametrize(
    "credentials",
    [
        {"secret_access_key": "wrong-secret"},
        {"access_key_id": "unknown-key", "secret_access_key": "wrong-secret"},
    ],
    ids=["wrong secret", "unknown access key"],
)
def test_wrong_credentials_are_a_clear_error(s3_options, store, credentials):
    key = new_object_key("tests")
    store.put(key, b"x", "text/plain")
    refused = S3Storage(replace(s3_options, **credentials))

    with pytest.raises(StorageAuthError, match="ELEARN_S3_SECRET_ACCESS_KEY"):
        refused.check()
    with pytest.raises(StorageAuthError):
        refused.put(new_object_key("tests"), b"x", "text/plain")
    with pytest.raises(StorageAuthError):
        refused.head(key)
    with pytest.raises(StorageAuthError):
        refused.open(key)


def test_a_missing_bucket_fails_the_readiness_check(s3_options):
    with pytest.raises(StorageError, match="bucket no-such-bucket does not exist"):
        S3Storage(replace(s3_options, bucket="no-such-bucket")).check()


def test_a_closed_endpoint_is_a_clear_error(s3_options):
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    store = S3Storage(replace(s3_options, endpoint_url=endpoint))

    with pytest.raises(StorageUnavailable, match=f"cannot reach {endpoint}"):
        store.check()
    with pytest.raises(StorageUnavailable):
        store.put(new_object_key("tests"), b"x", "text/plain")


def test_a_silent_endpoint_fails_after_the_configured_attempts(s3_options, silent_server):
    endpoint, accepted = silent_server
    store = S3Storage(replace(s3_options, endpoint_url=endpoint, read_timeout=1, max_attempts=2))

    with pytest.raises(StorageUnavailable, match="Read timeout"):
        store.head(new_object_key("tests"))

    assert len(accepted) == 2


def test_presigned_limits_are_checked_before_signing(store):
    key = new_object_key("tests")
    with pytest.raises(ValueError, match="seven days"):
        store.presigned_download(key, MAX_TTL + timedelta(seconds=1))
    with pytest.raises(ValueError, match="seven days"):
        store.presigned_upload(key, 10, "text/plain", timedelta(0))
    with pytest.raises(ValueError, match="at least one byte"):
        store.presigned_upload(key, 0, "text/plain", MINUTE)
    with pytest.raises(ValueError, match="content type"):
        store.presigned_upload(key, 10, "text/plain\r\nX-Injected: 1", MINUTE)


def test_init_app_on_s3_serves_no_local_routes_and_checks_the_bucket(settings, seaweedfs):
    s3_settings = replace(
        settings,
        storage_url=f"s3://{seaweedfs.bucket}/tests",
        s3_endpoint_url=seaweedfs.endpoint_url,
        s3_access_key_id=seaweedfs.access_key_id,
        s3_secret_access_key=seaweedfs.secret_access_key,
    )
    app = Flask(__name__)

    storage_module.init_app(app, s3_settings)

    with app.app_context():
        assert isinstance(storage_module.storage(), S3Storage)
    assert not any(rule.rule.startswith("/storage") for rule in app.url_map.iter_rules())
    app.extensions["elearn.readiness"]["storage"].check()
    wrong = Flask(__name__)
    storage_module.init_app(wrong, replace(s3_settings, s3_secret_access_key="wrong"))
    with pytest.raises(StorageAuthError):
        wrong.extensions["elearn.readiness"]["storage"].check()
