"""Fields and base schemas shared by every domain's schemas."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import marshmallow as ma

from elearn.config import DEFAULT_LANGUAGES
from elearn.errors import Invalid
from elearn.inputs import MAX_INTEGER


class StrictSchema(ma.Schema):
    """Input schema: unknown fields are an error, never silently dropped."""

    class Meta:
        unknown = ma.RAISE


class ChangesSchema(StrictSchema):
    """Input of a partial update (PATCH): any of the fields, but at least one."""

    @ma.validates_schema
    def _not_empty(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ma.ValidationError("Send at least one field to change.", "_schema")


class Email(ma.fields.Email):
    """An email address, trimmed and lower-cased before validation."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, str):
            value = value.strip().lower()
        result: str = super()._deserialize(value, attr, data, **kwargs)
        return result


class Integer(ma.fields.Integer):
    """A whole number a column can hold: bounded (by default to a PostgreSQL ``integer``), so
    that a number too large for the database is a 422 naming the field, never a 500."""

    def __init__(
        self, *, minimum: int = -MAX_INTEGER - 1, maximum: int = MAX_INTEGER, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.validators.insert(0, ma.validate.Range(min=minimum, max=maximum))


class Id(Integer):
    """A row's id: 1 to ``MAX_INTEGER``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(minimum=1, maximum=MAX_INTEGER, **kwargs)


class Text(ma.fields.String):
    """A string with surrounding whitespace removed before it is validated."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        result: str = super()._deserialize(value, attr, data, **kwargs)
        return result.strip()


def text(max_length: int, **kwargs: Any) -> ma.fields.String:
    """A trimmed, non-blank, length-limited string."""
    return Text(validate=ma.validate.Length(min=1, max=max_length), **kwargs)


def language(**kwargs: Any) -> ma.fields.String:
    return ma.fields.String(validate=ma.validate.OneOf(DEFAULT_LANGUAGES), **kwargs)


def is_time_zone(name: str) -> bool:
    """An IANA time zone name that zoneinfo knows (``Europe/Paris``, ``UTC``)."""
    if not name or name.startswith("/") or ".." in name or len(name) > 64:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def time_zone(**kwargs: Any) -> ma.fields.String:
    """An IANA time zone name, such as ``Europe/Paris``."""
    kwargs.setdefault("metadata", {"description": "IANA time zone, e.g. Europe/Paris"})
    return ma.fields.String(validate=_validate_time_zone, **kwargs)


def _validate_time_zone(value: str) -> None:
    if not is_time_zone(value):
        raise ma.ValidationError("Expected an IANA time zone such as Europe/Paris.")


def load_or_invalid(schema: ma.Schema, data: Any) -> dict[str, Any]:
    """``data`` loaded by ``schema``, outside flask-smorest's parsing (a multipart form field);
    a bad field is a 422 naming it."""
    try:
        loaded: dict[str, Any] = schema.load(data if isinstance(data, dict) else {})
    except ma.ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"_schema": []}
        raise Invalid("The request has invalid fields.", errors=messages) from None
    return loaded
