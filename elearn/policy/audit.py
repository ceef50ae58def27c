"""The audit trail: admins only."""

from __future__ import annotations

from elearn.policy.rules import ADMIN, Permission

list_events = Permission(ADMIN)
