"""Fields and base schemas shared by every domain's schemas."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from elearn.config import DEFAULT_LANGUAGES
from elearn.errors import Invalid


class StrictSchema(ma.Schema):
    """Input schema: unknown fields are an error, never silently dropped."""

    class Meta:
        unknown = ma.RAISE


class Email(ma.fields.Email):
    """An email address, trimmed and lower-cased before validation."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, str):
            value = value.strip().lower()
        result: str = super()._deserialize(value, attr, data, **kwargs)
        return result


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


def load_or_invalid(schema: ma.Schema, data: Any) -> dict[str, Any]:
    """``data`` loaded by ``schema``, outside flask-smorest's parsing (a multipart form field);
    a bad field is a 422 naming it."""
    try:
        loaded: dict[str, Any] = schema.load(data if isinstance(data, dict) else {})
    except ma.ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"_schema": []}
        raise Invalid("The request has invalid fields.", errors=messages) from None
    return loaded
