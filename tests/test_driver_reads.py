from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, select
from sqlalchemy.exc import DBAPIError

from elearn.accounts.models import Administration, User
from elearn.database import UTCDateTime, statements_commit_themselves
from elearn.driver_reads import DriverRead
from elearn.enrolments.models import EnrolmentStatus
from elearn.extensions import db

SINCE = bindparam("since", type_=UTCDateTime())
FOUND = bindparam("found", type_=User.full_name.type)

PEOPLE = (
    select(User.id, User.full_name, User.created_at, User.active, Administration.code)
    .outerjoin(Administration, Administration.id == User.administration_id)
    .where(User.created_at >= SINCE, User.full_name != FOUND)
    .order_by(User.id)
)


def test_rows_are_those_sqlalchemy_reads_with_the_columns_conversions(app, make):
    make.user(full_name="Aynur Mammadova")
    make.user(full_name="Jean Dupont", administration=None)
    since = datetime.now(UTC) - timedelta(hours=1)
    with app.app_context():
        expected = db.session.execute(PEOPLE, {"since": since, "found": "nobody"}).all()
        read = DriverRead(PEOPLE).rows({"since": since, "found": "nobody"})

    assert [tuple(row) for row in read] == [tuple(row) for row in expected]
    assert [row.full_name for row in read] == ["Aynur Mammadova", "Jean Dupont"]
    assert [row.code for row in read] == ["AZ", None]
    # timezone-aware in UTC on every database, as the UTCDateTime column type returns them
    assert all(row.created_at.utcoffset() == timedelta(0) for row in read)


def test_parameters_go_through_their_types_and_named_values_fill_the_statement(app, make):
    make.user(full_name="Aynur Mammadova")
    with app.app_context():
        read = DriverRead(PEOPLE)
        later = read.rows({"since": datetime.now(UTC) + timedelta(hours=1), "found": "x"})
        by_enum = read.rows(
            {"since": datetime(2000, 1, 1, tzinfo=UTC), "found": EnrolmentStatus.ACTIVE}
        )

    assert later == []
    assert [row.full_name for row in by_enum] == ["Aynur Mammadova"]


def test_statements_are_heard_by_listeners_and_see_the_sessions_own_changes(app, make, queries):
    with app.app_context():
        statements_commit_themselves.set(False)
        db.session.add(User(email="new@customs.test", full_name="Unsaved Yet", roles=frozenset()))
        db.session.flush()
        queries.reset()
        read = DriverRead(PEOPLE).rows(
            {"since": datetime(2000, 1, 1, tzinfo=UTC), "found": "nobody"}
        )
        db.session.rollback()

    assert "Unsaved Yet" in [row.full_name for row in read]
    assert queries.count == 1


# A value no driver can bind: the driver's own error, before any row.
FAILING = select(User.id).where(User.id == bindparam("id"))


def test_a_failing_statement_raises_what_sqlalchemy_would(app):
    with app.app_context():
        read = DriverRead(FAILING)
        with pytest.raises(DBAPIError) as raised:
            read.rows({"id": object()})

    assert not raised.value.connection_invalidated


def test_a_lost_connection_is_invalidated_so_that_the_pool_replaces_it(app, monkeypatch):
    with app.app_context():
        dialect = db.engine.dialect
        monkeypatch.setattr(dialect, "is_disconnect", lambda *_: True)
        connection = db.session.connection()
        with pytest.raises(DBAPIError) as raised:
            DriverRead(FAILING).rows({"id": object()})

        assert raised.value.connection_invalidated
        assert connection.invalidated
