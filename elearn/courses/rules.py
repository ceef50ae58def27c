"""Shape rules that the API and content packages both enforce."""

from __future__ import annotations

import re
from collections.abc import Sequence

TOPIC_PATTERN = re.compile(r"^[a-z0-9-]{1,60}$")
TOPIC_RULE = "lower-case a-z, 0-9 and -, at most 60 characters"
URL_SCHEMES = ("https://", "http://")

TITLE_MAX = 200
CODE_MAX = 40
SUMMARY_MAX = 5_000
OBJECTIVE_MAX = 500
OBJECTIVES_MAX = 30
TOPICS_MAX = 20
BODY_MAX = 200_000
URL_MAX = 2_000


def is_topic(value: object) -> bool:
    return isinstance(value, str) and TOPIC_PATTERN.match(value) is not None


def is_web_url(value: object) -> bool:
    return (
        isinstance(value, str)
        and len(value) <= URL_MAX
        and value.lower().startswith(URL_SCHEMES)
        and len(value) > len("https://")
        and not any(char.isspace() for char in value)
    )


# reminders: days before the due date at which trainees are reminded; [] sends none
REMINDER_OFFSETS_DEFAULT = (7, 1)
REMINDER_OFFSETS_MAX = 10
REMINDER_OFFSET_DAYS_MAX = 365
IDLE_AFTER_DAYS_DEFAULT = 14
IDLE_AFTER_DAYS_MAX = 365


def reminder_offset_problems(offsets: Sequence[object], span_days: int | None) -> list[str]:
    """What is wrong with ``offsets``: whole days, 0 or more, strictly descending, at most
    ``REMINDER_OFFSETS_MAX`` of them, none earlier than ``span_days`` before the due date
    (the time a trainee has for the course or run, when known)."""
    if len(offsets) > REMINDER_OFFSETS_MAX:
        return [f"At most {REMINDER_OFFSETS_MAX} reminders."]
    if any(isinstance(day, bool) or not isinstance(day, int) for day in offsets):
        return ["Expected whole numbers of days."]
    days = [int(day) for day in offsets if isinstance(day, int)]
    problems = []
    if any(day < 0 or day > REMINDER_OFFSET_DAYS_MAX for day in days):
        problems.append(f"Each offset is between 0 and {REMINDER_OFFSET_DAYS_MAX} days.")
    if len(set(days)) != len(days):
        problems.append("Each offset appears once.")
    elif days != sorted(days, reverse=True):
        problems.append("Offsets go from the earliest reminder to the last, e.g. [7, 1].")
    if span_days is not None and any(day >= span_days for day in days):
        problems.append(f"An offset must be shorter than the {span_days} days the trainee has.")
    return problems
