"""Response headers that keep callers safe, set once for every response.

- Nothing is sniffed into another type and nothing is framed (``X-Content-Type-Options``,
  ``X-Frame-Options``): clickjacking the docs or a verification page is refused.
- The browsable docs (``/api/docs``) get a Content-Security-Policy: scripts and styles from this
  app only, plus the page's own inline start-up script, allowed by its hash.
- What an authenticated caller receives is theirs: unless the endpoint chose a cache policy,
  ``no-store``; a response with an ETag may be kept privately and revalidated (``private,
  no-cache``), so conditional GET still saves the body.
- ``Retry-After`` only where it means something: the rate limiter's own on a 429 (it writes
  it, under ``LIMITER_RETRY_AFTER``, on every response of a limited endpoint), the error
  handler's on a 503.
"""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Flask, Response, g, request

DOCS_PATH = "/api/docs"
LIMITER_RETRY_AFTER = "X-Limiter-Retry-After"
EVERY_RESPONSE = (("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"))
# The Cache-Control of an authenticated caller's answer without an ETag.
PRIVATE = "no-store"
INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def _docs_policy(page: bytes) -> str:
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in INLINE_SCRIPT.findall(page)
    )
    return (
        "default-src 'none'; "
        f"script-src 'self' {hashes}; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; "
        "connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )


def _secure(response: Response) -> Response:
    headers = response.headers
    for name, value in EVERY_RESPONSE:
        headers[name] = value
    if response.status_code == 200 and request.path == DOCS_PATH:
        headers["Content-Security-Policy"] = _docs_policy(response.get_data())
    # Looked up once: werkzeug raises and catches an exception for every header it lacks.
    present = {name.lower() for name, _ in headers.items()}
    if LIMITER_RETRY_AFTER.lower() in present:
        limiter_retry_after = headers.pop(LIMITER_RETRY_AFTER)
        if response.status_code == 429:
            headers["Retry-After"] = limiter_retry_after
    if g.get("auth_method") and "cache-control" not in present:
        # What setting ``response.cache_control``'s directives writes, without parsing it.
        headers["Cache-Control"] = "private, no-cache" if "etag" in present else PRIVATE
    return response


def init_app(app: Flask) -> None:
    app.after_request(_secure)
