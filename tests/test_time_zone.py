"""Timestamps come back timezone-aware in UTC, by the ORM and on the driver, whatever time zone
the database server keeps: on PostgreSQL every session is set to UTC (``engine_options``), so
``UTCDateTime`` converts nothing there."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, make_url, select, text
from sqlalchemy.pool import NullPool

from elearn.accounts.models import User
from elearn.database import engine_options
from elearn.driver_reads import DriverRead
from elearn.extensions import db
from tests.conftest import TEST_DATABASE_URL

ON_POSTGRESQL = (TEST_DATABASE_URL or "").startswith("postgresql")
CREATED = select(User.created_at).where(User.email == "aynur@example.org")


def test_timestamps_are_read_back_in_utc_by_the_orm_and_on_the_driver(app, make):
    make.user(email="aynur@example.org")
    with app.app_context():
        by_orm = db.session.scalar(CREATED)
        [(on_driver,)] = DriverRead(CREATED).rows({})

    assert by_orm == on_driver
    assert by_orm.tzinfo is UTC
    assert on_driver.tzinfo is UTC


@pytest.mark.skipif(not ON_POSTGRESQL, reason="needs PostgreSQL")
@pytest.mark.committed
def test_a_server_in_another_time_zone_still_gives_utc(make):
    make.user(email="aynur@example.org")
    url = make_url(TEST_DATABASE_URL)
    server = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    engine = create_engine(url, **engine_options(TEST_DATABASE_URL))
    with server.connect() as connection:
        connection.exec_driver_sql(f"ALTER DATABASE \"{url.database}\" SET TimeZone = 'Asia/Tokyo'")
    try:
        with engine.connect() as connection:
            zone = connection.scalar(text("SHOW TimeZone"))
            created: datetime = connection.scalar(CREATED)
        with server.connect() as connection:
            unpinned = connection.scalar(text("SELECT now()"))
    finally:
        with server.connect() as connection:
            connection.exec_driver_sql(f'ALTER DATABASE "{url.database}" RESET TimeZone')
        server.dispose()
        engine.dispose()

    assert unpinned.utcoffset().total_seconds() == 9 * 3600  # the server's own zone
    assert zone == "UTC"
    assert created.tzinfo is UTC
