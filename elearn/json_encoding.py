"""JSON for every response, encoded by orjson: the same documents as Flask's own provider
(keys sorted, the same conversions of dates, decimals, UUIDs and dataclasses), several times
faster to encode; non-ASCII text is sent as UTF-8 rather than as ``\\u`` escapes."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any

import orjson
from flask import Flask, Response
from flask.json.provider import DefaultJSONProvider

COMPACT = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE
# Dates and dataclasses go through Flask's conversions, as with the default provider.
PASSED_THROUGH = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _default(value: Any) -> Any:
    return DefaultJSONProvider.default(value)


def encode(value: Any, *, indent: bool = False) -> bytes:
    """``value`` as a JSON document ending with a newline."""
    options = COMPACT | PASSED_THROUGH | (orjson.OPT_INDENT_2 if indent else 0)
    try:
        return orjson.dumps(value, default=_default, option=options)
    except orjson.JSONEncodeError:
        # orjson refuses integers beyond 64 bits (a client may send one); the standard library
        # writes them, and raises as orjson would on anything else it cannot encode.
        text = json.dumps(
            value,
            default=_default,
            sort_keys=True,
            ensure_ascii=False,
            indent=2 if indent else None,
            separators=None if indent else (",", ":"),
        )
        return f"{text}\n".encode()


def plain(value: Any) -> Any:
    """``value`` as a marshmallow schema whose fields mirror its dataclasses would dump it:
    dataclasses become dicts of their fields, datetimes ISO 8601 strings. For read models
    served without a schema where dumping was the cost."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: plain(getattr(value, field.name)) for field in dataclasses.fields(value)
        }
    return value


class OrjsonProvider(DefaultJSONProvider):
    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs:  # a caller asking for json.dumps options (indent, separators) gets them
            return super().dumps(obj, **kwargs)
        return encode(obj).decode()[:-1]

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return orjson.loads(s) if not kwargs else super().loads(s, **kwargs)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        value = self._prepare_response_obj(args, kwargs)
        indent = self.compact is False or (self.compact is None and self._app.debug)
        return Response(encode(value, indent=indent), mimetype=self.mimetype)


def init_app(app: Flask) -> None:
    app.json = OrjsonProvider(app)
