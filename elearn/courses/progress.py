"""The question the courses domain asks the learning domain: does a lesson carry progress?

Courses sit below enrolments, so they cannot import them. Instead the learning domain connects a
receiver to ``lesson_progress_lookup``; it gets ``lesson_ids`` and returns those that some
trainee has progress on. With no receiver connected no progress exists anywhere, so every lesson
may be deleted.
"""

from __future__ import annotations

from collections.abc import Collection

from blinker import Namespace

_signals = Namespace()

lesson_progress_lookup = _signals.signal(
    "courses.lesson-progress-lookup",
    doc="Receivers get ``lesson_ids`` (frozenset) and return the ids that have progress.",
)


def lessons_with_progress(lesson_ids: Collection[int]) -> set[int]:
    """The lessons among ``lesson_ids`` that some trainee has progress on."""
    ids = frozenset(lesson_ids)
    if not ids:
        return set()
    found: set[int] = set()
    for _receiver, answer in lesson_progress_lookup.send(__name__, lesson_ids=ids):
        found.update(ids & set(answer or ()))
    return found
