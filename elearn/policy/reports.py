"""Reports on an administration's people."""

from __future__ import annotations

from elearn.policy import accounts

# Admins any administration; a contact point only their own.
read_administration = accounts.administration_people
