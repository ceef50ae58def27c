"""The app-served side of LocalStorage's presigned URLs, mirroring S3's behaviour.

``GET /storage/objects/<token>`` streams an object (with Range support) while the token is
valid. ``POST /storage/uploads`` takes the same multipart form as an S3 presigned POST: the
policy fields first, the file last. The policy is checked before the file's first byte is
read, and the file is streamed to disk and refused as soon as it exceeds the size limit. Status
codes follow S3: 400 for a malformed form or a size outside the range, 403 for a forged,
expired or unmet policy, 204 on success.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from flask import Blueprint, Response, current_app, request, send_file
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import (
    NEED_DATA,
    Data,
    Epilogue,
    Event,
    Field,
    File,
    MultipartDecoder,
)
from werkzeug.wsgi import get_input_stream

from elearn import clock
from elearn.errors import problem
from elearn.infra.storage.base import (
    MIN_UPLOAD_SIZE,
    UPLOAD_FILE_FIELD,
    ObjectNotFound,
    content_disposition,
)
from elearn.infra.storage.local import POLICY_FIELD, GrantRefused, LocalStorage, UploadGrant

storage_blp = Blueprint("storage", __name__, url_prefix="/storage")

READ_SIZE = 64 * 1024
MAX_FIELD_BYTES = 16 * 1024
MAX_PARTS = 32
# Served objects are user uploads on the API's own origin: never let a browser run them.
SERVED_OBJECT_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


class UploadRejected(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def _local() -> LocalStorage:
    local: LocalStorage = current_app.extensions["elearn.storage"]
    return local


@storage_blp.errorhandler(GrantRefused)
def _refused(error: GrantRefused) -> Response:
    return problem(403, str(error))


@storage_blp.errorhandler(UploadRejected)
def _rejected(error: UploadRejected) -> Response:
    return problem(error.status, error.detail)


@storage_blp.errorhandler(ObjectNotFound)
def _missing(_error: ObjectNotFound) -> Response:
    return problem(404, "The object no longer exists.")


@storage_blp.get("/objects/<token>")
def download(token: str) -> Response:
    """Stream the object a valid download token names."""
    local = _local()
    grant = local.download_grant(token)
    info = local.head(grant.key)
    response = send_file(
        local.path_of(grant.key),
        mimetype=grant.content_type or info.content_type,
        etag=info.etag,
        conditional=True,
    )
    if grant.filename or not grant.inline:
        response.headers["Content-Disposition"] = content_disposition(
            grant.filename, inline=grant.inline
        )
    remaining = int((grant.expires_at - clock.now()).total_seconds())
    response.headers["Cache-Control"] = f"private, max-age={max(remaining, 0)}"
    response.headers.update(SERVED_OBJECT_HEADERS)
    return response


@storage_blp.post("/uploads")
def upload() -> Response:
    """Store the form's file if its signed policy allows it."""
    mimetype, options = parse_options_header(request.headers.get("Content-Type", ""))
    boundary = options.get("boundary", "")
    if mimetype != "multipart/form-data" or not boundary:
        raise UploadRejected(400, "Send the upload as multipart/form-data.")
    decoder = MultipartDecoder(boundary.encode(), READ_SIZE * 4, max_parts=MAX_PARTS)
    # The size limit is the policy's, enforced while streaming, not the app's JSON body limit.
    body = get_input_stream(request.environ, max_content_length=None)
    events = _events(decoder, body)
    fields: dict[str, str] = {}
    try:
        for event in events:
            if isinstance(event, File):
                if event.name != UPLOAD_FILE_FIELD:
                    raise UploadRejected(
                        400, f"The file must be the form field {UPLOAD_FILE_FIELD!r}."
                    )
                _store(_local(), _honoured_grant(fields), events)
                return Response(status=204)
            if isinstance(event, Field):
                fields[event.name] = _field_value(events)
    except ValueError:
        raise UploadRejected(400, "The multipart form is malformed.") from None
    raise UploadRejected(400, f"The form has no {UPLOAD_FILE_FIELD!r} field.")


def _honoured_grant(fields: dict[str, str]) -> UploadGrant:
    """The policy's grant, if the form fields say exactly what the policy signed."""
    grant = _local().upload_grant(fields.get(POLICY_FIELD, ""))
    if fields.get("key") != grant.key or fields.get("Content-Type") != grant.content_type:
        raise GrantRefused("Invalid according to Policy: Policy Condition failed.")
    return grant


def _store(local: LocalStorage, grant: UploadGrant, events: Iterator[Event]) -> None:
    with local.writing(grant.key, grant.content_type) as writer:
        for chunk in _part_data(events):
            if writer.size + len(chunk) > grant.max_size:
                raise UploadRejected(
                    400, f"The upload exceeds the maximum allowed size ({grant.max_size} bytes)."
                )
            writer.write(chunk)
        if writer.size < MIN_UPLOAD_SIZE:
            raise UploadRejected(400, "The upload is empty.")


def _field_value(events: Iterator[Event]) -> str:
    value = b""
    for chunk in _part_data(events):
        value += chunk
        if len(value) > MAX_FIELD_BYTES:
            raise UploadRejected(400, "A form field is too long.")
    return value.decode("utf-8", "replace")


def _part_data(events: Iterator[Event]) -> Iterator[bytes]:
    """The bytes of the current part, as they arrive."""
    for event in events:
        if not isinstance(event, Data):
            raise ValueError("a part ended without its data")
        yield event.data
        if not event.more_data:
            return


def _events(decoder: MultipartDecoder, stream: IO[bytes]) -> Iterator[Event]:
    """The form's parts as events, reading the body only as fast as they are consumed."""
    while True:
        event = decoder.next_event()
        if event is NEED_DATA:
            decoder.receive_data(stream.read(READ_SIZE) or None)
        elif isinstance(event, Epilogue):
            return
        else:
            yield event
