"""Object storage behind one small protocol, chosen by ``ELEARN_STORAGE_URL``.

``file:///path`` (the embedded default, ``instance/media``) stores files in a folder and serves
its presigned URLs from the app; ``s3://bucket[/prefix]`` talks to any S3 API. Domains call
``storage()`` and keep to the ``Storage`` protocol, so they work the same on both::

    key = new_object_key("media")
    upload = storage().presigned_upload(key, max_size, "video/mp4", timedelta(minutes=15))
    ...
    url = storage().presigned_download(key, timedelta(minutes=5), "lesson 1.mp4")
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app

from elearn.config import ConfigError, Settings
from elearn.health import register_readiness_check
from elearn.infra.storage.base import (
    CHUNK_SIZE,
    UPLOAD_FILE_FIELD,
    ObjectInfo,
    ObjectNotFound,
    PresignedUpload,
    Storage,
    StorageAuthError,
    StorageError,
    StorageUnavailable,
    StoredObject,
    check_key,
    new_object_key,
)
from elearn.infra.storage.local import LocalStorage
from elearn.infra.storage.local_api import storage_blp
from elearn.infra.storage.s3 import S3Options, S3Storage

__all__ = [
    "CHUNK_SIZE",
    "UPLOAD_FILE_FIELD",
    "LocalStorage",
    "ObjectInfo",
    "ObjectNotFound",
    "PresignedUpload",
    "S3Options",
    "S3Storage",
    "Storage",
    "StorageAuthError",
    "StorageError",
    "StorageUnavailable",
    "StoredObject",
    "init_app",
    "new_object_key",
    "open_storage",
    "storage",
]


def open_storage(settings: Settings) -> Storage:
    """The backend ``ELEARN_STORAGE_URL`` names; ConfigError naming the variable otherwise."""
    url = urlsplit(settings.storage_url)
    if url.scheme == "file":
        if url.netloc not in ("", "localhost") or not url.path.startswith("/"):
            raise ConfigError("ELEARN_STORAGE_URL: a file URL needs an absolute path, file:///…")
        return LocalStorage(Path(unquote(url.path)), settings.secret_key, settings.public_base_url)
    if url.scheme == "s3":
        bucket, prefix = _bucket_and_prefix(url.netloc, url.path)
        return S3Storage(S3Options.from_settings(settings, bucket, prefix))
    raise ConfigError(
        f"ELEARN_STORAGE_URL: unknown scheme {url.scheme!r}; use file:///path or "
        "s3://bucket[/prefix]"
    )


def _bucket_and_prefix(bucket: str, path: str) -> tuple[str, str]:
    prefix = path.strip("/")
    if not bucket:
        raise ConfigError("ELEARN_STORAGE_URL: an s3 URL needs a bucket, s3://bucket[/prefix]")
    try:
        if prefix:
            check_key(prefix)
    except ValueError:
        raise ConfigError(f"ELEARN_STORAGE_URL: invalid prefix {prefix!r}") from None
    return bucket, prefix


def init_app(app: Flask, settings: Settings) -> None:
    """Open the configured store, add its readiness check and, for a folder, its routes."""
    backend = open_storage(settings)
    app.extensions["elearn.storage"] = backend
    register_readiness_check(app, "storage", backend.check)
    if isinstance(backend, LocalStorage):
        app.register_blueprint(storage_blp)


def storage() -> Storage:
    """The store of the running app (call inside an app context)."""
    backend: Storage = current_app.extensions["elearn.storage"]
    return backend
