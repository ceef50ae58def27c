"""LocalStorage and its app-served URLs: what only the folder backend does."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from elearn.infra.storage import LocalStorage, ObjectNotFound, StorageError, new_object_key
from elearn.infra.storage.local import DOWNLOAD_PATH

MINUTE = timedelta(minutes=1)


@pytest.fixture
def local(app: Flask) -> LocalStorage:
    return app.extensions["elearn.storage"]


def _objects(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


class BrokenStream(io.RawIOBase):
    """Yields some bytes, then fails like a dropped client connection."""

    def __init__(self) -> None:
        self.sent = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.sent:
            raise ConnectionResetError("client went away")
        self.sent = True
        buffer[:4] = b"half"
        return 4


def _form(fields: dict[str, str], content: bytes, name: str = "file") -> dict[str, object]:
    return {**fields, name: (io.BytesIO(content), "upload.bin")}


@pytest.mark.parametrize(
    "key",
    ["../outside", "/etc/passwd", "tests/../../outside", "tests//x", ".meta/tests", "tests/.x", ""],
)
def test_keys_cannot_leave_the_folder(local, key):
    with pytest.raises(ValueError, match="invalid object key"):
        local.put(key, b"x", "text/plain")
    with pytest.raises(ValueError, match="invalid object key"):
        local.open(key)


def test_a_symlink_out_of_the_folder_is_not_followed(local, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("not yours")
    (local.root / "tests").mkdir(exist_ok=True)
    (local.root / "tests" / "linked").symlink_to(outside)

    with pytest.raises(ValueError, match="invalid object key"):
        local.open("tests/linked")


def test_a_failed_write_leaves_nothing_behind(local):
    key = new_object_key("tests")
    before = _objects(local.root)

    with pytest.raises(ConnectionResetError):
        local.put(key, BrokenStream(), "text/plain")

    assert not local.exists(key)
    assert _objects(local.root) == before


def test_a_served_object_cannot_run_in_the_browser(client, local):
    key = new_object_key("tests")
    local.put(key, b"<script>alert(1)</script>", "text/html")

    response = client.get(local.presigned_download(key, MINUTE, inline=True))

    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["Cache-Control"].startswith("private, max-age=")


def test_a_served_object_answers_range_requests(client, local):
    key = new_object_key("tests")
    local.put(key, bytes(range(100)), "video/mp4")

    response = client.get(local.presigned_download(key, MINUTE), headers={"Range": "bytes=10-19"})

    assert response.status_code == 206
    assert response.get_data() == bytes(range(10, 20))


def test_a_tampered_token_is_refused_with_a_problem(client, local):
    key = new_object_key("tests")
    local.put(key, b"x", "text/plain")
    url = local.presigned_download(key, MINUTE)

    response = client.get(url[:-2] + ("AA" if not url.endswith("AA") else "BB"))

    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == "The signature does not match."


def test_an_upload_policy_is_not_a_download_token(client, local):
    key = new_object_key("tests")
    local.put(key, b"x", "text/plain")
    policy = local.presigned_upload(key, 10, "text/plain", MINUTE).fields["policy"]

    assert client.get(f"{DOWNLOAD_PATH}{policy}").status_code == 403


def test_a_deleted_object_is_gone_from_its_url(client, local):
    key = new_object_key("tests")
    local.put(key, b"x", "text/plain")
    url = local.presigned_download(key, MINUTE)
    local.delete(key)

    response = client.get(url)

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_uploads_are_not_bound_by_the_json_body_limit(client, local, settings):
    key = new_object_key("tests")
    size = settings.max_request_bytes + 1024 * 1024
    upload = local.presigned_upload(key, size, "video/mp4", MINUTE)

    response = client.post(upload.url, data=_form(upload.fields, b"v" * size))

    assert response.status_code == 204
    info = local.head(key)
    assert (info.size, info.content_type) == (size, "video/mp4")


def test_an_upload_stores_its_sha256(client, local):
    key = new_object_key("tests")
    upload = local.presigned_upload(key, 100, "text/plain", MINUTE)

    client.post(upload.url, data=_form(upload.fields, b"hello"))

    assert local.head(key).sha256 == (
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    )


def test_the_policy_must_come_before_the_file(client, local):
    key = new_object_key("tests")
    upload = local.presigned_upload(key, 100, "text/plain", MINUTE)
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nhello\r\n'
        + b"".join(
            f'--b\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in upload.fields.items()
        )
        + b"--b--\r\n"
    )

    response = client.post(upload.url, data=body, content_type="multipart/form-data; boundary=b")

    assert response.status_code == 403
    assert not local.exists(key)


@pytest.mark.parametrize(
    ("body", "content_type", "detail"),
    [
        (b'{"key": "x"}', "application/json", "Send the upload as multipart/form-data."),
        (b"--b--\r\n", "multipart/form-data; boundary=b", "The form has no 'file' field."),
        (
            b'--b\r\nContent-Disposition: form-data; name="key"\r\n\r\nunfinished',
            "multipart/form-data; boundary=b",
            "The multipart form is malformed.",
        ),
        (
            b'--b\r\nContent-Disposition: form-data; name="key"\r\n\r\n'
            + b"k" * 20000
            + b"\r\n--b--\r\n",
            "multipart/form-data; boundary=b",
            "A form field is too long.",
        ),
    ],
    ids=["not a form", "no file", "truncated", "oversized field"],
)
def test_malformed_upload_forms_are_refused(client, local, body, content_type, detail):
    before = _objects(local.root)

    response = client.post("/storage/uploads", data=body, content_type=content_type)

    assert response.status_code == 400
    assert response.get_json()["detail"] == detail
    assert _objects(local.root) == before


def test_the_file_must_be_the_file_field(client, local):
    key = new_object_key("tests")
    upload = local.presigned_upload(key, 100, "text/plain", MINUTE)

    response = client.post(upload.url, data=_form(upload.fields, b"hello", name="document"))

    assert response.status_code == 400
    assert not local.exists(key)


def test_a_truncated_file_is_not_stored(client, local):
    key = new_object_key("tests")
    upload = local.presigned_upload(key, 1000, "text/plain", MINUTE)
    body = (
        b"".join(
            f'--b\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in upload.fields.items()
        )
        + b'--b\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nhalf of it'
    )
    before = _objects(local.root)

    response = client.post(upload.url, data=body, content_type="multipart/form-data; boundary=b")

    assert response.status_code == 400
    assert _objects(local.root) == before


def test_readiness_reports_the_folder(client, local):
    response = client.get("/health/ready")

    assert response.get_json()["checks"]["storage"] == "ok"


def test_a_missing_folder_fails_the_readiness_check(tmp_path):
    store = LocalStorage(tmp_path / "media", "secret", "http://elearn.test")
    (tmp_path / "media" / ".tmp").rmdir()

    with pytest.raises(StorageError, match="missing or not writable"):
        store.check()


def test_a_missing_object_is_object_not_found(local):
    with pytest.raises(ObjectNotFound):
        local.open(new_object_key("tests"))
    assert not local.exists(new_object_key("tests"))
