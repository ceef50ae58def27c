"""Schema-driven fuzzing of the whole API against its own OpenAPI document (Schemathesis).

Every operation of ``/api/v1/openapi.json`` gets requests generated from its schema (data that
fits it and data that does not), each sent
as an admin, as a trainee and anonymously, to the app on the embedded database (a fresh SQLite
file with the demo data). A response fails when it is a 5xx, has a status or content type the
document does not list, or a body that does not match the documented schema.

    .venv/bin/python scripts/fuzz_api.py [--examples N] [--budget SECONDS] [--seed N]

Prints the number of requests sent and every failure; exits 1 when there is any. The seed is
fixed, so each operation gets the same cases in the same order on every run; the time budget
bounds the run whatever the machine (a slower one sends fewer of them).
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from elearn import create_app
from elearn.accounts import tokens
from elearn.accounts.models import Role, User
from elearn.accounts.passwords import hash_password
from elearn.config import Settings
from elearn.demo import load_demo
from elearn.extensions import db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass
class Tally:
    operations: int = 0
    fuzzed: int = 0
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)


class Actors:
    """Bearer tokens of an admin and a trainee, made again when a generated request revoked
    or deactivated them (the fuzzer may delete any token or deactivate any user)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.headers: dict[str, dict[str, str]] = {}
        self.renew()

    def renew(self) -> None:
        with self.app.app_context():
            for role in (Role.ADMIN, Role.TRAINEE):
                user = User(
                    email=f"fuzz-{role.value}-{time.monotonic_ns()}@elearn.test",
                    full_name=f"Fuzz {role.value}",
                    password_hash=hash_password("fuzz password 1"),
                    active=True,
                )
                user.roles = frozenset({role})
                db.session.add(user)
                db.session.flush()
                _, secret = tokens.create_token(user, "fuzz", None)
                self.headers[role.value] = {"Authorization": f"Bearer {secret}"}
            db.session.commit()
        self.headers["anonymous"] = {}

    def still_valid(self, client: Any) -> bool:
        return all(
            client.get("/api/v1/me", headers=headers).status_code == 200
            for name, headers in self.headers.items()
            if headers
        )


def build_app(instance: str) -> Any:
    settings = Settings(
        env="development",
        instance_path=instance,
        database_url=f"sqlite:///{instance}/fuzz.db",
        argon2_time_cost=1,
        argon2_memory_kib=1024,
    ).validated()
    app = create_app(settings)
    with app.app_context():
        db.create_all()
        load_demo()
    return app


def fuzz(app: Any, *, examples: int, budget: float, seed: int) -> Tally:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    actors = Actors(app)
    client = app.test_client()
    tally = Tally()
    deadline = time.monotonic() + budget
    operations = [result.ok() for result in schema.get_all_operations()]
    tally.operations = len(operations)
    for number, operation in enumerate(operations):
        # Each operation gets an equal share of what is left of the budget.
        share = (deadline - time.monotonic()) / (len(operations) - number)
        fuzz_operation(
            operation,
            actors,
            client,
            tally,
            examples=examples,
            seed=seed,
            stop_at=time.monotonic() + share,
        )
        tally.fuzzed += 1
    return tally


def fuzz_operation(
    operation: Any,
    actors: Actors,
    client: Any,
    tally: Tally,
    *,
    examples: int,
    seed: int,
    stop_at: float,
) -> None:
    """Up to ``examples`` generated cases of one operation (at least one, whatever the time),
    each sent as every actor."""
    sent = 0

    @hypothesis.seed(seed)
    @hypothesis.settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(operation.as_strategy(mode) for mode in GenerationMode))
    def run(case: Any) -> None:
        nonlocal sent
        if sent and time.monotonic() > stop_at:
            return
        sent += 1
        for actor, headers in actors.headers.items():
            response = case.call(headers=headers)
            tally.requests += 1
            tally.statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (AssertionError, FailureGroup) as error:
                key = f"{operation.label} as {actor}: {type(error).__name__}"
                tally.failures.setdefault(key, str(error)[:2000])
        if case.method.upper() in UNSAFE and not actors.still_valid(client):
            actors.renew()

    run()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=25, help="generated cases per operation")
    parser.add_argument("--budget", type=float, default=150.0, help="seconds of fuzzing")
    parser.add_argument("--seed", type=int, default=20261202)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="elearn-fuzz-") as instance:
        tally = fuzz(
            build_app(instance), examples=args.examples, budget=args.budget, seed=args.seed
        )
    seconds = time.monotonic() - started
    server_errors = sum(count for status, count in tally.statuses.items() if status >= 500)
    print(
        f"fuzz: {tally.fuzzed} of {tally.operations} operations, {tally.requests} requests"
        f" in {seconds:.0f} s, {server_errors} answered 5xx,"
        f" {len(tally.failures)} failing operation/actor pairs"
    )
    print("statuses: " + ", ".join(f"{s}×{n}" for s, n in sorted(tally.statuses.items())))
    for key, message in sorted(tally.failures.items()):
        print(f"\n--- {key}\n{message}")
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
