"""Domain exceptions and their one mapping to RFC 9457 problem+json responses."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, json
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)


class DomainError(Exception):
    """A failure the client can act on; ``detail`` is safe to show."""

    def __init__(
        self,
        detail: str,
        *,
        errors: Mapping[str, Sequence[str]] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = dict(errors) if errors else None
        self.extra = dict(extra) if extra else {}


class Unauthenticated(DomainError):
    """No valid credentials."""


class Forbidden(DomainError):
    """Authenticated, but not allowed."""


class NotFound(DomainError):
    """Does not exist, or must not be revealed to this actor."""


class Conflict(DomainError):
    """The request contradicts the current state (duplicate, wrong status)."""


class Invalid(DomainError):
    """Well-formed input that breaks a domain rule; ``errors`` maps fields to messages."""


class Unprocessable(DomainError):
    """Input the server understood but cannot accept (e.g. an upload whose bytes lie)."""


class TooLarge(DomainError):
    """Input over a configured size limit (an upload, or what an archive expands to)."""


HTTP_STATUS: dict[type[DomainError], HTTPStatus] = {
    Unauthenticated: HTTPStatus.UNAUTHORIZED,
    Forbidden: HTTPStatus.FORBIDDEN,
    NotFound: HTTPStatus.NOT_FOUND,
    Conflict: HTTPStatus.CONFLICT,
    Invalid: HTTPStatus.UNPROCESSABLE_ENTITY,
    Unprocessable: HTTPStatus.UNPROCESSABLE_ENTITY,
    TooLarge: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
}
# RFC 9110 requires a 401 to name the authentication scheme it accepts.
HTTP_HEADERS: dict[type[DomainError], dict[str, str]] = {
    Unauthenticated: {"WWW-Authenticate": 'Bearer realm="elearn"'},
}


def problem(
    status: int,
    detail: str | None = None,
    *,
    errors: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    """Build one RFC 9457 response. ``type`` is a stable URI per status."""
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": f"https://elearn.dev/problems/{phrase.lower().replace(' ', '-')}",
        "title": phrase,
        "status": status,
        "detail": detail or phrase,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _flatten_webargs_messages(messages: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """webargs nests field errors under the location (json, query, files); clients want fields.

    A location whose messages are a plain list (``{"json": ["Invalid JSON body."]}``) is about
    the whole body rather than a field; those messages are returned apart, for the detail.
    """
    flat: dict[str, Any] = {}
    whole: list[str] = []
    for location_errors in messages.values():
        if isinstance(location_errors, Mapping):
            flat.update(location_errors)
        elif isinstance(location_errors, list):
            whole.extend(str(message) for message in location_errors)
    return flat, whole


def handle_domain_error(error: DomainError) -> Response:
    return problem(
        HTTP_STATUS[type(error)],
        error.detail,
        errors=error.errors,
        headers=HTTP_HEADERS.get(type(error)),
        **error.extra,
    )


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    if status >= 500:
        return handle_unexpected(error)
    data = getattr(error, "data", None) or {}
    field_errors, body_errors = _flatten_webargs_messages(data.get("messages") or {})
    errors = data.get("errors") or field_errors
    if errors and status == HTTPStatus.UNPROCESSABLE_ENTITY:
        detail = "The request has invalid fields."
    else:
        detail = str(data.get("message") or " ".join(body_errors) or error.description)
    headers = dict(error.get_headers())
    if error.response is not None:
        headers.update(error.response.headers)
    headers.update(data.get("headers") or {})
    for name in ("Content-Type", "Content-Length"):
        headers.pop(name, None)
    return problem(status, detail, errors=errors or None, headers=headers)


# Seconds a client is asked to wait when the database is unreachable (a restart, a failover).
DATABASE_RETRY_AFTER_SECONDS = 5


def database_unavailable(error: Exception) -> bool:
    """Whether ``error`` says the database cannot be reached (rather than refusing a query)."""
    return isinstance(error, OperationalError | InterfaceError) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )


def handle_unexpected(error: Exception) -> Response:
    original = getattr(error, "original_exception", None) or error
    if database_unavailable(original):
        # Not a bug: the pool replaces its dead connections by itself once the database is back.
        log.warning("database unavailable: %s", type(original).__name__)
        return problem(
            503,
            "The service is briefly unavailable; try again in a few seconds.",
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )
    if not isinstance(original, InternalServerError):
        log.error("unhandled error", exc_info=original)
    return problem(500, "An unexpected error occurred; it has been logged.")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
