"""Mandatory assignments: who assigns courses to an administration and reads compliance."""

from __future__ import annotations

from elearn.accounts.models import Administration
from elearn.enrolments.models import Assignment
from elearn.policy.rules import ADMIN, Rule, contact_point_of

# Admins for any administration; a contact point for their own.
assign = Rule("assignments.assign", Administration, ADMIN | contact_point_of(Administration.id))

# The assignments of the administrations the actor assigns for.
visible = Rule(
    "assignments.visible", Assignment, ADMIN | contact_point_of(Assignment.administration_id)
)
