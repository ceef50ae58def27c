import gc
import os
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, event, func, select, text
from sqlalchemy.exc import DBAPIError

from elearn.accounts.models import Administration, User
from elearn.database import UTCDateTime, statements_commit_themselves
from elearn.driver_reads import DriverRead, statement_connection
from elearn.enrolments.models import EnrolmentStatus
from elearn.extensions import db
from tests.conftest import TEST_DATABASE_URL

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


ONE = select(User.id).where(User.id == bindparam("id"))


@pytest.fixture
def outside_any_transaction():
    """Statements commit themselves, as in a safe request, for this test only."""
    token = statements_commit_themselves.set(True)
    yield
    statements_commit_themselves.reset(token)


ON_POSTGRESQL = pytest.mark.skipif(
    not (TEST_DATABASE_URL or "").startswith("postgresql"), reason="needs PostgreSQL"
)


@pytest.mark.committed
def test_statements_outside_a_transaction_run_on_the_threads_own_connection(
    app, make, outside_any_transaction
):
    """Outside any transaction a statement takes no connection from the pool: the thread's own
    stays open between statements, and what it writes is committed at once."""
    user = make.user(full_name="Aynur Mammadova")
    checkouts: list[object] = []

    def checkout(*_: object) -> None:
        checkouts.append(True)

    with app.app_context():
        engine = db.engine
        DriverRead(ONE).rows({"id": user.id})
        held = statement_connection(engine)
        event.listen(engine, "checkout", checkout)
        try:
            rows = [DriverRead(ONE).rows({"id": user.id}) for _ in range(3)]
        finally:
            event.remove(engine, "checkout", checkout)
        held.execute(text("UPDATE users SET full_name = 'Renamed' WHERE id = :id"), {"id": user.id})

    assert rows == [[(user.id,)]] * 3
    assert checkouts == []
    assert statement_connection(engine) is held
    with engine.connect() as other:
        name = other.execute(text("SELECT full_name FROM users WHERE id = :id"), {"id": user.id})
        assert name.scalar() == "Renamed"


@pytest.mark.committed
def test_a_lost_statement_connection_is_replaced_by_the_next_statement(
    app, make, monkeypatch, outside_any_transaction
):
    user = make.user()
    with app.app_context():
        lost = statement_connection(db.engine)
        with monkeypatch.context() as patched:
            patched.setattr(db.engine.dialect, "is_disconnect", lambda *_: True)
            with pytest.raises(DBAPIError) as raised:
                DriverRead(FAILING).rows({"id": object()})
        invalidated = lost.invalidated
        rows = DriverRead(ONE).rows({"id": user.id})

        assert raised.value.connection_invalidated
        assert invalidated
        assert lost.closed
        assert statement_connection(db.engine) is not lost
    assert rows == [(user.id,)]


@ON_POSTGRESQL
@pytest.mark.committed
def test_a_forked_child_leaves_its_parents_statement_connection_alone(app, outside_any_transaction):
    """The child opens its own (its parent's pool given up, as the Celery worker's children
    do); the parent's session on the shared socket goes on."""
    backend = select(func.pg_backend_pid()).where(bindparam("x") == 1)
    with app.app_context():
        [(parent_pid,)] = DriverRead(backend).rows({"x": 1})
        reading, writing = os.pipe()
        child = os.fork()
        if child == 0:  # pragma: no cover - the child reports through the pipe
            try:
                db.engine.dispose(close=False)
                [(child_pid,)] = DriverRead(backend).rows({"x": 1})
                os.write(writing, str(child_pid).encode())
            finally:
                os._exit(0)
        os.close(writing)
        child_pid = int(os.read(reading, 64) or 0)
        os.waitpid(child, 0)
        [(still,)] = DriverRead(backend).rows({"x": 1})

    assert child_pid not in (0, parent_pid)
    assert still == parent_pid


@pytest.mark.committed
def test_a_threads_statement_connection_goes_back_to_the_pool_when_the_thread_ends(app, make):
    user = make.user()
    read: list[list[tuple[int]]] = []

    def request_in_a_thread() -> None:
        with app.app_context():
            token = statements_commit_themselves.set(True)
            read.append(DriverRead(ONE).rows({"id": user.id}))
            statements_commit_themselves.reset(token)

    with app.app_context():
        pool = db.engine.pool
    checked_out = pool.checkedout()  # type: ignore[attr-defined]
    for _ in range(3):
        thread = threading.Thread(target=request_in_a_thread)
        thread.start()
        thread.join()
    gc.collect()

    assert read == [[(user.id,)]] * 3
    assert pool.checkedout() == checked_out  # type: ignore[attr-defined]
