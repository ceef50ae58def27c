"""Quiz attempts under load: starting, saving an answer and submitting, against the anchors.

    .venv/bin/python -m benchmarks.quiz_attempts --trainees 200000 --tokens 5000 --reuse
    .venv/bin/python -m benchmarks.quiz_attempts --trainees 200 --enrolments 1000 --seconds 1

Builds (or with ``--reuse`` finds) the shared dataset (``benchmarks/dataset.py``): the trainees
with a token are all enrolled in the shipped course customs-valuation-transaction-value (13
questions of all seven types, all asked, shuffled); earlier attempts at its quiz are deleted
first. Then, with wrk beside the anchors and under the same gunicorn settings:
- ``POST /api/v1/quizzes/{id}/attempts``: each trainee once (draws and freezes the questions),
  for twice the load's time, so that the submit phase has enough to submit;
- ``PUT /api/v1/attempts/{id}/answers``, one answer a request, round robin over the first
  ``SAVING`` attempts started and then their questions (an autosave): a fixed number of
  trainees answering at once, fewer than a process remembers attempts (``frozen_attempts``),
  so that the figure does not hang on how many the start phase managed;
- ``POST /api/v1/attempts/{id}/submit``: each started attempt once (grades, records a pass),
  for 0.4 of the time, so that the attempts do not run out before it ends (a phase that ran
  out is flagged: its rate counts the time it had nothing left to send).
It then prints how many attempts the database holds by status.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import psycopg

from benchmarks.dataset import Dataset, reset_quiz
from benchmarks.harness import Request, Target, arguments, measure, session

SAVING = 2_000


def phases(dataset: Dataset) -> Iterator[Target]:
    tokens = dataset.tokens()
    start = f"/api/v1/quizzes/{dataset.quiz_id}/attempts"
    yield Target(
        "POST /quizzes/{id}/attempts (start)",
        [Request("POST", start, t) for t in tokens],
        "once",
        share=2.0,
    )
    attempts = started(dataset)
    saves = [
        Request("PUT", f"/api/v1/attempts/{attempt}/answers", tokens[user - 1],
                json.dumps({"answers": {question["key"]: any_answer(question)}}))
        for turn in range(max(len(questions) for _, _, questions in attempts))
        for attempt, user, questions in attempts[:SAVING]
        for question in questions[turn : turn + 1]
    ]  # fmt: skip
    yield Target("PUT /attempts/{id}/answers (one answer)", saves, "cycle")
    submits = [
        Request("POST", f"/api/v1/attempts/{attempt}/submit", tokens[user - 1])
        for attempt, user, _ in attempts
    ]
    yield Target("POST /attempts/{id}/submit", submits, "once", share=0.4)


def started(dataset: Dataset) -> list[tuple[int, int, list[dict[str, Any]]]]:
    """The attempts the start phase stored: id, trainee, frozen questions."""
    with psycopg.connect(dataset.conninfo) as connection:
        rows = connection.execute(
            "SELECT id, user_id, questions FROM quiz_attempts WHERE lesson_id = %s ORDER BY id",
            (dataset.quiz_id,),
        ).fetchall()
    if not rows:
        raise SystemExit("no attempt was started")
    return [(attempt, user, questions) for attempt, user, questions in rows]


def any_answer(question: dict[str, Any]) -> dict[str, Any]:
    """A well-formed answer to a frozen question (right or wrong does not matter here)."""
    kind = question["type"]
    if kind == "single":
        return {"option": question["options"][0]["id"]}
    if kind == "multiple":
        return {"options": [question["options"][0]["id"]]}
    if kind in ("true_false", "numeric"):
        return {"value": True if kind == "true_false" else 100}
    if kind == "short_text":
        return {"text": "transaction value"}
    if kind == "matching":
        pairs = zip(question["left"], question["right"], strict=True)
        return {"pairs": {left["id"]: right["id"] for left, right in pairs}}
    return {"order": [item["id"] for item in question["items"]]}


def stored(dataset: Dataset) -> dict[str, int]:
    with psycopg.connect(dataset.conninfo) as connection:
        rows = connection.execute(
            "SELECT status, count(*) FROM quiz_attempts WHERE lesson_id = %s GROUP BY status",
            (dataset.quiz_id,),
        ).fetchall()
    return dict(rows)


def main() -> None:
    args = arguments(__doc__.splitlines()[0]).parse_args()
    with session(args) as options:
        reset_quiz(options.dataset)
        measure("quiz attempts", options, phases(options.dataset))
        print(f"attempts stored by status: {stored(options.dataset)}")


if __name__ == "__main__":
    main()
