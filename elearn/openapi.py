"""The OpenAPI document as the exact contract: errors as sent, how callers authenticate, and
bounds a generated client can rely on.

flask-smorest writes the document from the blueprints; what it cannot know is said here once,
not per endpoint: every error is RFC 9457 ``application/problem+json`` (``elearn.errors``), the
session cookie and bearer tokens are the security schemes, and fields whose choices are settings
(content languages) list the configured ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

import flask_smorest
import marshmallow as ma
from apispec.ext.marshmallow.field_converter import FieldConverterMixin
from flask import Flask
from flask_smorest.utils import prepare_response

from elearn.errors import PROBLEM_JSON

# Either scheme; operations that take no credentials say ``security: []``.
AUTHENTICATED: list[dict[str, list[str]]] = [{"bearerToken": []}, {"sessionCookie": []}]
PUBLIC: list[dict[str, list[str]]] = []


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details, as ``elearn.errors.problem`` builds them."""

    class Meta:
        unknown = ma.INCLUDE

    type = ma.fields.String(required=True, metadata={"description": "A stable URI per status"})
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(required=True)
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        metadata={"description": "Validation failures: field → messages (or nested fields)"},
    )


class Api(flask_smorest.Api):
    """flask-smorest, with errors documented as the problem+json they are sent as."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        for status in HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = ProblemSchema
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Any other error, as problem details", "schema": ProblemSchema}
        prepare_response(default, self.spec, PROBLEM_JSON)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, default, lazy=True)


def init_app(app: Flask, api: Api) -> None:
    """Declare the security schemes; call after ``api.init_app``."""
    api.spec.components.security_scheme(
        "bearerToken",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token (POST /api/v1/me/tokens)",
        },
    )
    api.spec.components.security_scheme(
        "sessionCookie",
        {
            "type": "apiKey",
            "in": "cookie",
            "name": app.config["SESSION_COOKIE_NAME"],
            "description": "The session that POST /api/v1/auth/login starts",
        },
    )


def document_choices(api: Api, field_class: type[ma.fields.Field], choices: Sequence[str]) -> None:
    """Fields of ``field_class`` are documented as one of ``choices`` (known only from the
    settings); call before the blueprints that use them are registered."""

    def enum(_converter: FieldConverterMixin, field: ma.fields.Field, **_: Any) -> dict[str, Any]:
        return {"enum": list(choices)} if isinstance(field, field_class) else {}

    api.ma_plugin.converter.add_attribute_function(enum)
