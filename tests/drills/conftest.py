"""Fault drills run only when selected (``pytest -m drill tests/drills``), on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from elearn.config import Settings
from tests.conftest import TEST_DATABASE_URL
from tests.drills.stack import Stack, drill_stack
from tests.infra.seaweedfs import SeaweedFS
from tests.mailserver import SmtpTestServer


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "drill" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="a fault drill: select it with -m drill (.ci/run does)")
    for item in items:
        if item.get_closest_marker("drill"):
            item.add_marker(skip)


@pytest.fixture
def stack(
    settings: Settings,
    seaweedfs: SeaweedFS,
    smtp_server: SmtpTestServer,
    tmp_path,
) -> Iterator[Stack]:
    if not TEST_DATABASE_URL.startswith("postgresql"):
        pytest.skip("drills run on PostgreSQL (set ELEARN_TEST_DATABASE_URL)")
    with drill_stack(settings, TEST_DATABASE_URL, seaweedfs, smtp_server, tmp_path) as running:
        yield running
