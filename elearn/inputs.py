"""Limits every request's input keeps before a view reads it.

Some bad input is not any one field's business: an id in a path that no database column can
hold, JSON nested deep enough to exhaust the parser's stack, a NUL character (PostgreSQL refuses
it in text) or an unpaired surrogate (it cannot be encoded as UTF-8) anywhere in a body, a query
argument or a path. Each is refused here, once, with a 4xx, so that no endpoint can answer 500
for it and nothing of it is ever stored. Multipart bodies are left to their endpoints, which
raise the size limit for uploads before reading them; their forms carry no free text.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import flask_smorest
import marshmallow as ma
from flask import Flask, g, request
from marshmallow.utils import missing
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.routing import IntegerConverter, Map

# The largest PostgreSQL ``integer``: the type of every id, and of any number a request stores.
MAX_INTEGER = 2**31 - 1
# Deeper than any request this API takes, far below the parser's recursion limit.
MAX_JSON_DEPTH = 32
# Where the request's check keeps the JSON body it parsed, for the arguments parser.
CHECKED_BODY = "checked_json_body"


class IdConverter(IntegerConverter):
    """``<int:…>`` in a route: 1 to ``MAX_INTEGER``; any other number matches no route (404)."""

    def __init__(self, url_map: Map, fixed_digits: int = 0) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=1, max=MAX_INTEGER)


class Parser(FlaskParser):
    """webargs with one more location, ``multipart``: a form's fields and files read as one
    body, so that one schema documents (and a generated client sends) both."""

    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req: Any, schema: ma.Schema) -> Any:
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)

    def load_json(self, req: Any, schema: ma.Schema) -> Any:
        """The body as the request's check parsed it (``_check_request``): parsed once."""
        checked = g.get(CHECKED_BODY, missing)
        return checked if checked is not missing else super().load_json(req, schema)

    def _get_schema(self, argmap: Any, req: Any) -> ma.Schema:
        """One instance per schema class, made once: making one per request was a good part of
        a small request's time, and loading keeps nothing on the instance."""
        if isinstance(argmap, type) and issubclass(argmap, ma.Schema):
            return schema_instance(argmap)
        return super()._get_schema(argmap, req)


@cache
def schema_instance(schema: type[ma.Schema]) -> ma.Schema:
    """The one instance of an input schema the arguments parser loads with."""
    return schema()


class Blueprint(flask_smorest.Blueprint):
    """The API's blueprints: flask-smorest's, with the arguments read by ``Parser``."""

    ARGUMENTS_PARSER = Parser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }


class InvalidBody(BadRequest):
    """A body that is not strict JSON this API can store."""


def load_json(data: bytes | str) -> Any:
    """Parse a request body as JSON nested at most ``MAX_JSON_DEPTH`` deep, every string (keys
    too) free of NUL and unpaired surrogates. NaN and Infinity are left to the fields, which
    name them (a number field refuses them, a text field refuses any number)."""
    try:
        document = json.loads(data.decode() if isinstance(data, bytes) else data)
    except RecursionError:
        raise InvalidBody(f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels.") from None
    except ValueError:  # JSONDecodeError, UnicodeDecodeError, a number over the digit limit
        raise InvalidBody("Invalid JSON body.") from None
    _check_document(document)
    return document


def storable_text(value: str) -> bool:
    """True when ``value`` can be stored as text: no NUL, no unpaired surrogate."""
    if "\x00" in value:
        return False
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_document(document: Any) -> None:
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if not storable_text(value):
                raise InvalidBody(_UNSTORABLE)
        elif isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise InvalidBody(f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels.")
            if isinstance(value, dict):
                stack.extend((key, depth) for key in value)
                stack.extend((item, depth + 1) for item in value.values())
            else:
                stack.extend((item, depth + 1) for item in value)


_UNSTORABLE = "Text must not contain NUL characters or unpaired surrogates."


def _check_request() -> None:
    if "\x00" in request.path:
        raise NotFound()
    # Asked of the environment first: most requests have no query and no body to parse.
    environ = request.environ
    if environ.get("QUERY_STRING"):
        for key, value in request.args.items(multi=True):
            if not (storable_text(key) and storable_text(value)):
                raise BadRequest(f"Query arguments: {_UNSTORABLE}")
    if environ.get("CONTENT_TYPE") and request.is_json:
        body = request.get_data(cache=True)
        if body:
            setattr(g, CHECKED_BODY, load_json(body))


def init_app(app: Flask) -> None:
    """Call before any blueprint is registered: routes take their converters when added."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(_check_request)
