"""The reports' largest answers as JSON documents, encoded straight from their read models.

The administration summary and a page of the per-officer report are frozen dataclasses whose
fields are, name for name, the documents their schemas describe for OpenAPI
(``AdministrationSummarySchema``, ``OfficerRowSchema``). Dumping them through marshmallow, or
converting them to dictionaries in Python, cost more than reading them: a page of 50 officers
holds about 250 course rows, some 5,000 fields. orjson writes them itself, in C: datetimes in
ISO 8601 (as marshmallow's ``AwareDateTime`` does), and each dataclass as its ``__dict__`` (its
fields, which orjson then sorts like every response's keys). Tests hold each document equal to
its schema's dump (``test_the_*_document_is_what_its_schema_documents``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import is_dataclass
from typing import Any

import orjson
from flask import Response

from elearn.json_encoding import COMPACT


def encoded(value: Any) -> bytes:
    """``value`` as JSON: dataclasses as objects, datetimes in ISO 8601, keys sorted."""
    return orjson.dumps(value, default=_fields, option=COMPACT | orjson.OPT_PASSTHROUGH_DATACLASS)


def _fields(value: Any) -> dict[str, Any]:
    if is_dataclass(value) and not isinstance(value, type):
        return vars(value)
    raise TypeError(f"{type(value).__name__} is not a report document")


def json_response(value: Any, headers: Mapping[str, str] | None = None) -> Response:
    return Response(encoded(value), mimetype="application/json", headers=dict(headers or {}))
