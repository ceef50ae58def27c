"""Catalogue throughput: 1,000 published courses served by gunicorn, against a hello-world.

Builds the courses (en/ru/fr texts, topics, a tenth restricted to administrations) in a fresh
SQLite file (default) or in the PostgreSQL database given with --database-url (its tables are
dropped and recreated: use a scratch database), starts gunicorn on 127.0.0.1 with 2 workers,
then runs a bounded load (threads + requests, fixed duration) against /health/live, against
/api/v1/me (the cost of any signed-in request: session and user loading) and against the
catalogue, and prints requests per second and their ratio to the hello-world.

    .venv/bin/python benchmarks/catalogue.py
    .venv/bin/python benchmarks/catalogue.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/elearn_bench
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from sqlalchemy import insert, select

from elearn import clock, create_app
from elearn.accounts.models import Administration, Role, User
from elearn.accounts.passwords import hash_password
from elearn.config import Settings
from elearn.courses.models import (
    Course,
    CourseAdministration,
    CourseTopic,
    CourseTranslation,
)
from elearn.extensions import db

TOPICS = ("valuation", "origin", "classification", "enforcement", "trade-facilitation")
EMAIL = "bench@customs.test"
PASSWORD = "benchmark password"  # noqa: S105 - a throwaway account in a scratch database
WORDS = ("customs", "valuation", "origin", "tariff", "risk", "transit", "audit", "integrity")


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    authenticated: bool


TARGETS = (
    Target("hello world (/health/live)", "/health/live", authenticated=False),
    Target("signed-in floor (/api/v1/me)", "/api/v1/me", authenticated=True),
    Target("catalogue, page 1 of 20", "/api/v1/courses?per_page=20", authenticated=True),
    Target("catalogue in Russian", "/api/v1/courses?per_page=20&lang=ru", authenticated=True),
    Target("catalogue search", "/api/v1/courses?per_page=20&q=tariff", authenticated=True),
)


def build(settings: Settings, courses: int) -> None:
    """Create the schema, a trainee of AZ who signs in with a password, and the courses."""
    app = create_app(settings)
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.add_all(
            Administration(code=code, names={"en": code}, region="Europe") for code in ("AZ", "GE")
        )
        trainee = User(
            email=EMAIL, full_name="Bench Trainee", password_hash=hash_password(PASSWORD)
        )
        trainee.roles = frozenset({Role.TRAINEE})
        db.session.add(trainee)
        db.session.flush()
        trainee.administration_id = db.session.scalar(
            select(Administration.id).where(Administration.code == "AZ")
        )
        _insert_courses(courses)
        db.session.commit()
        db.engine.dispose()


def _insert_courses(count: int) -> None:
    now = clock.now()
    db.session.execute(
        insert(Course),
        [
            {
                "slug": f"course-{n}",
                "code": f"WCO-{n:04d}",
                "default_language": "en",
                "status": "published",
                "estimated_minutes": 60 + n % 120,
                "published_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(count)
        ],
    )
    ids = dict(db.session.execute(select(Course.slug, Course.id)).all())
    admin_ids = list(db.session.scalars(select(Administration.id)))
    translations, topics, restrictions = [], [], []
    for n in range(count):
        course_id = ids[f"course-{n}"]
        words = " ".join(WORDS[(n + k) % len(WORDS)] for k in range(3))
        for lang, prefix in (("en", "Course"), ("ru", "Курс"), ("fr", "Cours")):
            title = f"{prefix} {n}: {words}"
            summary = f"{words} ({lang}) " * 8
            translations.append(
                {
                    "course_id": course_id,
                    "lang": lang,
                    "title": title,
                    "summary": summary,
                    "objectives": [f"Objective {k}" for k in range(3)],
                    "search_text": f"{title}\n{summary}".casefold(),
                    "sort_title": title.casefold(),
                }
            )
        topics += [{"course_id": course_id, "topic": TOPICS[(n + k) % len(TOPICS)]} for k in (0, 1)]
        if n % 10 == 0:
            restrictions.append({"course_id": course_id, "administration_id": admin_ids[n % 2]})
    db.session.execute(insert(CourseTranslation), translations)
    db.session.execute(insert(CourseTopic), topics)
    db.session.execute(insert(CourseAdministration), restrictions)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(settings: Settings, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ELEARN_DATABASE_URL": settings.database_url,
        "ELEARN_INSTANCE_PATH": settings.instance_path,
        "ELEARN_LOG_LEVEL": "WARNING",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "-w", str(workers), "-b", f"127.0.0.1:{port}", "-k", "sync",
         "--log-level", "warning", "elearn:create_app()"],
        env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/health/live", timeout=1).ok:
                return server
        except requests.RequestException:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def load(url: str, headers: dict[str, str], seconds: float, threads: int) -> tuple[float, float]:
    """Requests per second and mean latency (ms) of ``threads`` clients for ``seconds``."""
    done: list[int] = [0] * threads
    latency: list[float] = [0.0] * threads
    failures: list[int] = [0] * threads
    stop = time.monotonic() + seconds

    def client(number: int) -> None:
        with requests.Session() as session:
            while time.monotonic() < stop:
                started = time.perf_counter()
                response = session.get(url, headers=headers, timeout=10)
                latency[number] += time.perf_counter() - started
                if response.status_code == 200:
                    done[number] += 1
                else:
                    failures[number] += 1

    started = time.monotonic()
    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    if sum(failures):
        raise SystemExit(f"{url}: {sum(failures)} failed requests")
    total = sum(done)
    return total / elapsed, 1000 * sum(latency) / max(total, 1)


def measure(base: str, seconds: float, threads: int) -> dict[str, tuple[float, float]]:
    """Sign in once (a browser's cookie session), then load each target in turn."""
    login = requests.post(
        f"{base}/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD}, timeout=10
    )
    login.raise_for_status()
    cookie = {"Cookie": f"elearn_session={login.cookies['elearn_session']}"}
    results = {}
    for target in TARGETS:
        headers = cookie if target.authenticated else {}
        load(base + target.path, headers, min(2.0, seconds), threads)  # warm-up
        results[target.name] = load(base + target.path, headers, seconds, threads)
    return results


def run(settings: Settings, args: argparse.Namespace) -> None:
    """Build, serve, measure, print."""
    started = time.monotonic()
    build(settings, args.courses)
    print(f"built {args.courses} courses x 3 languages in {time.monotonic() - started:.1f} s "
          f"({settings.database_url.split('@')[-1]})")  # fmt: skip
    server = serve(settings, port := _free_port(), args.workers)
    try:
        results = measure(f"http://127.0.0.1:{port}", args.seconds, args.threads)
    finally:
        server.terminate()
        server.wait(timeout=10)
    hello = next(iter(results.values()))[0]
    print(
        f"gunicorn {args.workers} workers, {args.threads} client threads, {args.seconds:.0f} s each"
    )
    print(f"{'endpoint':<30} {'req/s':>8} {'mean ms':>8} {'vs hello':>9}")
    for name, (rate, mean_ms) in results.items():
        print(f"{name:<30} {rate:>8.0f} {mean_ms:>8.1f} {rate / hello:>9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--courses", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10.0, help="per measured endpoint")
    parser.add_argument("--threads", type=int, default=4, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="elearn-catalogue-bench-") as instance:
        run(Settings(instance_path=instance, database_url=args.database_url).validated(), args)


if __name__ == "__main__":
    main()
