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
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    if request.path == DOCS_PATH and response.status_code == 200:
        response.headers["Content-Security-Policy"] = _docs_policy(response.get_data())
    limiter_retry_after = response.headers.pop(LIMITER_RETRY_AFTER, None)
    if response.status_code == 429 and limiter_retry_after is not None:
        response.headers["Retry-After"] = limiter_retry_after
    if g.get("auth_method") and "Cache-Control" not in response.headers:
        if response.get_etag()[0]:
            response.cache_control.private = True
            response.cache_control.no_cache = True
        else:
            response.cache_control.no_store = True
    return response


def init_app(app: Flask) -> None:
    app.after_request(_secure)
