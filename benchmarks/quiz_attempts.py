"""Quiz attempts under concurrent load: saving answers and submitting, against /health/live.

    .venv/bin/python -m benchmarks.quiz_attempts \\
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/elearn_quizzes_bench] \\
        [--trainees 2000] [--clients 16] [--saves 8000] [--seconds 60] [--keep]

Run it from the repository root. The database is created for the run and dropped after it
(``--keep`` keeps it for inspection): give it a scratch name. It imports the shipped course
customs-valuation-transaction-value (13 questions, all asked), enrols ``--trainees`` trainees,
starts gunicorn (2 sync workers) on 127.0.0.1 and sends, from ``--clients`` threads with one
keep-alive session each:
- GET /health/live (the baseline: a request that touches nothing),
- POST /quizzes/{id}/attempts once per trainee (draws and freezes the questions),
- PUT /attempts/{id}/answers, one answer per request, spread over every attempt,
- POST /attempts/{id}/submit once per trainee (grades, records the pass),
- GET /health/live again.
Each phase stops at its request count or after ``--seconds``. Prints, per phase, requests/s and
p50/p99 in milliseconds, each also as a ratio to /health/live measured in the same run.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import Engine, create_engine, func, make_url, select, text

from elearn import clock, create_app
from elearn.accounts.models import ApiToken, Role, User
from elearn.accounts.passwords import hash_password
from elearn.config import Settings
from elearn.content.service.importing import import_package
from elearn.courses.models import Lesson, LessonKind
from elearn.enrolments.models import Enrolment, EnrolmentSource, EnrolmentStatus
from elearn.extensions import db
from elearn.quizzes.models import Attempt, AttemptStatus
from tests.courses.builders import folder_files

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "course_content" / "customs-valuation-transaction-value"
DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/elearn_quizzes_bench"
BATCH = 500


@dataclass
class Phase:
    name: str
    latencies: list[float]
    errors: int
    seconds: float

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] * 1000


def _server(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        sys.exit("This benchmark measures PostgreSQL: give a postgresql+psycopg:// URL.")
    return create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")


def drop_database(url: str) -> None:
    server = _server(url)
    with server.connect() as connection:
        name = make_url(url).database
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def recreate_database(url: str) -> None:
    drop_database(url)
    server = _server(url)
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{make_url(url).database}"'))
    server.dispose()


def arrange(settings: Settings, trainees: int) -> tuple[int, list[str]]:
    """Schema, the imported course, and enrolled trainees: (quiz lesson id, bearer secrets)."""
    app = create_app(settings)
    bearer = []
    with app.app_context():
        db.create_all()
        course_id = import_package(None, folder_files(COURSE), publish=True).course_id
        db.session.commit()
        quiz_id = db.session.scalar(
            select(Lesson.id).where(Lesson.course_id == course_id, Lesson.kind == LessonKind.QUIZ)
        )
        password = hash_password("not used by the benchmark")
        now = clock.now()
        for start in range(0, trainees, BATCH):
            people = []
            for number in range(start, min(trainees, start + BATCH)):
                person = User(
                    email=f"trainee{number}@bench.customs.test",
                    full_name=f"Trainee {number}",
                    password_hash=password,
                )
                person.roles = frozenset({Role.TRAINEE})
                people.append(person)
            db.session.add_all(people)
            db.session.flush()
            for person in people:
                secret = "elp_" + secrets.token_urlsafe(32)
                bearer.append(secret)
                db.session.add(
                    ApiToken(
                        user_id=person.id,
                        name="bench",
                        token_hash=hashlib.sha256(secret.encode()).hexdigest(),
                        prefix=secret[:10],
                        created_at=now,
                    )
                )
                db.session.add(
                    Enrolment(
                        user_id=person.id,
                        course_id=course_id,
                        status=EnrolmentStatus.ACTIVE,
                        source=EnrolmentSource.BULK,
                        enrolled_at=now,
                        progress_percent=0,
                    )
                )
            db.session.commit()
        db.engine.dispose()
    assert quiz_id is not None
    return quiz_id, bearer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(settings: Settings, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, **settings.to_env()}
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "elearn.wsgi:app",
    ]
    with log.open("wb") as output:
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=output)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/health/live", timeout=5).ok:
                return server
        except requests.RequestException:
            time.sleep(0.2)
    stop(server)
    sys.exit(f"gunicorn did not start; see {log}")


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the gunicorn this benchmark started (its master stops its workers)."""
    server.terminate()
    server.wait(timeout=30)


class Load:
    """Requests from ``clients`` threads, each with its own keep-alive session."""

    def __init__(self, base: str, clients: int, seconds: float) -> None:
        self.base = base
        self.clients = clients
        self.seconds = seconds
        self.local = threading.local()

    def session(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        session: requests.Session = self.local.session
        return session

    def run(self, name: str, jobs: Iterator[Callable[[requests.Session], int]]) -> Phase:
        latencies: list[float] = []
        errors = 0
        lock = threading.Lock()
        stop_at = time.monotonic() + self.seconds

        def worker() -> None:
            nonlocal errors
            session = self.session()
            while time.monotonic() < stop_at:
                with lock:
                    job = next(jobs, None)
                if job is None:
                    return
                started = time.perf_counter()
                status = job(session)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    errors += status >= 400

        began = time.perf_counter()
        with ThreadPoolExecutor(self.clients) as pool:
            for _ in range(self.clients):
                pool.submit(worker)
        return Phase(name, latencies, errors, time.perf_counter() - began)


def any_answer(question: dict[str, Any]) -> dict[str, Any]:
    """A well-formed answer to a presented question (right or wrong does not matter here)."""
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--trainees", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--saves", type=int, default=8000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    arguments = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="elearn-bench-quizzes-"))
    settings = Settings(
        env="development",
        instance_path=str(instance),
        database_url=arguments.database_url,
        log_level="WARNING",
    ).validated()
    recreate_database(settings.database_url)
    began = time.perf_counter()
    quiz_id, bearer = arrange(settings, arguments.trainees)
    print(
        f"arranged {arguments.trainees} enrolled trainees in {time.perf_counter() - began:.1f} s; "
        f"database {settings.database_url.split('@')[-1]}"
    )
    port = free_port()
    server = start_gunicorn(settings, port, instance / "gunicorn.log")
    base = f"http://127.0.0.1:{port}"
    load = Load(base, arguments.clients, arguments.seconds)
    attempts: dict[str, dict[str, Any]] = {}
    try:
        phases = run_phases(load, base, quiz_id, bearer, attempts, arguments.saves)
    finally:
        stop(server)
    report(phases, arguments)
    check_database(settings, len(attempts))
    if not arguments.keep:
        drop_database(settings.database_url)


def run_phases(
    load: Load,
    base: str,
    quiz_id: int,
    bearer: list[str],
    attempts: dict[str, dict[str, Any]],
    saves: int,
) -> list[Phase]:
    def health(session: requests.Session) -> int:
        return session.get(f"{base}/health/live").status_code

    def start(secret: str) -> Callable[[requests.Session], int]:
        def send(session: requests.Session) -> int:
            response = session.post(
                f"{base}/api/v1/quizzes/{quiz_id}/attempts", headers=auth(secret)
            )
            if response.ok:
                attempts[secret] = response.json()
            return response.status_code

        return send

    def save(secret: str, question: dict[str, Any]) -> Callable[[requests.Session], int]:
        attempt_id = attempts[secret]["id"]
        body = {"answers": {question["key"]: any_answer(question)}}

        def send(session: requests.Session) -> int:
            url = f"{base}/api/v1/attempts/{attempt_id}/answers"
            return session.put(url, json=body, headers=auth(secret)).status_code

        return send

    def submit(secret: str) -> Callable[[requests.Session], int]:
        attempt_id = attempts[secret]["id"]

        def send(session: requests.Session) -> int:
            url = f"{base}/api/v1/attempts/{attempt_id}/submit"
            return session.post(url, headers=auth(secret)).status_code

        return send

    def saving() -> Iterator[Callable[[requests.Session], int]]:
        # Round robin over attempts, then over each attempt's questions: like trainees autosaving.
        started = list(attempts)
        for number in range(saves):
            secret = started[number % len(started)]
            questions = attempts[secret]["questions"]
            yield save(secret, questions[(number // len(started)) % len(questions)])

    phases = [load.run("GET /health/live", (health for _ in range(saves)))]
    phases.append(load.run("POST /quizzes/{id}/attempts", (start(s) for s in bearer)))
    phases.append(load.run("PUT /attempts/{id}/answers", saving()))
    phases.append(load.run("POST /attempts/{id}/submit", (submit(s) for s in list(attempts))))
    phases.append(load.run("GET /health/live (again)", (health for _ in range(saves))))
    return phases


def auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def report(phases: list[Phase], arguments: argparse.Namespace) -> None:
    baseline = Phase(
        "health",
        [t for phase in phases if phase.name.startswith("GET /health") for t in phase.latencies],
        0,
        sum(phase.seconds for phase in phases if phase.name.startswith("GET /health")),
    )
    print(
        f"gunicorn 2 sync workers, {arguments.clients} client threads, {os.cpu_count()} cores "
        f"shared by server, clients and PostgreSQL"
    )
    print(
        f"{'phase':32} {'requests':>8} {'errors':>6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'x req/s':>8} {'x p50':>7} {'x p99':>7}"
    )
    for phase in phases:
        p50, p99 = phase.percentile(0.5), phase.percentile(0.99)
        print(
            f"{phase.name:32} {len(phase.latencies):8d} {phase.errors:6d} {phase.rate:8.0f}"
            f" {p50:8.1f} {p99:8.1f} {phase.rate / baseline.rate:8.2f}"
            f" {p50 / baseline.percentile(0.5):7.1f} {p99 / baseline.percentile(0.99):7.1f}"
        )
    print("x: the ratio to /health/live, both of its phases together")


def check_database(settings: Settings, started: int) -> None:
    engine = create_engine(settings.database_url)
    with engine.connect() as connection:
        rows = dict(
            connection.execute(select(Attempt.status, func.count()).group_by(Attempt.status)).all()
        )
    engine.dispose()
    print(f"attempts started {started}; stored by status {rows}")
    assert rows.get(AttemptStatus.SUBMITTED, 0) == started, "every started attempt is submitted"


if __name__ == "__main__":
    main()
