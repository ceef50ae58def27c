"""Cost of a password login with the production argon2id parameters (the Settings defaults).

Run: .venv/bin/python benchmarks/login.py [--logins 50]

Prints the median and 95th percentile, in milliseconds, of
- argon2id verification alone, for the default parameters and for OWASP's other equivalent
  profiles (same strength, memory traded for iterations);
- a whole ``POST /api/v1/auth/login`` through the app on the embedded SQLite database
  (verification, user lookup, session cookie, commit of ``last_login_at``).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import partial
from importlib.metadata import version

import argon2

from elearn import create_app
from elearn.accounts import service
from elearn.accounts.models import Role
from elearn.config import Settings
from elearn.extensions import db
from elearn.uow import unit_of_work

PASSWORD = "correct horse battery staple"  # noqa: S105 - benchmark fixture
EMAIL = "bench@customs.test"
# OWASP Password Storage Cheat Sheet: argon2id profiles of equal strength (memory KiB, time).
OWASP_PROFILES = ((47104, 1), (19456, 2), (12288, 3), (9216, 4), (7168, 5))


@dataclass(frozen=True)
class Figures:
    """Wall-clock median and p95, and the median CPU time of this process, in milliseconds.

    The CPU time is what the work itself costs; the wall clock adds waiting for a core, which
    on a shared machine can double the figures.
    """

    median: float
    p95: float
    cpu_median: float

    def __str__(self) -> str:
        return (
            f"median {self.median:6.1f} ms  p95 {self.p95:6.1f} ms  (CPU {self.cpu_median:5.1f} ms)"
        )


def measure(action: Callable[[], object], times: int) -> Figures:
    """Figures over ``times`` runs, after one warm-up run."""
    action()
    wall, cpu = [], []
    for _ in range(times):
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        action()
        wall.append((time.perf_counter() - wall_start) * 1000)
        cpu.append((time.process_time() - cpu_start) * 1000)
    wall.sort()
    p95 = wall[max(0, round(0.95 * len(wall)) - 1)]
    return Figures(statistics.median(wall), p95, statistics.median(cpu))


def default_argon2() -> tuple[int, int, int]:
    defaults = {f.name: f.default for f in fields(Settings)}
    return (
        defaults["argon2_time_cost"],
        defaults["argon2_memory_kib"],
        defaults["argon2_parallelism"],
    )


def bench_verify(times: int) -> None:
    time_cost, memory_kib, parallelism = default_argon2()
    print(f"argon2id verify ({times} runs each)")
    for profile_memory, profile_time in OWASP_PROFILES:
        hasher = argon2.PasswordHasher(
            time_cost=profile_time, memory_cost=profile_memory, parallelism=parallelism
        )
        stored = hasher.hash(PASSWORD)
        figures = measure(partial(hasher.verify, stored, PASSWORD), times)
        chosen = "  <- default" if (profile_memory, profile_time) == (memory_kib, time_cost) else ""
        print(f"  m={profile_memory:>5} KiB t={profile_time} p={parallelism}: {figures}{chosen}")


def bench_login(times: int) -> None:
    with tempfile.TemporaryDirectory() as instance:
        settings = Settings(
            instance_path=instance, login_rate_limit_ip="100000 per minute", log_level="WARNING"
        ).validated()
        app = create_app(settings)
        with app.app_context():
            db.create_all()
            with unit_of_work():
                service.create_user(
                    None,
                    service.NewUser(
                        email=EMAIL,
                        full_name="Bench",
                        roles=frozenset({Role.TRAINEE}),
                        password=PASSWORD,
                    ),
                )
        client = app.test_client()

        def login() -> None:
            response = client.post(
                "/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD}
            )
            assert response.status_code == 200, response.get_data(as_text=True)

        figures = measure(login, times)
        with app.app_context():
            db.engine.dispose()
    time_cost, memory_kib, parallelism = default_argon2()
    print(
        f"POST /api/v1/auth/login, m={memory_kib} KiB t={time_cost} p={parallelism} "
        f"({times} logins): {figures}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=50)
    args = parser.parse_args()
    print(
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"argon2-cffi {version('argon2-cffi')}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}"
    )
    bench_verify(args.logins)
    bench_login(args.logins)


if __name__ == "__main__":
    main()
