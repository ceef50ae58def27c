"""Learning at scale: 200,000 trainees, 1,000,000 enrolments, ``GET /api/v1/me/enrolments``.

Builds a fresh PostgreSQL database with the migrations, fills it with COPY, serves the app with
gunicorn (2 workers) on 127.0.0.1 and measures the caller's enrolment list under concurrent load,
next to ``/health/live`` measured the same way in the same run (the ratio is what to compare
across machines). Every load phase is bounded in time and requests go to loopback only.

    .venv/bin/python benchmarks/learning.py                 # full size
    .venv/bin/python benchmarks/learning.py --trainees 20000 --enrolments 100000 --seconds 5
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from flask_migrate import upgrade
from psycopg import sql

from elearn import create_app
from elearn.accounts.tokens import TOKEN_PREFIX
from elearn.config import Settings

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "ru", "fr")
LESSONS_PER_COURSE = 8
COURSES_PER_TRAINEE_STEP = 37  # coprime with the course count, so a trainee's courses differ
NOW = datetime(2030, 3, 1, tzinfo=UTC)
SEQUENCED_TABLES = (
    "administrations",
    "users",
    "courses",
    "course_translations",
    "modules",
    "lessons",
    "lesson_translations",
    "enrolments",
    "lesson_progress",
    "api_tokens",
)


@dataclass(frozen=True)
class Sizes:
    trainees: int
    enrolments: int
    courses: int
    administrations: int = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="elearn_bench_learning")
    parser.add_argument("--trainees", type=int, default=200_000)
    parser.add_argument("--enrolments", type=int, default=1_000_000)
    parser.add_argument("--courses", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=15.0, help="each load phase")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--tokens", type=int, default=500, help="trainees sampled for load")
    parser.add_argument("--reuse", action="store_true", help="keep an already filled database")
    args = parser.parse_args()
    sizes = Sizes(args.trainees, args.enrolments, args.courses)
    if sizes.enrolments > sizes.trainees * 5 or sizes.courses % COURSES_PER_TRAINEE_STEP == 0:
        parser.error("at most 5 enrolments per trainee, and courses must not be a multiple of 37")

    url = f"{args.server}/{args.database}"
    token_file = Path(tempfile.gettempdir()) / f"{args.database}.tokens"
    if not (args.reuse and token_file.exists()):
        started = time.perf_counter()
        create_database(args.server, args.database)
        migrate(url)
        with psycopg.connect(url) as connection:
            tokens = fill(connection, sizes, args.tokens)
        token_file.write_text("\n".join(tokens))
        print(f"data: {sizes} built in {time.perf_counter() - started:.1f} s")
    tokens = token_file.read_text().split()

    with serving(url, args.port):
        health = measure(args.port, "/health/live", [""], args.seconds, args.concurrency)
        mine = measure(args.port, "/api/v1/me/enrolments", tokens, args.seconds, args.concurrency)
    report(health, mine, args.concurrency)


def create_database(server: str, name: str) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def migrate(url: str) -> None:
    instance = tempfile.mkdtemp(prefix="elearn-bench-")
    database_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    app = create_app(Settings(instance_path=instance, database_url=database_url).validated())
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))


def copy(connection: psycopg.Connection, table: str, columns: str, rows: Iterator[tuple]) -> int:
    count = 0
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as out:
        for row in rows:
            out.write_row(row)
            count += 1
    return count


def fill(connection: psycopg.Connection, sizes: Sizes, token_count: int) -> list[str]:
    """Every row by COPY with explicit ids; sequences moved past them at the end."""
    stamp = NOW - timedelta(days=400)
    copy(
        connection,
        "administrations",
        "id, code, names, region, active, created_at, updated_at",
        (
            (n, _code(n), f'{{"en": "Customs {n}"}}', "Europe", True, stamp, stamp)
            for n in range(1, sizes.administrations + 1)
        ),
    )
    copy(
        connection,
        "users",
        "id, email, full_name, language, administration_id, active, session_version,"
        " created_at, updated_at",
        (
            (
                n,
                f"trainee{n}@bench.test",
                f"Trainee {n}",
                LANGUAGES[n % 3],
                n % sizes.administrations + 1,
                True,
                1,
                stamp,
                stamp,
            )
            for n in range(1, sizes.trainees + 1)
        ),
    )
    copy(
        connection,
        "user_roles",
        "user_id, role",
        ((n, "trainee") for n in range(1, sizes.trainees + 1)),
    )
    _fill_courses(connection, sizes.courses, stamp)
    _fill_enrolments(connection, sizes)
    tokens = _fill_tokens(connection, sizes.trainees, token_count)
    for table in SEQUENCED_TABLES:
        connection.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence({name}, 'id'), (SELECT max(id) FROM {table}))"
            ).format(name=sql.Literal(table), table=sql.Identifier(table))
        )
    connection.commit()
    connection.autocommit = True
    connection.execute("VACUUM ANALYZE")
    return tokens


def _code(number: int) -> str:
    return chr(ord("A") + (number - 1) // 26) + chr(ord("A") + (number - 1) % 26)


def _fill_courses(connection: psycopg.Connection, courses: int, stamp: datetime) -> None:
    copy(
        connection,
        "courses",
        "id, slug, code, default_language, status, estimated_minutes, pass_mark,"
        " completion_lessons, completion_quizzes, due_days, published_at, created_at, updated_at",
        (
            (
                c,
                f"course-{c}",
                f"C-{c}",
                "en",
                "published",
                90,
                70,
                "required",
                "required",
                60,
                stamp,
                stamp,
                stamp,
            )
            for c in range(1, courses + 1)
        ),
    )
    copy(
        connection,
        "course_translations",
        "id, course_id, lang, title, summary, objectives, search_text, sort_title",
        (
            (c * 3 + i, c, lang, f"Course {c} ({lang})", "", "[]", "", f"course {c}")
            for c in range(1, courses + 1)
            for i, lang in enumerate(LANGUAGES)
        ),
    )
    copy(
        connection,
        "modules",
        "id, course_id, key, position, titles, created_at, updated_at",
        ((c, c, "module-1", 1, '{"en": "Module"}', stamp, stamp) for c in range(1, courses + 1)),
    )
    copy(
        connection,
        "lessons",
        "id, course_id, module_id, key, kind, position, required, created_at, updated_at",
        (
            (
                _lesson_id(c, p),
                c,
                c,
                f"lesson-{p}",
                "quiz" if p == LESSONS_PER_COURSE else "text",
                p,
                True,
                stamp,
                stamp,
            )
            for c in range(1, courses + 1)
            for p in range(1, LESSONS_PER_COURSE + 1)
        ),
    )
    copy(
        connection,
        "lesson_translations",
        "id, lesson_id, lang, title, body",
        (
            (_lesson_id(c, p) * 3 + i, _lesson_id(c, p), lang, f"Lesson {p} ({lang})", "Body.")
            for c in range(1, courses + 1)
            for p in range(1, LESSONS_PER_COURSE + 1)
            for i, lang in enumerate(LANGUAGES)
        ),
    )


def _lesson_id(course: int, position: int) -> int:
    return (course - 1) * LESSONS_PER_COURSE + position


def _fill_enrolments(connection: psycopg.Connection, sizes: Sizes) -> None:
    """Trainee n has up to 5 courses; a tenth of enrolments done, some withdrawn or expired."""
    per_trainee = -(-sizes.enrolments // sizes.trainees)
    progress: list[tuple[int, int, datetime]] = []

    def enrolments() -> Iterator[tuple]:
        number = 0
        for trainee in range(1, sizes.trainees + 1):
            for k in range(per_trainee):
                number += 1
                if number > sizes.enrolments:
                    return
                course = (trainee * 7 + k * COURSES_PER_TRAINEE_STEP) % sizes.courses + 1
                enrolled = NOW - timedelta(days=number % 300, minutes=number % 1440)
                kind = number % 50
                status, done = "active", number % LESSONS_PER_COURSE
                if kind < 5:
                    status, done = "completed", LESSONS_PER_COURSE
                elif kind < 8:
                    status = "withdrawn"
                elif kind < 9:
                    status = "expired"
                activity = enrolled + timedelta(days=1) if done else None
                progress.extend(
                    (number, _lesson_id(course, p), enrolled + timedelta(hours=p))
                    for p in range(1, done + 1)
                )
                yield (
                    number,
                    trainee,
                    course,
                    status,
                    "self",
                    enrolled,
                    enrolled + timedelta(days=60),
                    activity,
                    activity,
                    activity if status == "completed" else None,
                    100 * done // LESSONS_PER_COURSE,
                    enrolled,
                    enrolled,
                )

    copy(
        connection,
        "enrolments",
        "id, user_id, course_id, status, source, enrolled_at, due_at, started_at,"
        " last_activity_at, completed_at, progress_percent, created_at, updated_at",
        enrolments(),
    )
    copy(
        connection,
        "lesson_progress",
        "id, enrolment_id, lesson_id, completed_at",
        ((i, *row) for i, row in enumerate(progress, 1)),
    )
    print(f"data: {len(progress):,} lesson progress rows")


def _fill_tokens(connection: psycopg.Connection, trainees: int, count: int) -> list[str]:
    picked = random.Random(7).sample(range(1, trainees + 1), min(count, trainees))
    secrets_ = [TOKEN_PREFIX + secrets.token_urlsafe(32) for _ in picked]
    copy(
        connection,
        "api_tokens",
        "id, user_id, name, token_hash, prefix, created_at",
        (
            (i, user, "bench", hashlib.sha256(secret.encode()).hexdigest(), secret[:10], NOW)
            for i, (user, secret) in enumerate(zip(picked, secrets_, strict=True), 1)
        ),
    )
    return secrets_


class serving:
    """gunicorn with 2 workers on 127.0.0.1; its master is stopped (gracefully) on exit."""

    def __init__(self, url: str, port: int) -> None:
        self.url = url.replace("postgresql://", "postgresql+psycopg://", 1)
        self.port = port

    def __enter__(self) -> None:
        env = {
            **os.environ,
            "ELEARN_DATABASE_URL": self.url,
            "ELEARN_INSTANCE_PATH": tempfile.mkdtemp(prefix="elearn-bench-"),
            "ELEARN_LOG_LEVEL": "WARNING",
        }
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "elearn:create_app()",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if get(self.port, "/health/live", "")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not answer /health/live within 30 s")

    def __exit__(self, *_: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def get(port: int, path: str, token: str) -> tuple[int, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, time.perf_counter() - started


@dataclass
class Run:
    path: str
    latencies: list[float]
    errors: int
    seconds: float

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


def measure(port: int, path: str, tokens: list[str], seconds: float, concurrency: int) -> Run:
    """Closed-loop load from ``concurrency`` threads for ``seconds``, after a warm-up.

    The warm-up sends every token once: a token's first use in a minute also writes its
    ``last_used_at``, and the figure wanted is the steady read path of a signed-in trainee.
    """
    for token in tokens:
        get(port, path, token)
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(seed: int) -> None:
        nonlocal errors
        chooser = random.Random(seed)
        mine: list[float] = []
        failed = 0
        while time.monotonic() < deadline:
            status, elapsed = get(port, path, chooser.choice(tokens))
            if status == 200:
                mine.append(elapsed)
            else:
                failed += 1
        with lock:
            latencies.extend(mine)
            errors += failed

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    return Run(path, latencies, errors, time.monotonic() - started)


def report(health: Run, mine: Run, concurrency: int) -> None:
    print(f"load: {concurrency} concurrent clients, gunicorn 2 sync workers, 127.0.0.1")
    for run in (health, mine):
        print(
            f"{run.path:<24} {run.rate:8.1f} req/s  p50 {run.percentile(0.5):6.1f} ms"
            f"  p99 {run.percentile(0.99):6.1f} ms"
            f"  mean {statistics.mean(run.latencies) * 1000:6.1f} ms"
            f"  ({len(run.latencies):,} ok, {run.errors} errors)"
        )
    print(
        f"ratio /me/enrolments : /health/live  throughput {mine.rate / health.rate:.2f}"
        f"  p50 {mine.percentile(0.5) / health.percentile(0.5):.1f}x"
        f"  p99 {mine.percentile(0.99) / health.percentile(0.99):.1f}x"
    )


if __name__ == "__main__":
    main()
