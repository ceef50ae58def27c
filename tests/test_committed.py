"""The ``committed`` marker: the test's writes are really committed, then every table is emptied."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select

from elearn.accounts.models import Administration


def count_from_another_process(settings) -> int:
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(Administration.__table__))
    finally:
        engine.dispose()


@pytest.mark.committed
def test_a_committed_test_writes_what_another_connection_sees(make, settings):
    make.administration("EE")

    assert count_from_another_process(settings) == 1


def test_the_next_test_starts_from_empty_tables(settings):
    assert count_from_another_process(settings) == 0
