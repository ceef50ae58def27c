"""Concurrent requests that read then write must wait for each other, never fail (regression:
on SQLite a deferred transaction upgrading to a write failed at once with "database is locked")."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from elearn.accounts.models import Role


@pytest.mark.committed
def test_first_uses_of_many_tokens_at_once_all_succeed(app, make):
    people = [make.user(Role.TRAINEE) for _ in range(24)]

    def first_use(person) -> int:
        # A token's first use records its last-used time: a read, then a write.
        return app.test_client().get("/api/v1/me", headers=person.headers).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(first_use, people))

    assert statuses == [200] * len(people)
