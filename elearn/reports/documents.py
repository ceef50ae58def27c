"""The reports' largest answers as JSON documents, built straight from their read models.

The administration summary and a page of the per-officer report are frozen dataclasses whose
fields are, name for name, the documents their schemas describe for OpenAPI
(``AdministrationSummarySchema``, ``OfficerRowSchema``). Dumping them through marshmallow cost
more than reading them: a page of 50 officers holds about 250 course rows, some 5,000 fields.
Tests hold each document equal to its schema's dump (``test_the_*_document_is_what_its_schema_
documents``).
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import datetime
from typing import Any


def document(value: Any) -> Any:
    """``value`` in JSON's types: dataclasses as objects, lists as arrays, datetimes in ISO 8601
    (as marshmallow's ``AwareDateTime`` writes them); anything else as it is."""
    if isinstance(value, list):
        return [document(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    names = _field_names(type(value))
    if names:
        return {name: document(getattr(value, name)) for name in names}
    return value


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(kind: type) -> tuple[str, ...]:
    """A dataclass's field names; none for any other type."""
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = tuple(field.name for field in fields(kind)) if is_dataclass(kind) else ()
        _FIELD_NAMES[kind] = names
    return names
