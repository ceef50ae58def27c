"""Concurrent edits of one outline keep positions dense and unique (PostgreSQL, real commits)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import select

from elearn.accounts.models import Role
from elearn.courses.models import Lesson
from elearn.extensions import db

pytestmark = pytest.mark.usefixtures("committed")


def at_once(app, requests: list[Callable]) -> list[int]:
    """Run each request in its own thread, released together; their status codes."""
    barrier = threading.Barrier(len(requests))
    statuses: list[int] = [0] * len(requests)

    def run(number: int, request: Callable) -> None:
        client = app.test_client()
        barrier.wait()
        statuses[number] = request(client).status_code

    threads = [threading.Thread(target=run, args=(n, r)) for n, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return statuses


def module_lessons(app, module_id: int, column=Lesson.position) -> list:
    """``column`` of the module's lessons in outline order, as committed."""
    with app.app_context():
        values = db.session.scalars(
            select(column).where(Lesson.module_id == module_id).order_by(Lesson.position)
        ).all()
        db.session.remove()
    return list(values)


def test_concurrent_appends_and_reorders_keep_positions_dense(app, make, courses):
    trainer = make.user(Role.TRAINER, administration=None)
    course = courses.build(owners=[trainer], lessons=3)
    module_id = course.module_ids[0]
    base = f"/api/v1/courses/{course.id}/modules/{module_id}/lessons"

    def append(key):
        return lambda client: client.post(
            base,
            json={"key": key, "kind": "text", "translations": {"en": {"title": key}}},
            headers=trainer.headers,
        )

    statuses = at_once(app, [append(f"new-{n}") for n in range(6)])

    assert statuses == [201] * 6
    assert module_lessons(app, module_id) == list(range(1, 10))

    def reorder(order):
        return lambda client: client.put(
            f"{base}/order", json={"ids": order}, headers=trainer.headers
        )

    current = module_lessons(app, module_id, Lesson.id)
    reordered = at_once(
        app,
        [
            reorder(list(reversed(current))),
            reorder(sorted(current)),
            append("late-1"),
            append("late-2"),
        ],
    )

    # A reorder that runs after an append names one lesson too few: 409, nothing changed.
    assert reordered[2:] == [201, 201]
    assert set(reordered[:2]) <= {200, 409}
    assert module_lessons(app, module_id) == list(range(1, 12))


def test_deleting_a_module_and_one_of_its_lessons_at_once_never_fails(app, make, courses):
    """Regression: the lesson found before the course lock was deleted with its module while the
    request waited, and acting on the stale lesson answered 500 (7 of 12 tries)."""
    trainer = make.user(Role.TRAINER, administration=None)

    def delete(url):
        return lambda client: client.delete(url, headers=trainer.headers)

    for _ in range(12):
        course = courses.build(owners=[trainer], lessons=2)
        module_id = course.module_ids[0]
        lesson_id = module_lessons(app, module_id, Lesson.id)[0]
        base = f"/api/v1/courses/{course.id}"

        statuses = at_once(
            app, [delete(f"{base}/modules/{module_id}"), delete(f"{base}/lessons/{lesson_id}")]
        )

        assert statuses[0] == 204
        assert statuses[1] in {204, 404}
        assert module_lessons(app, module_id) == []
