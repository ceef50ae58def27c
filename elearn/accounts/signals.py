"""Signals of the accounts domain, for higher domains (notifications) to act on.

Receivers run synchronously inside the sender's transaction, so whatever they write commits or
rolls back with the change that caused it.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

set_password_link_requested = _signals.signal("set-password-link-requested")
"""Sender: the User. Keyword ``purpose``: "welcome" (new account) or "reset"."""

user_joined_administration = _signals.signal("user-joined-administration")
"""Sender: the User, inside the transaction that created them in an administration or moved
them into one (its ``administration_id`` is the new one)."""
