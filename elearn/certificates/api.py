"""Public endpoints of certificates: the keys that verify signed credentials."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from elearn.certificates import keys
from elearn.certificates.schemas import JwksSchema

# Short enough that a verifier meeting a freshly rotated key soon sees it published.
JWKS_MAX_AGE_SECONDS = 300

well_known_blp = Blueprint(
    "well_known",
    __name__,
    url_prefix="/.well-known",
    description="Public keys that verify signed certificate credentials",
)


@well_known_blp.route("/jwks.json")
@well_known_blp.etag
@well_known_blp.response(200, JwksSchema)
def jwks() -> dict[str, Any]:
    """Every published signing key, active and retired (public, cacheable, no login)."""
    return {"keys": keys.published_keys()}


@well_known_blp.after_request
def _cacheable(response: Response) -> Response:
    """Successful answers and their 304 revalidations may be cached by anyone."""
    if response.status_code in (200, 304):
        response.cache_control.public = True
        response.cache_control.max_age = JWKS_MAX_AGE_SECONDS
    return response


BLUEPRINTS = (well_known_blp,)
