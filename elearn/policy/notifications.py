"""Mail: everyone signed in chooses what they receive; admins read the mail log and resend."""

from __future__ import annotations

from elearn.policy.rules import ADMIN, SIGNED_IN, Permission

# One's own mail preferences (nobody edits another's).
own_preferences = Permission(SIGNED_IN)

# The platform's mail log, and sending a failed mail again. The log is not scoped by who asks:
# only admins read it at all.
manage = Permission(ADMIN)
