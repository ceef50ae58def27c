"""The catalogue and the signed-in floor (``/me``), against the two anchors.

    .venv/bin/python -m benchmarks.catalogue --courses 1000
    .venv/bin/python -m benchmarks.catalogue --trainees 200 --enrolments 1000 --seconds 1  # CI

Builds (or with ``--reuse`` finds) the shared dataset (``benchmarks/dataset.py``: published
courses with en/ru/fr texts and two topics each, a tenth restricted to one administration) and
measures with wrk, beside the anchors and under the same gunicorn settings, each request with
the bearer token of one of ``--tokens`` trainees picked at random: ``/health/live``,
``/api/v1/me`` (what any signed-in request costs), the catalogue's first page, in Russian, and
a search.
"""

from __future__ import annotations

from benchmarks.harness import arguments, measure, rotating_gets, session

PATHS = {
    "GET /health/live": "/health/live",
    "GET /api/v1/me": "/api/v1/me",
    "GET /api/v1/courses (page of 20)": "/api/v1/courses?per_page=20",
    "GET /api/v1/courses?lang=ru": "/api/v1/courses?per_page=20&lang=ru",
    "GET /api/v1/courses?q=tariff": "/api/v1/courses?per_page=20&q=tariff",
}


def main() -> None:
    args = arguments(__doc__.splitlines()[0], courses=1000).parse_args()
    with session(args) as options:
        measure("catalogue", options, rotating_gets(PATHS, options.tokens()))


if __name__ == "__main__":
    main()
