"""The storage contract: the ``Storage`` protocol, its value types, errors and object keys.

Every backend stores opaque objects under keys made by ``new_object_key``; callers keep the key
(and the size and SHA-256 that ``put`` returns) in their own rows. Clients never receive storage
credentials: they get short-lived presigned URLs, for downloads a plain GET and for uploads an
HTML-form style POST whose size limit and content type the server enforces.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, BinaryIO, Protocol
from urllib.parse import quote

CHUNK_SIZE = 1024 * 1024
MAX_TTL = timedelta(days=7)
MIN_UPLOAD_SIZE = 1
UPLOAD_FILE_FIELD = "file"

_PREFIX = re.compile(r"[a-z0-9][a-z0-9-]{0,62}(/[a-z0-9][a-z0-9-]{0,62}){0,7}")
_KEY_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
_FILENAME_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/]')
_RFC5987_SAFE = "!#$&+-.^_`|~"


class StorageError(Exception):
    """The store failed; the message says what happened and is safe to log."""


class ObjectNotFound(StorageError):
    """No object is stored under the key."""


class StorageUnavailable(StorageError):
    """The store cannot be reached in time (network, timeout, server error)."""


class StorageAuthError(StorageError):
    """The store refused our credentials or the bucket is not ours to use."""


@dataclass(frozen=True)
class StoredObject:
    """What ``put`` wrote: size in bytes and lowercase hex SHA-256 of exactly those bytes."""

    key: str
    size: int
    sha256: str


@dataclass(frozen=True)
class ObjectInfo:
    """What ``head`` knows about an object; ``sha256`` is None when it was never computed."""

    key: str
    size: int
    content_type: str
    sha256: str | None
    etag: str


@dataclass(frozen=True)
class PresignedUpload:
    """An HTML-form style upload: POST ``fields`` then the bytes as form field ``file``, last."""

    url: str
    fields: dict[str, str]
    expires_at: datetime


class Storage(Protocol):
    """An object store. Keys come from ``new_object_key``; every method may raise StorageError."""

    def put(self, key: str, data: bytes | IO[bytes], content_type: str) -> StoredObject:
        """Store ``data`` (read in chunks if a stream) under ``key``, verified by SHA-256."""

    def open(self, key: str) -> BinaryIO:
        """A buffered reader streaming the object; the caller closes it (``with``)."""

    def head(self, key: str) -> ObjectInfo:
        """Size, content type, SHA-256 if known and etag of the object."""

    def delete(self, key: str) -> None:
        """Remove the object; deleting a missing object is not an error."""

    def copy(self, source_key: str, target_key: str) -> None:
        """Copy an object within the store (server-side on S3), content type included."""

    def exists(self, key: str) -> bool:
        """Whether an object is stored under ``key``."""

    def presigned_download(
        self,
        key: str,
        ttl: timedelta,
        download_filename: str | None = None,
        content_type: str | None = None,
        *,
        inline: bool = False,
    ) -> str:
        """A GET URL valid for ``ttl``, answering with the given file name and content type."""

    def presigned_upload(
        self, key: str, max_size: int, content_type: str, ttl: timedelta
    ) -> PresignedUpload:
        """A form POST valid for ``ttl`` that the server accepts only for 1..max_size bytes
        of exactly ``content_type``, stored under ``key``."""

    def check(self) -> None:
        """Raise StorageError unless the store is usable (readiness probe)."""


def new_object_key(prefix: str) -> str:
    """A fresh, unguessable key under ``prefix`` (e.g. ``media``); never built from user input."""
    if not _PREFIX.fullmatch(prefix):
        raise ValueError(f"invalid key prefix {prefix!r}: lowercase words separated by '/'")
    return f"{prefix}/{secrets.token_hex(20)}"


def check_key(key: str) -> str:
    """``key`` if it is a relative path of safe segments (no '..', no leading '/')."""
    segments = key.split("/")
    if len(key) > 512 or not all(_KEY_SEGMENT.fullmatch(segment) for segment in segments):
        raise ValueError(f"invalid object key {key!r}")
    return key


def check_media_type(content_type: str) -> str:
    """``content_type`` if it is a bare lowercase ``type/subtype``."""
    if len(content_type) > 255 or not _MEDIA_TYPE.fullmatch(content_type):
        raise ValueError(f"invalid content type {content_type!r}: expected type/subtype")
    return content_type


def check_ttl(ttl: timedelta) -> int:
    """``ttl`` in whole seconds, between one second and seven days (the SigV4 limit)."""
    if not timedelta(seconds=1) <= ttl <= MAX_TTL:
        raise ValueError("a presigned URL lives between one second and seven days")
    return int(ttl.total_seconds())


def check_max_size(max_size: int) -> int:
    if max_size < MIN_UPLOAD_SIZE:
        raise ValueError("max_size must be at least one byte")
    return max_size


def content_disposition(filename: str | None, *, inline: bool = False) -> str:
    """An RFC 6266 header value: an ASCII fallback plus the exact UTF-8 name in ``filename*``."""
    kind = "inline" if inline else "attachment"
    if not filename:
        return kind
    name = _FILENAME_UNSAFE.sub("_", filename).strip() or "download"
    fallback = "".join(
        char if char.isascii() else "_"
        for char in unicodedata.normalize("NFKD", name)
        if not unicodedata.combining(char)
    )
    encoded = quote(name, safe=_RFC5987_SAFE)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


class HashingWriter:
    """Passes chunks on to ``sink`` while counting them and computing their SHA-256."""

    def __init__(self, sink: IO[bytes]) -> None:
        self._sink = sink
        self._digest = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> int:
        self._digest.update(chunk)
        self.size += len(chunk)
        return self._sink.write(chunk)

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def copy_from(self, data: bytes | IO[bytes]) -> None:
        """Write all of ``data``, a stream being read one chunk at a time."""
        if isinstance(data, bytes):
            self.write(data)
            return
        while chunk := data.read(CHUNK_SIZE):
            self.write(chunk)
