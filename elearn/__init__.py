"""elearn: the e-learning backend for online customs training."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, Response, request
from flask.globals import request_ctx
from werkzeug.middleware.proxy_fix import ProxyFix

from elearn import (
    certificates,
    cookie_session,
    health,
    hot_routes,
    inputs,
    json_encoding,
    notifications,
    openapi,
    request_hooks,
    security_headers,
    uow,
)
from elearn.accounts import identity
from elearn.accounts.api import BLUEPRINTS as ACCOUNT_BLUEPRINTS
from elearn.audit.api import audit_blp
from elearn.certificates.api import BLUEPRINTS as CERTIFICATE_BLUEPRINTS
from elearn.config import Settings
from elearn.content.api import content_blp
from elearn.courses.api import BLUEPRINTS as COURSE_BLUEPRINTS
from elearn.courses.schemas import ContentLanguage
from elearn.database import configure_sqlite, engine_options
from elearn.enrolments import subscriptions as enrolment_subscriptions
from elearn.enrolments.api import BLUEPRINTS as ENROLMENT_BLUEPRINTS
from elearn.errors import problem, register_error_handlers
from elearn.extensions import api, db, limiter
from elearn.infra import change_feed, mail, storage
from elearn.infra.tasks import celery_init_app
from elearn.media.api import media_blp
from elearn.notifications.api import BLUEPRINTS as NOTIFICATION_BLUEPRINTS
from elearn.quizzes.api import BLUEPRINTS as QUIZ_BLUEPRINTS
from elearn.quizzes.api.attempts import HOT_ROUTES as QUIZ_HOT_ROUTES
from elearn.reports.api import reports_blp
from elearn.reports.officers_api import officers_blp
from elearn.reports.pages import pages_blp

API_TITLE = "elearn"
API_VERSION = "v1"


def create_app(settings: Settings | None = None) -> Flask:
    """Build the application; ``settings`` defaults to the environment's ``ELEARN_*`` values."""
    settings = settings or Settings.from_env()
    Path(settings.instance_path).mkdir(parents=True, exist_ok=True)
    app = request_hooks.App(__name__, instance_path=settings.instance_path)
    json_encoding.init_app(app)
    if settings.trusted_proxy_hops:
        hops = settings.trusted_proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.extensions["elearn.settings"] = settings
    app.config.update(_flask_config(settings))
    inputs.init_app(app)
    # First registered, so it runs last: after the rate limiter has added its headers.
    security_headers.init_app(app)
    logging.basicConfig(level=settings.log_level)
    mail.init_app(app, settings)

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
    change_feed.init_app(settings.database_url)
    cookie_session.init_app(app)
    identity.init_app(app)
    request_hooks.run_hooks_only_when(app, lambda: limiter.init_app(app), _limits_were_checked)
    # Every limit here decorates its view, which checks it. The extension's check before every
    # request serves default, application and blueprint limits, none of which are set
    # (tests/test_rate_limits_are_decorated.py), and costs a fifth of a small request.
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    api.init_app(app)
    openapi.init_app(app, api)
    openapi.document_choices(api, ContentLanguage, settings.languages)
    for blueprint in (
        *ACCOUNT_BLUEPRINTS,
        *COURSE_BLUEPRINTS,
        content_blp,
        *ENROLMENT_BLUEPRINTS,
        reports_blp,
        officers_blp,
        *QUIZ_BLUEPRINTS,
        *CERTIFICATE_BLUEPRINTS,
        audit_blp,
        health.health_blp,
        media_blp,
        *NOTIFICATION_BLUEPRINTS,
    ):
        api.register_blueprint(blueprint)
    app.register_blueprint(pages_blp)
    register_error_handlers(app)
    health.init_app(app)
    storage.init_app(app, settings)
    uow.init_app(app)
    celery_init_app(app, settings)
    notifications.init_app(app)
    enrolment_subscriptions.connect()
    certificates.init_app(app)

    @app.before_request
    def _refuse_cross_site_writes() -> Response | None:
        refusal = identity.unsafe_request_refusal() if request.path.startswith("/api/") else None
        return problem(415, refusal) if refusal is not None else None

    hot_routes.init_app(app, QUIZ_HOT_ROUTES, identity.token_holder_id)
    return app


RATELIMIT_STORAGE_TIMEOUT_SECONDS = 0.5
# Where flask-limiter keeps what it checked in this request (its private name, so
# tests/test_rate_limits_are_decorated.py checks that limited views still send its headers).
LIMITER_REQUEST_STATE = "_limiter_request_context"


def _limits_were_checked() -> bool:
    """Whether a limit was checked in this request: only then have the limiter's headers and
    request state anything to write or to reset."""
    return hasattr(request_ctx, LIMITER_REQUEST_STATE)


def _ratelimit_storage_options(url: str) -> dict[str, float]:
    if not url.startswith(("redis://", "rediss://")):
        return {}
    return {
        "socket_timeout": RATELIMIT_STORAGE_TIMEOUT_SECONDS,
        "socket_connect_timeout": RATELIMIT_STORAGE_TIMEOUT_SECONDS,
    }


def _flask_config(settings: Settings) -> dict[str, object]:
    return {
        "SECRET_KEY": settings.secret_key,
        "SQLALCHEMY_DATABASE_URI": settings.database_url,
        # No pre-ping (a round trip per request): a connection found dead fails its request
        # with 503 and has the pool replace every connection opened before it.
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(settings.database_url),
        "MAX_CONTENT_LENGTH": settings.max_request_bytes,
        "SESSION_COOKIE_NAME": "elearn_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": settings.is_production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": settings.is_production,
        "RATELIMIT_STORAGE_URI": settings.ratelimit_storage_url,
        # Redis down or hung never fails a request: after one short timeout the limits are
        # counted in this process's memory until the storage answers again (checked at most
        # every 32 s), and any other storage error is logged and let through.
        "RATELIMIT_STORAGE_OPTIONS": _ratelimit_storage_options(settings.ratelimit_storage_url),
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_HEADER_RETRY_AFTER": security_headers.LIMITER_RETRY_AFTER,
        "API_TITLE": API_TITLE,
        "API_VERSION": API_VERSION,
        "OPENAPI_VERSION": "3.0.3",
        "API_SPEC_OPTIONS": {"security": openapi.AUTHENTICATED},
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "v1/openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/static/swagger-ui/",
        # Swagger UI would otherwise send the spec's URL to validator.swagger.io.
        "OPENAPI_SWAGGER_UI_CONFIG": {"validatorUrl": None},
    }
