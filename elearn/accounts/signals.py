"""Signals of the accounts domain, for higher domains (notifications) to act on.

Receivers run synchronously inside the sender's transaction, so whatever they write commits or
rolls back with the change that caused it.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

set_password_link_requested = _signals.signal("set-password-link-requested")
"""Sender: the User. Keyword ``purpose``: "welcome" (new account) or "reset"."""

administration_changed = _signals.signal("administration-changed")
"""Sender: the user's id, inside the transaction that created them in an administration
(``before`` None) or moved them to another. Keywords ``before`` and ``after``: administration
ids (or None)."""

unit_changed = _signals.signal("unit-changed")
"""Sender: the user's id, inside the transaction that changed their unit (within the same
administration or along with it). Keywords ``before`` and ``after``: the units (or None)."""
