"""Password login."""

from __future__ import annotations

from elearn import clock
from elearn.accounts import passwords
from elearn.accounts.models import User
from elearn.accounts.service import find_user_by_email
from elearn.errors import Unauthenticated


def authenticate(email: str, password: str) -> User:
    """The active user with these credentials; one error for every kind of failure."""
    user = find_user_by_email(email)
    if not passwords.verify_password(user, password) or user is None or not user.active:
        raise Unauthenticated("Email or password is wrong.")
    if passwords.needs_rehash(user):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = clock.now()
    return user
