"""S3Storage: any S3 API (AWS, MinIO, SeaweedFS) through boto3.

Every upload is verified by the server: a single PUT carries the object's SHA-256
(``ChecksumSHA256``), a multipart upload the SHA-256 of each part; the object's own SHA-256 is
kept as ``x-amz-meta-sha256`` so ``head`` can report it whichever way it was written. Streams are
spooled to a temporary file while hashed, so memory stays at one chunk whatever the size.
"""

from __future__ import annotations

import base64
import hashlib
import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Literal

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
)
from s3transfer.manager import TransferConfig, TransferManager

from elearn import clock
from elearn.config import ConfigError, Settings
from elearn.health import PROBE_TIMEOUT_SECONDS
from elearn.infra.storage.base import (
    CHUNK_SIZE,
    MIN_UPLOAD_SIZE,
    HashingWriter,
    ObjectInfo,
    ObjectNotFound,
    PresignedUpload,
    StorageAuthError,
    StorageError,
    StorageUnavailable,
    StoredObject,
    check_key,
    check_max_size,
    check_media_type,
    check_ttl,
    content_disposition,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

SHA256_METADATA = "sha256"
AddressingStyle = Literal["path", "virtual"]
ADDRESSING_STYLES: dict[str, AddressingStyle] = {"path": "path", "virtual": "virtual"}
_MISSING = frozenset({"404", "NoSuchKey", "NotFound"})
_REFUSED = frozenset(
    {"403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken"}
)


@dataclass(frozen=True)
class S3Options:
    """How to reach the store; ``public_endpoint_url`` is what presigned URLs point at."""

    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    public_endpoint_url: str | None = None
    region: str = "us-east-1"
    access_key_id: str | None = None
    secret_access_key: str | None = None
    addressing_style: AddressingStyle = "path"
    connect_timeout: float = 5
    read_timeout: float = 60
    max_attempts: int = 3
    multipart_threshold: int = 64 * 1024 * 1024
    multipart_chunksize: int = 16 * 1024 * 1024
    max_concurrency: int = 4

    @classmethod
    def from_settings(cls, settings: Settings, bucket: str, prefix: str) -> S3Options:
        """The options the ``ELEARN_S3_*`` settings describe; ConfigError if one is invalid."""
        style = ADDRESSING_STYLES.get(settings.s3_addressing_style)
        if style is None:
            raise ConfigError(
                f"ELEARN_S3_ADDRESSING_STYLE must be one of {', '.join(ADDRESSING_STYLES)}"
            )
        for name in ("s3_connect_timeout_seconds", "s3_read_timeout_seconds", "s3_max_attempts"):
            if getattr(settings, name) < 1:
                raise ConfigError(f"ELEARN_{name.upper()} must be at least 1")
        return cls(
            bucket=bucket,
            prefix=prefix,
            endpoint_url=settings.s3_endpoint_url or None,
            public_endpoint_url=settings.s3_public_endpoint_url or None,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id or None,
            secret_access_key=settings.s3_secret_access_key or None,
            addressing_style=style,
            connect_timeout=settings.s3_connect_timeout_seconds,
            read_timeout=settings.s3_read_timeout_seconds,
            max_attempts=settings.s3_max_attempts,
        )


class S3Storage:
    """The Storage protocol on an S3 bucket, keys optionally under a fixed prefix."""

    def __init__(self, options: S3Options) -> None:
        self.options = options
        self._client = _client(options, options.endpoint_url)
        self._presigner = (
            _client(options, options.public_endpoint_url)
            if options.public_endpoint_url
            else self._client
        )
        # The readiness probe's own client: one attempt, short timeouts, whatever the options.
        self._probe = _client(
            replace(
                options,
                connect_timeout=PROBE_TIMEOUT_SECONDS,
                read_timeout=PROBE_TIMEOUT_SECONDS,
                max_attempts=1,
            ),
            options.endpoint_url,
        )
        self._transfer = TransferConfig(
            multipart_threshold=options.multipart_threshold,
            multipart_chunksize=options.multipart_chunksize,
            max_request_concurrency=options.max_concurrency,
        )

    def put(self, key: str, data: bytes | IO[bytes], content_type: str) -> StoredObject:
        """Store ``data``; the server rejects it unless the bytes it got have our SHA-256."""
        name = self._name(key)
        check_media_type(content_type)
        if isinstance(data, bytes):
            sha256 = hashlib.sha256(data).hexdigest()
            with self._errors(key):
                self._client.put_object(
                    Bucket=self.options.bucket,
                    Key=name,
                    Body=data,
                    ContentType=content_type,
                    ChecksumSHA256=_b64(sha256),
                    Metadata={SHA256_METADATA: sha256},
                )
            return StoredObject(key, len(data), sha256)
        with tempfile.NamedTemporaryFile(prefix="elearn-s3-") as spool:
            writer = HashingWriter(spool)
            writer.copy_from(data)
            spool.flush()
            extra: dict[str, Any] = {
                "ContentType": content_type,
                "Metadata": {SHA256_METADATA: writer.sha256},
            }
            # S3 keeps a whole-object SHA-256 only for single PUTs; parts are each verified.
            if writer.size < self.options.multipart_threshold:
                extra["ChecksumSHA256"] = _b64(writer.sha256)
            else:
                extra["ChecksumAlgorithm"] = "SHA256"
            with self._errors(key), TransferManager(self._client, self._transfer) as manager:
                manager.upload(spool.name, self.options.bucket, name, extra_args=extra).result()
        return StoredObject(key, writer.size, writer.sha256)

    def open(self, key: str) -> BinaryIO:
        with self._errors(key):
            response = self._client.get_object(Bucket=self.options.bucket, Key=self._name(key))
        return io.BufferedReader(_BodyReader(response["Body"]), CHUNK_SIZE)

    def head(self, key: str) -> ObjectInfo:
        with self._errors(key):
            response = self._client.head_object(Bucket=self.options.bucket, Key=self._name(key))
        return ObjectInfo(
            key=key,
            size=response["ContentLength"],
            content_type=response.get("ContentType", "application/octet-stream"),
            sha256=response.get("Metadata", {}).get(SHA256_METADATA),
            etag=response.get("ETag", "").strip('"'),
        )

    def copy(self, source_key: str, target_key: str) -> None:
        source = {"Bucket": self.options.bucket, "Key": self._name(source_key)}
        with self._errors(source_key), TransferManager(self._client, self._transfer) as manager:
            manager.copy(source, self.options.bucket, self._name(target_key)).result()

    def delete(self, key: str) -> None:
        with self._errors(key):
            self._client.delete_object(Bucket=self.options.bucket, Key=self._name(key))

    def exists(self, key: str) -> bool:
        try:
            self.head(key)
        except ObjectNotFound:
            return False
        return True

    def presigned_download(
        self,
        key: str,
        ttl: timedelta,
        download_filename: str | None = None,
        content_type: str | None = None,
        *,
        inline: bool = False,
    ) -> str:
        params = {"Bucket": self.options.bucket, "Key": self._name(key)}
        if download_filename or not inline:
            params["ResponseContentDisposition"] = content_disposition(
                download_filename, inline=inline
            )
        if content_type:
            params["ResponseContentType"] = check_media_type(content_type)
        return self._presigner.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=check_ttl(ttl)
        )

    def presigned_upload(
        self, key: str, max_size: int, content_type: str, ttl: timedelta
    ) -> PresignedUpload:
        seconds = check_ttl(ttl)
        expires_at = clock.now() + timedelta(seconds=seconds)
        post = self._presigner.generate_presigned_post(
            Bucket=self.options.bucket,
            Key=self._name(key),
            Fields={"Content-Type": check_media_type(content_type)},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", MIN_UPLOAD_SIZE, check_max_size(max_size)],
            ],
            ExpiresIn=seconds,
        )
        return PresignedUpload(url=post["url"], fields=dict(post["fields"]), expires_at=expires_at)

    def check(self) -> None:
        """The bucket exists and our credentials may use it (within PROBE_TIMEOUT_SECONDS)."""
        with self._errors(None):
            self._probe.head_bucket(Bucket=self.options.bucket)

    def _name(self, key: str) -> str:
        check_key(key)
        return f"{self.options.prefix}/{key}" if self.options.prefix else key

    @contextmanager
    def _errors(self, key: str | None) -> Iterator[None]:
        """Translate boto3's failures into the protocol's errors, with a message an operator
        can act on and no secret in it."""
        where = f"s3://{self.options.bucket}/{self._name(key) if key else ''}"
        endpoint = self.options.endpoint_url or "AWS S3"
        try:
            yield
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in _MISSING and key is not None:
                raise ObjectNotFound(f"no object at {where}") from None
            if code in _REFUSED:
                raise StorageAuthError(
                    f"{endpoint} refused access to {where} ({code}): check "
                    "ELEARN_S3_ACCESS_KEY_ID, ELEARN_S3_SECRET_ACCESS_KEY and the bucket policy"
                ) from None
            if code in _MISSING or code == "NoSuchBucket":
                raise StorageError(f"bucket {self.options.bucket} does not exist") from None
            raise StorageError(f"{endpoint} failed on {where}: {code}") from None
        except (NoCredentialsError, PartialCredentialsError):
            raise StorageAuthError(
                "no S3 credentials: set ELEARN_S3_ACCESS_KEY_ID and ELEARN_S3_SECRET_ACCESS_KEY"
            ) from None
        except (ConnectionError, HTTPClientError) as error:
            raise StorageUnavailable(f"cannot reach {endpoint} for {where}: {error}") from None
        except BotoCoreError as error:
            raise StorageError(f"{endpoint} failed on {where}: {error}") from None


class _BodyReader(io.RawIOBase):
    """botocore's streaming body as a raw stream, so io.BufferedReader can sit on top."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            chunk = self._body.read(len(buffer))
        except BotoCoreError as error:
            raise StorageUnavailable(f"the S3 download broke off: {error}") from None
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        self._body.close()
        super().close()


def _client(options: S3Options, endpoint_url: str | None) -> S3Client:
    config = Config(
        region_name=options.region,
        signature_version="s3v4",
        s3={"addressing_style": options.addressing_style},
        connect_timeout=options.connect_timeout,
        read_timeout=options.read_timeout,
        retries={"mode": "standard", "total_max_attempts": options.max_attempts},
        max_pool_connections=16,
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=options.access_key_id,
        aws_secret_access_key=options.secret_access_key,
        config=config,
    )


def _b64(hex_digest: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_digest)).decode("ascii")
