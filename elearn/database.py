"""The session, the declarative base, portable column types and the database idioms every
domain shares: row locks, inserting a row unless a concurrent transaction won the race, and
deleting rows unless something still refers to them. The SQL expressions PostgreSQL and SQLite
spell differently are in ``elearn.portable_sql``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar

import flask_sqlalchemy.session
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import (
    ColumnElement,
    Connection,
    DateTime,
    Engine,
    MetaData,
    Row,
    Select,
    event,
    inspect,
    make_url,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, QueryableAttribute, mapped_column, registry
from sqlalchemy.types import JSON, TypeDecorator

from elearn import clock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use elearn.clock.now()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        """None on PostgreSQL: its sessions keep time in UTC (``engine_options``), so the driver
        already returns what ``process_result_value`` would, and a read converts nothing."""
        if dialect.name == "postgresql":
            return None
        return super().result_processor(dialect, coltype)


# Sessions in UTC: PostgreSQL returns ``timestamptz`` values in the session's time zone.
_POSTGRESQL_IN_UTC = {"connect_args": {"options": "-c TimeZone=UTC"}}


def engine_options(url: str) -> dict[str, Any]:
    """The options of every engine on ``url``: row values (emails, hashes) are kept out of
    logged database errors, and PostgreSQL sessions keep time in UTC (``UTCDateTime``)."""
    postgresql = make_url(url).get_backend_name() == "postgresql"
    return {"hide_parameters": True, **(_POSTGRESQL_IN_UTC if postgresql else {})}


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON},
    )


def on_postgresql() -> bool:
    """Whether the application's database is PostgreSQL (else SQLite); asked of the engine, so
    that asking makes no session."""
    return db.engine.dialect.name == "postgresql"


# While true, sessions run each statement in a transaction of its own.
statements_commit_themselves: ContextVar[bool] = ContextVar(
    "statements_commit_themselves", default=False
)


class Session(flask_sqlalchemy.session.Session):
    """flask-sqlalchemy's session, which can run without a transaction: a request that only
    reads then pays no BEGIN and no COMMIT, each a round trip on PostgreSQL."""

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        bind = super().get_bind(*args, **kwargs)
        if isinstance(bind, Engine) and statements_commit_themselves.get():
            return autocommitting(bind)
        return bind


@cache
def autocommitting(engine: Engine) -> Engine:
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def sessions_bind() -> Engine | Connection:
    """What the application's sessions run on: the engine, or the one connection a test binds
    every session to (its transaction rolled back after the test)."""
    bind: Engine | Connection = db.session.session_factory.kw.get("bind") or db.engine
    return bind


def connection_of_its_own() -> AbstractContextManager[Connection]:
    """A connection apart from any session's transaction, whose statements commit themselves
    (a test's bound connection, where a test binds one)."""
    bind = sessions_bind()
    if isinstance(bind, Engine):
        return autocommitting(bind).connect()
    return nullcontext(bind)


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})
Entity = TypeVar("Entity", bound=Base)


def lock(model: type[Base], ident: int) -> None:
    """Hold ``model``'s row ``ident`` until the transaction ends (``SELECT … FOR UPDATE``).

    On SQLite a write transaction already holds the whole database, so this only reads.
    """
    key = inspect(model).primary_key[0]
    db.session.execute(select(key).where(key == ident).with_for_update())


def locked(statement: Select[Entity], *, of: Any = None) -> Entity | None:
    """The row ``statement`` selects, locked until the transaction ends and read afresh (a copy
    already in the session is overwritten, so checks see what the lock protects)."""
    return db.session.scalar(
        statement.with_for_update(of=of).execution_options(populate_existing=True)
    )


def insert_or_get(row: Entity, find_winner: Callable[[], Entity | None]) -> tuple[Entity, bool]:
    """``row`` inserted (True), or the row a concurrent transaction inserted first under the
    same unique key (False); see ``insert_or_get_all``."""
    return insert_or_get_all([row], lambda _row: find_winner())[0]


def insert_or_get_all(
    rows: Sequence[Entity], find_winner: Callable[[Entity], Entity | None]
) -> list[tuple[Entity, bool]]:
    """Each row inserted (True), or the row a concurrent transaction inserted first under the
    same unique key (False).

    All rows go in one savepoint; when one of them loses a race the savepoint is undone, so the
    transaction stays usable, and each row is tried in its own. An integrity error with no
    winner to find (another constraint) is raised.
    """
    try:
        with db.session.begin_nested():
            db.session.add_all(rows)
    except IntegrityError:
        if len(rows) > 1:
            return [pair for row in rows for pair in insert_or_get_all([row], find_winner)]
        winner = find_winner(rows[0])
        if winner is None:
            raise
        return [(winner, False)]
    return [(row, True) for row in rows]


def values_of(entity: Base, names: Iterable[str]) -> dict[str, Any]:
    """The current values of ``entity``'s attributes ``names``, to compare with later."""
    return {name: getattr(entity, name) for name in names if hasattr(entity, name)}


def changed_since(entity: Base, before: dict[str, Any]) -> list[str]:
    """The attributes whose value differs from ``before`` (``values_of``): an attribute set again
    to the value it had is no change, so audits name true edits only."""
    return sorted(name for name, value in before.items() if getattr(entity, name) != value)


def add_to_counters(model: type[Base], key: dict[str, Any], deltas: dict[str, int]) -> None:
    """Add ``deltas`` to the counter columns of ``model``'s row ``key`` (made at zero when
    missing) in one ``INSERT … ON CONFLICT DO UPDATE SET n = n + delta``: concurrent
    transactions add up instead of overwriting each other (PostgreSQL holds the row until
    commit). Callers touching several rows do it in key order, so none wait in a cycle."""
    if not any(deltas.values()):
        return
    columns = model.__table__.c
    statement = _insert(model).values(**key, **deltas)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=list(key),
            set_={name: columns[name] + statement.excluded[name] for name in deltas},
        )
    )


def upsert(
    model: type[Base], rows: Sequence[dict[str, Any]], key: Sequence[str], update: Sequence[str]
) -> None:
    """INSERT ``rows`` in one statement; a row whose ``key`` columns match a stored row sets
    that row's ``update`` columns instead (``ON CONFLICT DO UPDATE``, PostgreSQL and SQLite)."""
    if not rows:
        return
    statement = _insert(model).values(list(rows))
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=list(key), set_={name: statement.excluded[name] for name in update}
        )
    )


def _insert(model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """The dialect's INSERT, which knows ``ON CONFLICT``."""
    if on_postgresql():
        return postgresql.insert(model)
    return sqlite.insert(model)


class Timestamped:
    """Creation and last-change times, set by the application clock."""

    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


def contains_text(
    column: ColumnElement[Any] | QueryableAttribute[Any], needle: str
) -> ColumnElement[bool]:
    """Case-insensitive substring match in which ``%`` and ``_`` in the needle match themselves."""
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def configure_sqlite(engine: Engine) -> None:
    """Foreign keys on, WAL, and transactions SQLAlchemy controls (so SAVEPOINT works)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        # SQLite's lower() folds ASCII only; ILIKE must match Cyrillic names as on PostgreSQL.
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front: a transaction that reads then writes would
        # otherwise fail at once with "database is locked" when another writer is active,
        # instead of waiting busy_timeout. Autocommit connections (probes) take no lock.
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            connection.exec_driver_sql("BEGIN IMMEDIATE")


# PostgreSQL's SQLSTATE and SQLite's extended result code for a foreign key violation.
FOREIGN_KEY_VIOLATIONS = frozenset({"23503", "SQLITE_CONSTRAINT_FOREIGNKEY"})


def removed_unless_referenced(remove: Callable[[], None]) -> bool:
    """Whether ``remove`` (ORM deletions) went through: it runs in a savepoint, undone whole
    when a row it deletes is still referenced by a foreign key without cascade.

    The schema then says once, for every domain, which rows keep what they point at; a lower
    domain need not ask the domains above whether they still refer to a row, and a reference
    written concurrently is refused by the database instead of being missed by a check.
    """
    try:
        with db.session.begin_nested():
            remove()
    except IntegrityError as error:
        code = getattr(error.orig, "sqlstate", None) or getattr(
            error.orig, "sqlite_errorname", None
        )
        if code not in FOREIGN_KEY_VIOLATIONS:
            raise
        return False
    return True


def insert_new_selected(
    model: type[Base],
    selection: Select[Any],
    unique: str,
    returning: Sequence[ColumnElement[Any] | QueryableAttribute[Any]],
) -> Sequence[Row[Any]]:
    """``INSERT … SELECT``: the rows ``selection`` gives (its column labels name ``model``'s
    columns), skipping those whose ``unique`` value is taken (``ON CONFLICT DO NOTHING``, on
    PostgreSQL and SQLite alike); ``returning`` of each row inserted.

    A concurrent transaction inserting the same value makes this one wait for it, then skip.
    """
    statement = _insert_new(model, unique).from_select(
        list(selection.selected_columns.keys()), selection
    )
    return db.session.execute(statement.returning(*returning)).all()


def insert_new(
    model: type[Base],
    rows: Sequence[Mapping[str, Any]],
    unique: str,
    returning: Sequence[ColumnElement[Any] | QueryableAttribute[Any]],
) -> Sequence[Row[Any]]:
    """One multi-row ``INSERT … VALUES`` of ``rows`` (column name → value), skipping those
    whose ``unique`` value is taken, as ``insert_new_selected`` does; ``returning`` of each row
    inserted, in no particular order.

    The rows are passed as parameter sets, which SQLAlchemy writes into one statement
    ("insertmanyvalues") compiled once per process; values written into the statement made it
    compile anew for every call (queueing 20 mails: 5 to 7 ms of CPU, against 1.4 ms so)."""
    statement = _insert_new(model, unique).returning(*returning)
    return db.session.execute(statement, list(rows)).all()


def _insert_new(model: type[Base], unique: str) -> postgresql.Insert | sqlite.Insert:
    return _insert(model).on_conflict_do_nothing(index_elements=[unique])
