"""gunicorn's worker class and counts for the API, measured: sync against gthread.

    .venv/bin/python -m benchmarks.serving --trainees 200000 --enrolments 1000000 --reuse
    .venv/bin/python -m benchmarks.serving --trainees 200 --enrolments 1000 --seconds 1  # CI

For each configuration (``--configurations``, e.g. ``sync:2 sync:5 gthread:2x4``) the anchors
and a trainee's three commonest reads (``/api/v1/me``, ``/api/v1/me/enrolments``, the catalogue)
are measured with wrk under that configuration, on the shared dataset; then one summary line
per configuration and endpoint.
"""

from __future__ import annotations

from benchmarks.harness import Figures, Options, Serving, arguments, measure, rotating_gets, session

DEFAULT = ("sync:2", "sync:3", "sync:5", "gthread:2x4", "gthread:3x4", "gthread:2x8", "gthread:4x2")
PATHS = {
    "GET /api/v1/me": "/api/v1/me",
    "GET /api/v1/me/enrolments": "/api/v1/me/enrolments",
    "GET /api/v1/courses (page of 20)": "/api/v1/courses?per_page=20",
}


def configuration(text: str) -> Serving:
    """``sync:N`` or ``gthread:NxT``."""
    kind, _, counts = text.partition(":")
    workers, _, threads = counts.partition("x")
    return Serving(kind, int(workers), int(threads or 1))


def main() -> None:
    parser = arguments(__doc__.splitlines()[0], seconds=5)
    parser.add_argument(
        "--configurations", nargs="+", type=configuration, default=list(map(configuration, DEFAULT))
    )
    args = parser.parse_args()
    results: list[tuple[Serving, list[Figures]]] = []
    with session(args) as options:
        targets = rotating_gets(PATHS, options.tokens())
        for serving in args.configurations:
            run = Options(options.dataset, serving, options.load, options.keep)
            results.append((serving, measure(f"serving: {serving}", run, targets)))
    print(f"\nsummary ({options.load})")
    print(f"{'gunicorn':<34} {'endpoint':<36} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}")
    for serving, figures in results:
        for row in figures:
            print(
                f"{serving!s:<34} {row.name:<36} {row.rate:>7.0f} {row.p50:>7.1f} {row.p99:>7.1f}"
            )


if __name__ == "__main__":
    main()
