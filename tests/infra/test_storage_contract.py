"""The Storage contract, run against S3Storage (SeaweedFS over HTTP) and LocalStorage (the
app-served URLs through the test client): what the media, course and certificate domains
may rely on whichever store is configured."""

from __future__ import annotations

import hashlib
import io
import tracemalloc
from datetime import timedelta
from urllib.parse import unquote

import pytest

from elearn.infra.storage import (
    CHUNK_SIZE,
    ObjectNotFound,
    new_object_key,
)
from tests.storage import Backend, MiB

MINUTE = timedelta(minutes=1)


class GeneratedStream(io.RawIOBase):
    """``size`` bytes made on demand by a generator; never more than one chunk in memory."""

    def __init__(self, size: int) -> None:
        self.digest = hashlib.sha256()
        self._chunks = self._generate(size)
        self._pending = b""

    def _generate(self, size: int):
        counter = 0
        while size > 0:
            block = hashlib.sha256(counter.to_bytes(8, "big")).digest() * (64 * 1024 // 32)
            block = block[:size]
            self.digest.update(block)
            size -= len(block)
            counter += 1
            yield block

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self._pending:
            self._pending = next(self._chunks, b"")
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count


def _read_all(backend: Backend, key: str) -> bytes:
    with backend.storage.open(key) as reader:
        return reader.read()


def test_put_get_head_delete_round_trip(backend):
    key = new_object_key("tests")
    content = "Customs valuation — таможенная стоимость".encode() * 100

    stored = backend.storage.put(key, content, "text/markdown")

    assert stored.key == key
    assert stored.size == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert backend.storage.exists(key)
    assert _read_all(backend, key) == content
    info = backend.storage.head(key)
    assert (info.size, info.content_type, info.sha256) == (
        len(content),
        "text/markdown",
        stored.sha256,
    )
    assert info.etag

    backend.storage.delete(key)

    assert not backend.storage.exists(key)
    with pytest.raises(ObjectNotFound):
        backend.storage.head(key)
    with pytest.raises(ObjectNotFound):
        backend.storage.open(key)
    backend.storage.delete(key)


def test_copy_is_an_independent_object_with_the_same_bytes_and_type(backend):
    source, target = new_object_key("tests"), new_object_key("tests")
    backend.storage.put(source, b"%PDF-1.7 original", "application/pdf")

    backend.storage.copy(source, target)
    backend.storage.put(source, b"%PDF-1.7 replaced later", "application/pdf")

    assert _read_all(backend, target) == b"%PDF-1.7 original"
    assert backend.storage.head(target).content_type == "application/pdf"
    with pytest.raises(ObjectNotFound):
        backend.storage.copy(new_object_key("tests"), new_object_key("tests"))


def test_put_from_a_stream_hashes_what_it_stored(backend):
    key = new_object_key("tests")
    content = bytes(range(256)) * 5000

    stored = backend.storage.put(key, io.BytesIO(content), "application/octet-stream")

    assert (stored.size, stored.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert _read_all(backend, key) == content


def test_a_large_object_is_streamed_both_ways_without_being_held_whole(backend):
    key = new_object_key("tests")
    size = 20 * MiB
    source = GeneratedStream(size)

    tracemalloc.start()
    try:
        stored = backend.storage.put(key, source, "video/mp4")
        read_back = hashlib.sha256()
        read_size = 0
        with backend.storage.open(key) as reader:
            while chunk := reader.read(CHUNK_SIZE):
                read_back.update(chunk)
                read_size += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert stored.size == read_size == size
    assert stored.sha256 == read_back.hexdigest() == source.digest.hexdigest()
    assert backend.storage.head(key).sha256 == stored.sha256
    # What may be in memory at once: a 1 MiB read buffer, plus on S3 two 1 MiB chunks (payload
    # signature and part checksum) per part in flight, two here; nothing grows with the object.
    assert peak < 8 * MiB, f"peak traced memory {peak / MiB:.1f} MiB for a 20 MiB object"


def test_presigned_download_is_a_plain_get_with_the_chosen_name_and_type(backend):
    key = new_object_key("tests")
    content = b"%PDF-1.7 certificate"
    backend.storage.put(key, content, "application/pdf")

    url = backend.storage.presigned_download(
        key, MINUTE, download_filename="Сертификат «AZ» 2025.pdf", content_type="application/pdf"
    )
    reply = backend.get(url)

    assert reply.status == 200
    assert reply.body == content
    assert reply.headers["Content-Type"] == "application/pdf"
    disposition = reply.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == "Сертификат «AZ» 2025.pdf"


def test_presigned_download_inline_without_a_name(backend):
    key = new_object_key("tests")
    backend.storage.put(key, b"\x00\x00\x00\x18ftypmp42", "video/mp4")

    reply = backend.get(backend.storage.presigned_download(key, MINUTE, inline=True))

    assert reply.status == 200
    assert reply.headers["Content-Type"] == "video/mp4"
    assert reply.headers.get("Content-Disposition", "inline").startswith("inline")


def test_presigned_upload_by_a_plain_form_post(backend):
    key = new_object_key("tests")
    content = b"\x89PNG\r\n\x1a\n" + b"pixels" * 100
    upload = backend.storage.presigned_upload(key, 1000, "image/png", MINUTE)

    reply = backend.post_form(upload.url, upload.fields, content)

    assert reply.status == 204, reply.body
    info = backend.storage.head(key)
    assert (info.size, info.content_type) == (len(content), "image/png")
    assert _read_all(backend, key) == content


def test_presigned_upload_accepts_exactly_the_size_limit(backend):
    key = new_object_key("tests")
    upload = backend.storage.presigned_upload(key, 100, "image/png", MINUTE)

    assert backend.post_form(upload.url, upload.fields, b"x" * 100).status == 204
    assert backend.storage.head(key).size == 100


@pytest.mark.parametrize("size", [101, 0], ids=["over the limit", "empty"])
def test_an_upload_outside_the_size_range_is_refused_by_the_server(backend, size):
    key = new_object_key("tests")
    upload = backend.storage.presigned_upload(key, 100, "image/png", MINUTE)

    reply = backend.post_form(upload.url, upload.fields, b"x" * size)

    assert reply.status == 400
    assert not backend.storage.exists(key)


@pytest.mark.parametrize(
    "override",
    [
        {"Content-Type": "text/html"},
        {"Content-Type": "IMAGE/PNG"},
        {"Content-Type": "image/png; charset=utf-8"},
        {"key": "tests/another-object"},
    ],
    ids=["another content type", "other case", "content type with parameters", "another key"],
)
def test_an_upload_that_changes_a_signed_field_is_refused_by_the_server(backend, override):
    key = new_object_key("tests")
    upload = backend.storage.presigned_upload(key, 1000, "image/png", MINUTE)

    reply = backend.post_form(upload.url, {**upload.fields, **override}, b"<script>")

    assert reply.status == 403
    assert not backend.storage.exists(key)
    assert not backend.storage.exists("tests/another-object")


def test_an_upload_without_the_content_type_field_is_refused(backend):
    key = new_object_key("tests")
    upload = backend.storage.presigned_upload(key, 1000, "image/png", MINUTE)
    fields = {name: value for name, value in upload.fields.items() if name != "Content-Type"}

    assert backend.post_form(upload.url, fields, b"png").status == 403
    assert not backend.storage.exists(key)


def test_expired_urls_are_refused(backend):
    key = new_object_key("tests")
    backend.storage.put(key, b"lesson", "text/plain")
    second = timedelta(seconds=1)
    download_url = backend.storage.presigned_download(key, second)
    upload_key = new_object_key("tests")
    upload = backend.storage.presigned_upload(upload_key, 100, "text/plain", second)

    backend.let_pass(second)

    assert backend.get(download_url).status == 403
    assert backend.post_form(upload.url, upload.fields, b"late").status == 403
    assert not backend.storage.exists(upload_key)


def test_urls_signed_with_another_secret_are_refused(backend):
    key = new_object_key("tests")
    backend.storage.put(key, b"lesson", "text/plain")
    impostor = backend.with_secret("not-the-secret-" + "x" * 24)
    upload = impostor.presigned_upload(new_object_key("tests"), 100, "text/plain", MINUTE)

    assert backend.get(impostor.presigned_download(key, MINUTE)).status == 403
    assert backend.post_form(upload.url, upload.fields, b"forged").status == 403
    assert not backend.storage.exists(upload.fields["key"])


def test_readiness_check_passes_on_a_usable_store(backend):
    backend.storage.check()
