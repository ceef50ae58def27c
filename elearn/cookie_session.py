"""Flask's signed cookie session, opened only for requests that carry its cookie.

Most API requests authenticate with a bearer token and send no cookie; Flask would still build
the signing serializer to open an empty session and look up the cookie's settings to save it.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from elearn.http_cache import vary_on


class CookieSessionInterface(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        # A request without any cookie is most requests: nothing to parse.
        if "HTTP_COOKIE" not in request.environ or self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        if not session and not session.modified:
            # What Flask does for a session left empty: no cookie, and Vary if it was read.
            if session.accessed:
                vary_on(response, "Cookie")
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessionInterface()
