"""A request on an attempt made while another transaction, saving an answer, holds its row."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

from flask import Flask
from sqlalchemy import text
from werkzeug.test import TestResponse

from elearn.extensions import db

# What the other transaction saves: the numeric question's right answer.
SAVED_MEANWHILE = {"numeric-q": {"value": 4321.5}}


def while_a_save_holds_the_attempt(
    app: Flask, attempt_id: int, request: Callable[[], TestResponse]
) -> TestResponse:
    """``request()`` sent while another save holds the attempt row (PostgreSQL); that save
    commits once the request is seen waiting for the row, so the request's statement started
    with a snapshot that predates it."""
    with app.app_context():
        other = db.engine.connect()
    try:
        holder = other.begin()
        other.execute(
            text("UPDATE quiz_attempts SET updated_at = now() WHERE id = :id"), {"id": attempt_id}
        )
        other.execute(
            text(
                "INSERT INTO quiz_attempt_answers (attempt_id, question_key, response, saved_at)"
                " VALUES (:id, 'numeric-q', CAST(:response AS json), now())"
            ),
            {"id": attempt_id, "response": json.dumps(SAVED_MEANWHILE["numeric-q"])},
        )
        results: list[TestResponse] = []
        waiting = threading.Thread(target=lambda: results.append(request()))
        waiting.start()
        waiting.join(timeout=1)
        assert waiting.is_alive(), "the request did not wait for the attempt row"
        holder.commit()
        waiting.join(timeout=10)
    finally:
        other.close()
    return results[0]
