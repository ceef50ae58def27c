"""Hot statements that return rows, run on the database driver: a Core SELECT (or a text
statement with its columns declared, such as a save that returns what it wrote) compiled once
per dialect, executed on the DBAPI cursor, its values passed through the columns' own types.

For a statement that returns a few rows, SQLAlchemy's execution (an execution context, result
metadata, ``Row`` objects) costs several times the driver's own work, and the ORM session's
bookkeeping around it as much again. A ``DriverRead`` keeps what SQLAlchemy gives for free
where it matters: the SQL and its bind and result conversions come from SQLAlchemy's compiler
and types (timezone-aware UTC timestamps on SQLite too), and ``before_cursor_execute``
listeners hear each statement as they hear SQLAlchemy's own. It runs on the session's
connection when the session has one (a transaction begun, or a test's connection), else on a
connection whose statements commit themselves, as the statements of a safe request (or of a
write whose one statement commits itself) do.

That connection is the thread's own and stays open between statements and requests
(``statement_connection``): taking one from the pool for each statement (a checkout, AUTOCOMMIT
set, then reset and a rollback on return) cost a third of a one-row statement's CPU. It is one
of the pool's connections, held for the thread's life: it goes back to the pool when the
thread ends. One that is lost is invalidated by the statement that found it lost
(``_as_sqlalchemy_error``), and the next statement opens another. A forked child never
touches the one it inherited: closing it would end its parent's session, which shares the
socket.
"""

from __future__ import annotations

import os
import threading
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Select, TextualSelect
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, StatementError

from elearn.database import autocommitting, sessions_bind, statements_commit_themselves
from elearn.extensions import db

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # Every bound name in the order a positional driver takes them (None: the driver takes
    # names); the conversions of those whose type has one; the values the statement holds.
    positions: tuple[str, ...] | None
    binds: Mapping[str, Processor]
    defaults: Mapping[str, Any]
    results: tuple[tuple[int, Processor], ...]
    row: Callable[[Any], tuple[Any, ...]]

    @classmethod
    def of(cls, statement: Select[*tuple[Any, ...]] | TextualSelect, dialect: Dialect) -> _Compiled:
        compiled = statement.compile(dialect=dialect)
        binds = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for name, bind in compiled.binds.items()
        }
        processors = (
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in statement.selected_columns
        )
        row_type = namedtuple("Row", statement.selected_columns.keys(), rename=True)  # type: ignore[misc]
        return cls(
            sql=compiled.string,
            positions=tuple(compiled.positiontup) if compiled.positional else None,  # type: ignore[arg-type]
            binds={name: process for name, process in binds.items() if process is not None},
            defaults={name: bind.effective_value for name, bind in compiled.binds.items()},
            results=tuple((i, p) for i, p in enumerate(processors) if p is not None),
            row=row_type._make,
        )

    def parameters(self, given: Mapping[str, Any]) -> Any:
        values = {**self.defaults, **given}
        for name, process in self.binds.items():
            if values[name] is not None:
                values[name] = process(values[name])
        if self.positions is None:
            return values
        return tuple(values[name] for name in self.positions)

    def rows(self, fetched: Sequence[Any]) -> list[tuple[Any, ...]]:
        if self.results:
            fetched = [self._converted(list(values)) for values in fetched]
        return [self.row(values) for values in fetched]

    def _converted(self, values: list[Any]) -> list[Any]:
        for index, process in self.results:
            values[index] = process(values[index])
        return values


class DriverRead:
    """``statement`` (a SELECT, or a text statement with its columns declared: a write that
    returns rows), built once, run with parameters by name; rows as named tuples."""

    def __init__(self, statement: Select[*tuple[Any, ...]] | TextualSelect) -> None:
        self._statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def rows(self, parameters: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        connection = _connection()
        compiled = self._compiled_for(connection.dialect)
        values = compiled.parameters(parameters)
        try:
            with closing(connection.connection.cursor()) as cursor:
                connection.dispatch.before_cursor_execute(
                    connection, cursor, compiled.sql, values, None, False
                )
                cursor.execute(compiled.sql, values)
                fetched = cursor.fetchall()
        except connection.dialect.loaded_dbapi.Error as error:
            raise _as_sqlalchemy_error(connection, error, compiled.sql, values) from error
        return compiled.rows(fetched)

    def row(self, parameters: Mapping[str, Any]) -> Any:
        """The one row a statement that reads one row at most read (None: none)."""
        rows = self.rows(parameters)
        return rows[0] if rows else None

    def _compiled_for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = _Compiled.of(self._statement, dialect)
        return compiled


def _as_sqlalchemy_error(
    connection: Connection, error: Any, sql: str, values: Any
) -> StatementError:
    """The error SQLAlchemy would raise for ``error`` (the application answers a lost database
    with 503), the connection invalidated when it is lost, so that the pool replaces it."""
    dialect = connection.dialect
    lost = dialect.is_disconnect(error, connection.connection.dbapi_connection, None)
    if lost:
        connection.invalidate(error)
    return DBAPIError.instance(
        sql, values, error, dialect.loaded_dbapi.Error, connection_invalidated=lost, dialect=dialect
    )


def _connection() -> Connection:
    engine = _engine_outside_any_transaction()
    return db.session.connection() if engine is None else statement_connection(engine)


class _Held(threading.local):
    """This thread's statement connection, and the engine it was opened on."""

    engine: Engine | None = None
    connection: Connection | None = None


_held = _Held()
# What a forked child inherited from its parent, kept unused and unclosed.
_inherited: list[Connection] = []


def statement_connection(engine: Engine) -> Connection:
    """This thread's connection to ``engine`` whose statements commit themselves, opened on
    first use and again once lost (see the module docstring)."""
    held = _held
    connection = held.connection
    if connection is None or connection.invalidated or held.engine is not engine:
        if connection is not None:
            connection.close()
        held.connection = connection = autocommitting(engine).connect()
        held.engine = engine
    return connection


def _leave_parents_connection() -> None:
    if _held.connection is not None:
        _inherited.append(_held.connection)
        _held.connection = _held.engine = None


os.register_at_fork(after_in_child=_leave_parents_connection)


def _engine_outside_any_transaction() -> Engine | None:
    """The engine to run on when statements commit themselves and no transaction is open (no
    session has begun one, nor binds to a connection that holds one, as a test's does); a
    session is not made just to ask it."""
    if not statements_commit_themselves.get():
        return None
    if db.session.registry.has() and db.session().in_transaction():
        return None
    bind = sessions_bind()
    return bind if isinstance(bind, Engine) else None
