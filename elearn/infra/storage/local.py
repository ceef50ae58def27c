"""LocalStorage: the embedded default, objects as files in one folder.

Presigned URLs behave as on S3 but are served by the app (``local_api``): a download URL carries
a token signed with the app's secret key, an upload a signed policy (key, content type, size
limit, expiry) that the app checks before it writes a byte. Writes are atomic (temporary file,
fsync, rename), and keys cannot leave the folder.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, BinaryIO

from itsdangerous import BadSignature, URLSafeSerializer

from elearn import clock
from elearn.infra.storage.base import (
    CHUNK_SIZE,
    HashingWriter,
    ObjectInfo,
    ObjectNotFound,
    PresignedUpload,
    StorageError,
    StoredObject,
    check_key,
    check_max_size,
    check_media_type,
    check_ttl,
)

DOWNLOAD_PATH = "/storage/objects/"
UPLOAD_PATH = "/storage/uploads"
POLICY_FIELD = "policy"
DEFAULT_CONTENT_TYPE = "application/octet-stream"
_META = ".meta"
_TMP = ".tmp"


class GrantRefused(Exception):
    """A presigned URL or upload policy is forged, altered, expired or not honoured."""


@dataclass(frozen=True)
class DownloadGrant:
    key: str
    filename: str | None
    content_type: str | None
    inline: bool
    expires_at: datetime


@dataclass(frozen=True)
class UploadGrant:
    key: str
    max_size: int
    content_type: str
    expires_at: datetime


class LocalStorage:
    """The Storage protocol on a local folder, presigned URLs served under ``base_url``."""

    def __init__(self, root: Path, secret_key: str, base_url: str) -> None:
        self.root = root.resolve()
        self.base_url = base_url.rstrip("/")
        self._downloads = URLSafeSerializer(secret_key, salt="elearn.storage.download")
        self._uploads = URLSafeSerializer(secret_key, salt="elearn.storage.upload")
        for folder in (self.root, self.root / _META, self.root / _TMP):
            folder.mkdir(parents=True, exist_ok=True)

    def put(self, key: str, data: bytes | IO[bytes], content_type: str) -> StoredObject:
        with self.writing(key, content_type) as writer:
            writer.copy_from(data)
        return StoredObject(key, writer.size, writer.sha256)

    @contextmanager
    def writing(self, key: str, content_type: str) -> Iterator[HashingWriter]:
        """Write an object through the yielded writer; it appears whole or, if the block
        raises, not at all."""
        path = self.path_of(key)
        check_media_type(content_type)
        spool = tempfile.NamedTemporaryFile(dir=self.root / _TMP, delete=False)  # noqa: SIM115
        try:
            with spool:
                writer = HashingWriter(spool)
                yield writer
                spool.flush()
                os.fsync(spool.fileno())
            meta = {"content_type": content_type, "sha256": writer.sha256, "size": writer.size}
            self._replace(self._meta_path(key), json.dumps(meta).encode())
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(spool.name, path)
        finally:
            Path(spool.name).unlink(missing_ok=True)

    def open(self, key: str) -> BinaryIO:
        try:
            return self.path_of(key).open("rb", buffering=CHUNK_SIZE)
        except (FileNotFoundError, IsADirectoryError):
            raise ObjectNotFound(f"no object {key} in {self.root}") from None

    def head(self, key: str) -> ObjectInfo:
        try:
            stat = self.path_of(key).stat()
        except FileNotFoundError:
            raise ObjectNotFound(f"no object {key} in {self.root}") from None
        meta = self._meta(key)
        sha256 = meta.get("sha256")
        return ObjectInfo(
            key=key,
            size=stat.st_size,
            content_type=meta.get("content_type", DEFAULT_CONTENT_TYPE),
            sha256=sha256,
            etag=sha256 or f"{stat.st_mtime_ns:x}-{stat.st_size:x}",
        )

    def copy(self, source_key: str, target_key: str) -> None:
        content_type = self.head(source_key).content_type
        with self.open(source_key) as reader, self.writing(target_key, content_type) as writer:
            writer.copy_from(reader)

    def delete(self, key: str) -> None:
        self.path_of(key).unlink(missing_ok=True)
        self._meta_path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path_of(key).is_file()

    def presigned_download(
        self,
        key: str,
        ttl: timedelta,
        download_filename: str | None = None,
        content_type: str | None = None,
        *,
        inline: bool = False,
    ) -> str:
        check_key(key)
        if content_type:
            check_media_type(content_type)
        token = self._downloads.dumps(
            {
                "k": key,
                "x": self._expiry(ttl),
                "f": download_filename,
                "t": content_type,
                "i": inline,
            }
        )
        return f"{self.base_url}{DOWNLOAD_PATH}{token}"

    def presigned_upload(
        self, key: str, max_size: int, content_type: str, ttl: timedelta
    ) -> PresignedUpload:
        check_key(key)
        expiry = self._expiry(ttl)
        policy = self._uploads.dumps(
            {
                "k": key,
                "x": expiry,
                "n": check_max_size(max_size),
                "t": check_media_type(content_type),
            }
        )
        return PresignedUpload(
            url=f"{self.base_url}{UPLOAD_PATH}",
            fields={"key": key, "Content-Type": content_type, POLICY_FIELD: policy},
            expires_at=datetime.fromtimestamp(expiry, UTC),
        )

    def check(self) -> None:
        """The folder exists and this process may write to it."""
        if not (self.root.is_dir() and os.access(self.root / _TMP, os.W_OK)):
            raise StorageError(f"media folder {self.root} is missing or not writable")

    def download_grant(self, token: str) -> DownloadGrant:
        """What a presigned download URL allows; GrantRefused if forged or expired."""
        claims = self._claims(self._downloads, token)
        return DownloadGrant(
            key=claims["k"],
            filename=claims["f"],
            content_type=claims["t"],
            inline=claims["i"],
            expires_at=datetime.fromtimestamp(claims["x"], UTC),
        )

    def upload_grant(self, policy: str) -> UploadGrant:
        """What a presigned upload policy allows; GrantRefused if forged or expired."""
        claims = self._claims(self._uploads, policy)
        return UploadGrant(
            key=claims["k"],
            max_size=claims["n"],
            content_type=claims["t"],
            expires_at=datetime.fromtimestamp(claims["x"], UTC),
        )

    def path_of(self, key: str) -> Path:
        """The file of ``key``, refused if it would resolve outside the folder."""
        path = (self.root / check_key(key)).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"invalid object key {key!r}")
        return path

    def _meta_path(self, key: str) -> Path:
        return self.root / _META / f"{check_key(key)}.json"

    def _meta(self, key: str) -> dict[str, Any]:
        try:
            meta: dict[str, Any] = json.loads(self._meta_path(key).read_bytes())
        except FileNotFoundError:
            return {}
        return meta

    def _replace(self, path: Path, content: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=self.root / _TMP, delete=False) as spool:
            spool.write(content)
        os.replace(spool.name, path)

    @staticmethod
    def _expiry(ttl: timedelta) -> int:
        return int(clock.now().timestamp()) + check_ttl(ttl)

    @staticmethod
    def _claims(serializer: URLSafeSerializer, token: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = serializer.loads(token)
        except BadSignature:
            raise GrantRefused("The signature does not match.") from None
        if clock.now().timestamp() > claims["x"]:
            raise GrantRefused("The link has expired.")
        return claims
