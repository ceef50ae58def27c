"""Conditional GET: an ETag derived from the representation, and 304 when the client has it.

The tag hashes the body and the headers that describe it (language, totals, links), so it
changes whenever the content, its language or what the caller may see changes. It saves
bandwidth and rendering on the client, not the server's queries.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, make_response, request

DESCRIBING_HEADERS = ("Content-Language", "X-Total-Count", "Link")


def conditional(view: Callable[..., Any]) -> Callable[..., Response]:
    """Give a GET view's 200 responses an ETag and answer If-None-Match with 304."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        response = make_response(view(*args, **kwargs))
        if response.status_code != 200:
            return response
        digest = hashlib.sha256(response.get_data())
        for name in DESCRIBING_HEADERS:
            digest.update(f"\n{name}: {response.headers.get(name, '')}".encode())
        response.set_etag(digest.hexdigest()[:40])
        response.vary.update(("Authorization", "Cookie"))
        response.make_conditional(request)
        return response

    return wrapper
