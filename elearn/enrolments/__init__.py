"""Enrolments: course runs, enrolments, lesson progress and completion."""

from __future__ import annotations

from flask import Flask

from elearn.accounts.signals import administration_changed
from elearn.enrolments.service import tallies


def _person_moved(user_id: int, *, before: int | None, after: int | None) -> None:
    tallies.move_person(user_id, before, after)


def init_app(app: Flask) -> None:
    """Keep the enrolment tallies current when an officer changes administration."""
    administration_changed.connect(_person_moved)
