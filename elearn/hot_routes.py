"""The hottest requests answered before Flask's request pipeline, when they can be.

A trainee's client saves answers every few seconds and submits each attempt once; for such a
request Flask's pipeline (the request and application contexts, URL matching, every hook,
flask-smorest's and webargs' wrappers, the response object) costs more CPU than the request's
own work. A ``HotRoute`` names the Flask endpoint it accelerates and a plain function that
either answers its request whole (a ``HotAnswer``: the JSON document of a 200, and any header
of the endpoint's own), or declines it (None), having written nothing it would not write
again. A declined request goes on to Flask, where the endpoint serves it as always: its
documentation, its errors and every check stay in one place, and the hot function only
answers the common case it can settle alone:

- a valid bearer token (``Caller``, given by the application: the accounts domain's
  ``identity.token_holder_id``, which remembers the holder or reads the token's row; a cookie,
  or a token invalid, expired or revoked, goes to Flask);
- no query string; a body, if the route takes one, of JSON (``Content-Type:
  application/json``, its length given and within ``MAX_CONTENT_LENGTH``) that passes the
  checks every request's body passes (``inputs.load_json``) and the route's own schema.

The path is the endpoint's own rule, matched with the application's converters. The caller
and the hot function run in an application context with statements committing themselves, as
a write whose usual work is one statement does (``uow.statements_first_commit_themselves``),
inside a unit of work; a database or domain error makes it decline (the unit of work rolled back),
and Flask's answer then says what happened (503 for a database that is gone). Tests hold
each hot answer equal to the Flask endpoint's, status, headers and body
(``tests/quizzes/test_hot_routes.py``).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import marshmallow as ma
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from elearn import security_headers, uow
from elearn.database import statements_commit_themselves
from elearn.errors import DomainError
from elearn.inputs import InvalidBody, load_json, schema_instance
from elearn.json_encoding import encode

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)
# The user id of the caller an ``Authorization`` header names, or None: authenticate in full.
Caller = Callable[[str], int | None]


@dataclass(frozen=True)
class HotRequest:
    """What a hot function gets: the path's arguments, the caller, the body as loaded."""

    path: Mapping[str, Any]
    caller_id: int
    body: Any = None


@dataclass(frozen=True)
class HotAnswer:
    """A 200 with this JSON document, and the headers the endpoint adds to every answer's."""

    document: Any
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class HotRoute:
    """``answer`` for the requests to Flask's ``endpoint`` it can settle; ``schema`` loads the
    body of an endpoint that takes one."""

    endpoint: str
    answer: Callable[[HotRequest], HotAnswer | None]
    schema: type[ma.Schema] | None = None


class HotRoutes:
    """WSGI middleware in front of ``app``'s pipeline: see the module docstring."""

    def __init__(self, app: Flask, routes: Iterable[HotRoute], caller: Caller) -> None:
        self._app = app
        self._caller = caller
        # Flask's pipeline (with any middleware already in front of it): it serves every
        # request the hot routes decline.
        self.pipeline: WSGIApplication = app.wsgi_app
        self._routes = {route.endpoint: route for route in routes}
        rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint in self._routes]
        self._methods = frozenset().union(*(rule.methods or () for rule in rules)) - {"OPTIONS"}
        hot_map = Map(
            [Rule(rule.rule, endpoint=rule.endpoint, methods=rule.methods) for rule in rules],
            converters=app.url_map.converters,
        )
        self._paths = hot_map.bind("")
        self._max_body: int | None = app.config["MAX_CONTENT_LENGTH"]

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] in self._methods:
            answered = self._answered(environ)
            if answered is not None:
                document = encode(answered.document)
                start_response("200 OK", _headers(document, answered.headers))
                return [document]
        return self.pipeline(environ, start_response)

    def _answered(self, environ: WSGIEnvironment) -> HotAnswer | None:
        authorization = environ.get("HTTP_AUTHORIZATION")
        if not authorization or environ.get("QUERY_STRING") or "HTTP_COOKIE" in environ:
            return None
        try:
            endpoint, path = self._paths.match(environ["PATH_INFO"], environ["REQUEST_METHOD"])
        except HTTPException:
            return None
        route = self._routes[endpoint]
        body = self._body(environ, route.schema)
        if body is None:
            return None
        with self._app.app_context():
            token = statements_commit_themselves.set(True)
            try:
                with uow.unit_of_work():
                    return self._settled(route, path, authorization, body)
            except (SQLAlchemyError, DomainError):
                log.debug("%s declined on an error", route.endpoint, exc_info=True)
                return None
            finally:
                statements_commit_themselves.reset(token)

    def _settled(
        self, route: HotRoute, path: Mapping[str, Any], authorization: str, body: bytes
    ) -> HotAnswer | None:
        caller_id = self._caller(authorization)
        if caller_id is None:
            return None
        loaded = _loaded(route.schema, body)
        if loaded is _INVALID:
            return None
        return route.answer(HotRequest(path, caller_id, loaded))

    def _body(self, environ: WSGIEnvironment, schema: type[ma.Schema] | None) -> bytes | None:
        """The body of a route that takes one, read and put back for Flask, or b"" for one
        that takes none; None when the request's is not what the route takes."""
        if schema is None:
            return None if _has_body(environ) else b""
        length = environ.get("CONTENT_LENGTH", "")
        if environ.get("CONTENT_TYPE") != "application/json" or not length.isdigit():
            return None
        if self._max_body is not None and int(length) > self._max_body:
            return None
        body: bytes = environ["wsgi.input"].read(int(length))
        environ["wsgi.input"] = io.BytesIO(body)
        return body


def _has_body(environ: WSGIEnvironment) -> bool:
    return environ.get("CONTENT_LENGTH", "") not in ("", "0") or "HTTP_TRANSFER_ENCODING" in environ


_INVALID = object()


def _loaded(schema: type[ma.Schema] | None, body: bytes) -> Any:
    """The body as ``schema`` loads it (None without a schema), or ``_INVALID``."""
    if schema is None:
        return None
    try:
        return schema_instance(schema).load(load_json(body))
    except (InvalidBody, ma.ValidationError):
        return _INVALID


def _headers(document: bytes, own: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """The headers of Flask's answer with this JSON document to a bearer token's holder."""
    return [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(document))),
        *own,
        *security_headers.EVERY_RESPONSE,
        ("Cache-Control", security_headers.PRIVATE),
        ("Vary", "Cookie"),
    ]


def init_app(app: Flask, routes: Iterable[HotRoute], caller: Caller) -> None:
    """Put the hot routes in front of everything ``app`` serves."""
    app.wsgi_app = HotRoutes(app, routes, caller)  # type: ignore[method-assign]
