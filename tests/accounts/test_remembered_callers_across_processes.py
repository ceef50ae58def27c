"""Two gunicorn workers on PostgreSQL: what one of them remembers of a token's holder is
forgotten as soon as the other changes the account, so no reuse outlives a revocation, a
deactivation or a change of roles; a logged-out cookie is refused by both."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from elearn.accounts.models import Role
from tests.conftest import TEST_DATABASE_URL
from tests.factories import Person
from tests.worker import closed_port

pytestmark = [
    pytest.mark.committed,
    pytest.mark.skipif(
        not (TEST_DATABASE_URL or "").startswith("postgresql"),
        reason="needs PostgreSQL (the change feed is LISTEN/NOTIFY)",
    ),
]

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 30
MAX_REQUESTS = 1_000
ME = "/api/v1/me"


@dataclass
class Served:
    base: str
    access_log: Path

    def get(self, path: str, **kwargs: object) -> requests.Response:
        return requests.get(self.base + path, timeout=10, **kwargs)  # type: ignore[arg-type]

    def statuses_by_worker(self, path: str, since: int) -> dict[str, set[int]]:
        """The statuses each worker process answered ``path`` with, from log line ``since``."""
        lines = self.access_log.read_text().splitlines()[since:]
        answered: dict[str, set[int]] = {}
        for pid, status, logged_path in (line.split() for line in lines):
            if logged_path == path:
                answered.setdefault(pid, set()).add(int(status))
        return answered

    def logged_lines(self) -> int:
        return len(self.access_log.read_text().splitlines())


@pytest.fixture
def served(settings, tmp_path) -> Iterator[Served]:
    port = closed_port()
    access_log = tmp_path / "access.log"
    environment = {name: value for name, value in os.environ.items() if "ELEARN_" not in name}
    command = [
        *(sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}"),
        *("--access-logfile", str(access_log), "--access-logformat", "%(p)s %(s)s %(U)s"),
        "elearn.wsgi:app",
    ]
    with (tmp_path / "gunicorn.log").open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**environment, **settings.to_env()}, stdout=log, stderr=log
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(base, process)
        yield Served(base, access_log)
    finally:
        process.terminate()
        process.wait(20)


def _wait_until_answering(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited"
        try:
            if requests.get(f"{base}/health/live", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not answer")


def _both_workers_remember(served: Served, headers: dict[str, str]) -> None:
    assert _answers_of_both_workers(served, headers) == {200}


def _every_worker_refuses(served: Served, headers: dict[str, str]) -> None:
    assert _answers_of_both_workers(served, headers) == {401}


def _answers_of_both_workers(served: Served, headers: dict[str, str]) -> set[int]:
    """The statuses of at least ``ROUNDS`` requests to ``ME``, sent until both workers have
    answered some (the kernel may hand a run of connections to one of them)."""
    since = served.logged_lines()
    for sent in range(1, MAX_REQUESTS + 1):
        served.get(ME, headers=headers)
        if sent >= ROUNDS and sent % 10 == 0:
            answered = _settled(served, ME, since, sent)
            if len(answered) == 2:
                return set().union(*answered.values())
    raise AssertionError(f"one worker answered all {MAX_REQUESTS} requests")


def _settled(served: Served, path: str, since: int, count: int) -> dict[str, set[int]]:
    # gunicorn writes the access log line just after the response.
    deadline = time.monotonic() + 5
    while served.logged_lines() - since < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return served.statuses_by_worker(path, since)


def _change_user(served: Served, admin: Person, user_id: int, changes: dict[str, Any]) -> None:
    changed = requests.patch(
        f"{served.base}/api/v1/users/{user_id}", json=changes, headers=admin.headers, timeout=10
    )
    assert changed.status_code == 200, changed.text


def test_a_revoked_token_is_refused_by_every_worker_at_once(served, make):
    trainee = make.user(Role.TRAINEE)
    _both_workers_remember(served, trainee.headers)
    (token,) = served.get("/api/v1/me/tokens", headers=trainee.headers).json()
    revoked = requests.delete(
        f"{served.base}/api/v1/me/tokens/{token['id']}", headers=trainee.headers, timeout=10
    )
    assert revoked.status_code == 204
    _every_worker_refuses(served, trainee.headers)


def test_a_deactivated_trainee_is_refused_by_every_worker_at_once(served, make):
    admin = make.user(Role.ADMIN, administration=None)
    trainee = make.user(Role.TRAINEE)
    _both_workers_remember(served, trainee.headers)
    _change_user(served, admin, trainee.id, {"active": False})
    _every_worker_refuses(served, trainee.headers)


def test_new_roles_show_in_every_worker_at_once(served, make):
    admin = make.user(Role.ADMIN, administration=None)
    trainee = make.user(Role.TRAINEE)
    _both_workers_remember(served, trainee.headers)
    _change_user(served, admin, trainee.id, {"roles": ["trainee", "trainer"]})
    for _ in range(ROUNDS):
        assert served.get(ME, headers=trainee.headers).json()["roles"] == ["trainee", "trainer"]


def test_a_logged_out_session_is_refused_by_every_worker(served, make):
    trainee = make.user(Role.TRAINEE)
    login = requests.post(
        f"{served.base}/api/v1/auth/login",
        json={"email": trainee.email, "password": trainee.password},
        timeout=10,
    )
    assert login.status_code == 200, login.text
    cookie = {"Cookie": re.sub(r";.*", "", login.headers["Set-Cookie"])}
    _both_workers_remember(served, cookie)
    logout = requests.post(
        f"{served.base}/api/v1/auth/logout",
        headers={**cookie, "Content-Type": "application/json"},
        timeout=10,
    )
    assert logout.status_code == 204, logout.text
    _every_worker_refuses(served, cookie)
