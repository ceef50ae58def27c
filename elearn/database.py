"""The declarative base, portable column types and engine set-up shared by every domain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, DateTime, Engine, MetaData, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    QueryableAttribute,
    Session,
    mapped_column,
    registry,
    scoped_session,
)
from sqlalchemy.types import JSON, TypeDecorator

from elearn import clock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


INSERT_CHUNK = 1000


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


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON},
    )


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


def insert_new_rows(
    session: Session | scoped_session[Any],
    model: type[Base],
    rows: Sequence[dict[str, Any]],
    unique: str,
) -> dict[Any, int]:
    """INSERT ``rows``, skipping those whose ``unique`` column value is taken (``ON CONFLICT DO
    NOTHING``, on PostgreSQL and SQLite alike); the id of each row inserted, by its value.

    A concurrent transaction inserting the same value makes this one wait for it, then skip.
    """
    dialect = session.get_bind().dialect.name
    build = postgresql.insert if dialect == "postgresql" else sqlite.insert
    inserted: dict[Any, int] = {}
    columns = model.__table__.c
    # Chunks stay under PostgreSQL's 65,535 bind parameters per statement.
    for start in range(0, len(rows), INSERT_CHUNK):
        statement = (
            build(model)
            .values(list(rows[start : start + INSERT_CHUNK]))
            .on_conflict_do_nothing(index_elements=[unique])
            .returning(columns[unique], columns.id)
        )
        inserted.update((row[0], row[1]) for row in session.execute(statement))
    return inserted
