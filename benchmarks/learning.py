"""A trainee's learning screens at scale: their enrolments, a course with its outline, a lesson.

    .venv/bin/python -m benchmarks.learning --trainees 200000 --enrolments 1000000 --reuse
    .venv/bin/python -m benchmarks.learning --trainees 200 --enrolments 1000 --seconds 1  # CI

Builds (or with ``--reuse`` finds) the shared dataset (``benchmarks/dataset.py``) in a scratch
PostgreSQL database, then measures with wrk, beside the two anchors and under the same gunicorn
settings (``benchmarks/harness.py``), each request signed in with the bearer token of one of
``--tokens`` trainees (the first ``--rotate`` of them when given) picked at random:
- ``GET /api/v1/me/enrolments`` (up to five enrolments, progress and the lesson to resume),
- ``GET /api/v1/courses/{id}`` of a course the trainee is enrolled in (with its outline),
- ``GET /api/v1/courses/{id}/lessons/{id}``: a lesson of that course as HTML.
"""

from __future__ import annotations

from benchmarks.dataset import Dataset, lesson_id, trainee_course
from benchmarks.harness import Request, Target, arguments, measure, session


def targets(dataset: Dataset, tokens: list[str]) -> list[Target]:
    """The three screens, for the trainees whose ``tokens`` (the first ones) sign them in."""
    courses = [trainee_course(dataset.sizes, user) for user in range(1, len(tokens) + 1)]
    return [
        Target(
            "GET /api/v1/me/enrolments",
            [Request("GET", "/api/v1/me/enrolments", token) for token in tokens],
        ),
        Target(
            "GET /api/v1/courses/{id} (outline)",
            [
                Request("GET", f"/api/v1/courses/{c}", t)
                for t, c in zip(tokens, courses, strict=True)
            ],
        ),
        Target(
            "GET /api/v1/courses/{id}/lessons/{id}",
            [
                Request("GET", f"/api/v1/courses/{c}/lessons/{lesson_id(c, 1 + n % 8)}", t)
                for n, (t, c) in enumerate(zip(tokens, courses, strict=True))
            ],
        ),
    ]


def main() -> None:
    args = arguments(__doc__.splitlines()[0]).parse_args()
    with session(args) as options:
        measure("learning", options, targets(options.dataset, options.tokens()))


if __name__ == "__main__":
    main()
