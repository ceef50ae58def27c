"""Reports for contact points at scale: the administration summary, a page of the per-officer
report and the XLSX export, against PostgreSQL holding up to 1,000,000 enrolments.

Self-contained: builds a fresh database with the migrations, fills it with COPY, rebuilds the
headcounts and enrolment tallies with their ``recount()`` (as the migration does for existing
data). Then, in one run: the raw SQL the summary ran before the tallies (a count over the
administration's enrolments), and with wrk (``benchmarks/harness.py``) the two anchors and each
report endpoint served by gunicorn (2 sync workers) on 127.0.0.1. By default wrk keeps one
connection per worker (``--connections 2``): p50 is then a request's own time, not its time
in a queue; ``--connections 16`` measures throughput under contention. The XLSX export is
timed apart (sequential requests, median of 3), and the services in process (no HTTP, no
authentication) beside them, with the export's peak Python memory.

Administration AA holds ``--export-rows`` enrolments whatever the size (the 20,000-row export);
the other enrolments are spread over 49 administrations, so AB grows with the total.

    .venv/bin/python -m benchmarks.reports --enrolments 100000
    .venv/bin/python -m benchmarks.reports --enrolments 1000000
    .venv/bin/python -m benchmarks.reports --enrolments 2000 --export-rows 500 --requests 5 \
        --seconds 1  # CI
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import secrets
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from flask_migrate import upgrade
from psycopg import sql

from benchmarks.harness import (
    Load,
    Request,
    Serving,
    Target,
    app_environment,
    gunicorn,
    measure_on,
)
from elearn import create_app, schema_migrations
from elearn.accounts import headcounts
from elearn.accounts.administrations import get_administration, get_administration_with_headcount
from elearn.accounts.tokens import TOKEN_PREFIX
from elearn.config import Settings
from elearn.enrolments.service import tallies
from elearn.pagination import PageRequest
from elearn.reports import exports, officers, service
from elearn.uow import unit_of_work

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime.now(UTC)
COURSES = 200
LESSONS = 8  # the last one a quiz of at most 3 attempts
PER_TRAINEE = 5
WARM_UP = 10  # calls per service before measuring in process, and requests before the export
ADMINISTRATIONS = 50
SEQUENCED = (
    "administrations",
    "users",
    "courses",
    "course_translations",
    "modules",
    "lessons",
    "quiz_definitions",
    "enrolments",
    "quiz_attempts",
    "certificates",
    "api_tokens",
)
SERVING = Serving("sync", 2)
PATHS = {
    "summary of AA": "/api/v1/reports/administrations/AA",
    "summary of AB": "/api/v1/reports/administrations/AB",
    "officers of AA, 50 by name": "/api/v1/reports/administrations/AA/trainees?per_page=50",
    "officers of AA, 50 by -completed": (
        "/api/v1/reports/administrations/AA/trainees?per_page=50&sort=-completed"
    ),
    "officers of AA, failed final attempt": (
        "/api/v1/reports/administrations/AA/trainees?per_page=50&flag=failed_final_attempt"
    ),
    "officers of AB, page 3 of 50": (
        "/api/v1/reports/administrations/AB/trainees?per_page=50&page=3"
    ),
}
EXPORT = "/api/v1/reports/administrations/AA/enrolments.xlsx"
OLD_SUMMARY_SQL = """
SELECT c.id, count(*) FILTER (WHERE e.status <> 'withdrawn'),
       count(*) FILTER (WHERE e.status = 'active'), count(*) FILTER (WHERE e.status = 'completed'),
       count(*) FILTER (WHERE e.status = 'expired' OR (e.status = 'active' AND e.due_at < now())),
       avg(e.progress_percent) FILTER (WHERE e.status <> 'withdrawn')
FROM courses c JOIN enrolments e ON e.course_id = c.id JOIN users u ON u.id = e.user_id
WHERE u.administration_id = %s GROUP BY c.id ORDER BY c.code
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="elearn_bench_reports")
    parser.add_argument("--enrolments", type=int, default=1_000_000)
    parser.add_argument("--export-rows", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=200, help="in process, per service")
    parser.add_argument("--seconds", type=int, default=10, help="wrk's time per endpoint")
    parser.add_argument("--connections", type=int, default=2, help="wrk's; one per worker")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="keep an already filled database")
    args = parser.parse_args()
    url = f"{args.server}/{args.database}"
    token_file = Path(tempfile.gettempdir()) / f"{args.database}.token"
    if not (args.reuse and token_file.exists()):
        started = time.perf_counter()
        create_database(args.server, args.database)
        app = application(url)
        with schema_migrations.init_app(app).app_context():
            upgrade()
        with psycopg.connect(url) as connection:
            token_file.write_text(fill(connection, args.enrolments, args.export_rows))
        with app.app_context(), unit_of_work():
            headcounts.recount()
            tallies.recount()
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")
        print(
            f"data: {args.enrolments:,} enrolments built in {time.perf_counter() - started:.0f} s"
        )
    token = token_file.read_text()
    print(f"raw SQL of the old summary (AA): {raw_sql_ms(url, 1, args.requests // 4):.1f} ms p50")
    print(f"raw SQL of the old summary (AB): {raw_sql_ms(url, 2, args.requests // 4):.1f} ms p50")
    database_url = app_url(url)
    targets = [Target(name, [Request("GET", path, token)]) for name, path in PATHS.items()]
    load = Load(args.seconds, args.connections, args.wrk_threads)
    title = f"reports at {args.enrolments:,} enrolments"
    measure_on(title, database_url, SERVING, load, [token], targets)
    with gunicorn("elearn.wsgi:app", SERVING, app_environment(database_url)) as base:
        for _ in range(WARM_UP):
            get(base, PATHS["summary of AA"], token)
        seconds = [get(base, EXPORT, token) / 1000 for _ in range(3)]
    print(f"{EXPORT:<76} {statistics.median(seconds):7.2f} s (median of 3)")
    for what, p50 in in_process(url, args.requests):
        print(f"in process, no HTTP: {what:<56} p50 {p50:7.1f} ms")
    small, large = export_peaks(url, args.export_rows)
    print(
        f"XLSX export peak Python memory: {small / 2**20:.1f} MiB for the first "
        f"{args.export_rows // 10:,} rows, {large / 2**20:.1f} MiB for all {args.export_rows:,}"
    )


def app_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def application(url: str):  # type: ignore[no-untyped-def]
    instance = tempfile.mkdtemp(prefix="elearn-bench-")
    return create_app(Settings(instance_path=instance, database_url=app_url(url)).validated())


def create_database(server: str, name: str) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def copy(connection: psycopg.Connection, table: str, columns: str, rows: Iterator[tuple]) -> None:
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as out:
        for row in rows:
            out.write_row(row)


def code(number: int) -> str:
    return chr(ord("A") + (number - 1) // 26) + chr(ord("A") + (number - 1) % 26)


def fill(connection: psycopg.Connection, enrolments: int, export_rows: int) -> str:
    """Every row by COPY with explicit ids; an admin's token is returned."""
    stamp = NOW - timedelta(days=400)
    trainees = -(-enrolments // PER_TRAINEE)
    in_aa = export_rows // PER_TRAINEE

    def administration(user: int) -> int:
        return 1 if user <= in_aa else (user % (ADMINISTRATIONS - 1)) + 2

    copy(
        connection,
        "administrations",
        "id, code, names, region, active, created_at, updated_at",
        (
            (n, code(n), f'{{"en": "Customs {n}"}}', "Europe", True, stamp, stamp)
            for n in range(1, ADMINISTRATIONS + 1)
        ),
    )
    admin = trainees + 1  # admins read every administration's reports by the same path
    copy(
        connection,
        "users",
        "id, email, full_name, language, administration_id, personnel_number, unit, active,"
        " session_version, created_at, updated_at",
        (
            (
                n,
                f"officer{n}@bench.test",
                f"Officer {n:07d}",
                "en",
                administration(n),
                f"P{n:07d}",
                f"Unit {n % 12}",
                True,
                1,
                stamp,
                stamp,
            )
            for n in range(1, trainees + 1)
        ),
    )
    copy(
        connection,
        "users",
        "id, email, full_name, language, administration_id, active, session_version,"
        " created_at, updated_at",
        iter([(admin, "admin@bench.test", "Admin", "en", None, True, 1, stamp, stamp)]),
    )
    copy(
        connection,
        "user_roles",
        "user_id, role",
        iter([*((n, "trainee") for n in range(1, trainees + 1)), (admin, "admin")]),
    )
    fill_courses(connection, stamp)
    fill_enrolments(connection, enrolments, trainees)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    copy(
        connection,
        "api_tokens",
        "id, user_id, name, token_hash, prefix, created_at",
        iter(
            [
                (
                    1,
                    admin,
                    "bench",
                    hashlib.sha256(secret.encode()).hexdigest(),
                    secret[:10],
                    stamp,
                )
            ]
        ),
    )
    for table in SEQUENCED:
        connection.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence({name}, 'id'), (SELECT max(id) FROM {table}))"
            ).format(name=sql.Literal(table), table=sql.Identifier(table))
        )
    connection.commit()
    return secret


def fill_courses(connection: psycopg.Connection, stamp: datetime) -> None:
    copy(
        connection,
        "courses",
        "id, slug, code, default_language, status, estimated_minutes, pass_mark,"
        " completion_lessons, completion_quizzes, due_days, card_version, published_at, created_at,"
        " updated_at",
        (
            (
                c,
                f"course-{c}",
                f"C-{c:03d}",
                "en",
                "published",
                90,
                70,
                "required",
                "required",
                60,
                1,
                stamp,
                stamp,
                stamp,
            )
            for c in range(1, COURSES + 1)
        ),
    )
    copy(
        connection,
        "course_translations",
        "id, course_id, lang, title, summary, objectives, search_text, sort_title",
        ((c, c, "en", f"Course {c}", "", "[]", "", f"course {c}") for c in range(1, COURSES + 1)),
    )
    copy(
        connection,
        "modules",
        "id, course_id, key, position, titles, created_at, updated_at",
        ((c, c, "module-1", 1, '{"en": "Module"}', stamp, stamp) for c in range(1, COURSES + 1)),
    )
    copy(
        connection,
        "lessons",
        "id, course_id, module_id, key, kind, position, required, created_at, updated_at",
        (
            (
                lesson(c, p),
                c,
                c,
                f"lesson-{p}",
                "quiz" if p == LESSONS else "text",
                p,
                True,
                stamp,
                stamp,
            )
            for c in range(1, COURSES + 1)
            for p in range(1, LESSONS + 1)
        ),
    )
    definition = '{"settings": {"pass_mark": 70, "max_attempts": 3}, "questions": []}'
    copy(
        connection,
        "quiz_definitions",
        "id, lesson_id, source, definition, created_at, updated_at",
        ((c, lesson(c, LESSONS), "", definition, stamp, stamp) for c in range(1, COURSES + 1)),
    )


def lesson(course: int, position: int) -> int:
    return (course - 1) * LESSONS + position


def fill_enrolments(connection: psycopg.Connection, enrolments: int, trainees: int) -> None:
    """10 % completed (a passed attempt, a certificate), 6 % withdrawn, 2 % expired, 4 % with
    three failed attempts, the rest active with 0-7 lessons done. Active enrolments are due in
    the coming 90 days, except one in 500 that is late by minutes (the hourly sweep expires
    enrolments past their due date, so late ones are always few)."""
    attempts: list[tuple] = []
    certificates: list[tuple] = []

    def rows() -> Iterator[tuple]:
        for number in range(1, enrolments + 1):
            trainee, k = divmod(number - 1, PER_TRAINEE)
            trainee += 1
            course = (trainee * 7 + k * 37) % COURSES + 1
            enrolled = NOW - timedelta(days=number % 300, minutes=number % 1440)
            kind = number % 50
            status, done = "active", number % LESSONS
            if kind < 5:
                status, done = "completed", LESSONS
            elif kind < 8:
                status = "withdrawn"
            elif kind < 9:
                status = "expired"
            activity = enrolled + timedelta(days=1) if done else None
            tries = 1 if status == "completed" else 3 if kind in (10, 11) else 0
            for attempt in range(1, tries + 1):
                score = 85.0 if status == "completed" else 40.0
                attempts.append(
                    (
                        len(attempts) + 1,
                        lesson(course, LESSONS),
                        number,
                        trainee,
                        attempt,
                        "en",
                        "submitted",
                        enrolled,
                        enrolled,
                        70,
                        score,
                        score >= 70,
                        "[]",
                        enrolled,
                        enrolled,
                    )
                )
            if status == "completed":
                certificates.append(
                    (
                        len(certificates) + 1,
                        f"pub{number:019d}",
                        f"C{number:013d}",
                        number,
                        "issued",
                        "en",
                        f"Officer {trainee}",
                        f"Course {course}",
                        enrolled.date(),
                        90,
                        f"c/{number}.pdf",
                        enrolled,
                        enrolled,
                    )
                )
            yield (
                number,
                trainee,
                course,
                status,
                "self",
                enrolled,
                due(number, status, enrolled),
                activity,
                activity,
                activity if status == "completed" else None,
                100 * done // LESSONS,
                enrolled,
                enrolled,
            )

    copy(
        connection,
        "enrolments",
        "id, user_id, course_id, status, source, enrolled_at, due_at, started_at,"
        " last_activity_at, completed_at, progress_percent, created_at, updated_at",
        rows(),
    )
    copy(
        connection,
        "quiz_attempts",
        "id, lesson_id, enrolment_id, user_id, number, language, status, started_at,"
        " submitted_at, pass_mark, score, passed, questions, created_at, updated_at",
        iter(attempts),
    )
    copy(
        connection,
        "certificates",
        "id, public_id, verification_code, enrolment_id, status, language, holder_name,"
        " course_title, completed_on, duration_minutes, pdf_key, created_at, updated_at",
        iter(certificates),
    )


def due(number: int, status: str, enrolled: datetime) -> datetime:
    if status != "active":
        return enrolled + timedelta(days=60)
    if number % 500 == 0:
        return NOW - timedelta(minutes=20)
    return NOW + timedelta(days=1 + number % 90)


def raw_sql_ms(url: str, administration_id: int, times: int) -> float:
    with psycopg.connect(url) as connection:
        latencies = []
        for _ in range(max(times, 3)):
            started = time.perf_counter()
            connection.execute(OLD_SUMMARY_SQL, (administration_id,)).fetchall()
            latencies.append((time.perf_counter() - started) * 1000)
    return percentile(latencies, 0.5)


def in_process(url: str, times: int) -> list[tuple[str, float]]:
    """The services' own time (queries and Python, no HTTP, no auth), median of ``times``."""
    app = application(url)
    figures = []
    with app.app_context():
        calls = {
            f"summary of {code}": lambda code=code: service.administration_summary(
                *get_administration_with_headcount(code), "en"
            )
            for code in ("AA", "AB")
        }
        calls["per-officer page of AA (50, by name)"] = lambda: officers.officer_page(
            *get_administration_with_headcount("AA"),
            officers.OfficerFilter(),
            "name",
            "en",
            PageRequest(1, 50),
        )
        for what, call in calls.items():
            latencies = []
            for _ in range(WARM_UP + times):
                started = time.perf_counter()
                call()
                latencies.append((time.perf_counter() - started) * 1000)
            figures.append((what, percentile(latencies[WARM_UP:], 0.5)))
    return figures


def export_peaks(url: str, rows: int) -> tuple[int, int]:
    """Peak Python memory (tracemalloc) exporting the first tenth of AA's rows, then all."""
    app = application(url)
    peaks = []
    with app.app_context():
        administration = get_administration("AA")
        for limit in (rows // 10, rows):
            tracemalloc.start()
            source = service.enrolment_rows(administration, "en")
            limited = (row for _, row in zip(range(limit), source, strict=False))
            with exports.export(service.ENROLMENT_COLUMNS, limited, exports.Format.XLSX):
                pass
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
    return peaks[0], peaks[1]


def get(base: str, path: str, token: str) -> float:
    """Milliseconds for one request on a fresh connection; anything but 200 stops the run."""
    address = urlsplit(base)
    started = time.perf_counter()
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=60)
    connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if response.status != 200:
        raise SystemExit(f"{path}: {response.status} {body[:300]!r}")
    return (time.perf_counter() - started) * 1000


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


if __name__ == "__main__":
    main()
