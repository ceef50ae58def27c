"""Extension singletons, bound to the app in ``create_app``."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager

from elearn.database import db
from elearn.openapi import Api

__all__ = ["api", "db", "limiter", "login_manager"]

login_manager = LoginManager()
api = Api()
limiter = Limiter(key_func=get_remote_address, headers_enabled=True)
