"""The few SQL expressions PostgreSQL and SQLite spell differently: timestamps as ISO text,
timestamp arithmetic, JSON objects, strings joined, a list of integers as a table."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    String,
    func,
    literal,
    literal_column,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import TableValuedAlias
from sqlalchemy.types import JSON

from elearn.database import UTCDateTime, on_postgresql


class iso_timestamp(FunctionElement[str]):
    """A ``UTCDateTime`` column as ``datetime.isoformat()`` writes it in UTC:
    ``2030-03-08T23:59:00+00:00``, with ``.ffffff`` only when there are microseconds."""

    type = String()
    inherit_cache = True


@compiles(iso_timestamp, "postgresql")
def _iso_timestamp_postgresql(element: iso_timestamp, compiler: SQLCompiler, **kw: Any) -> str:
    moment = compiler.process(element.clauses, **kw)
    utc = f"({moment} AT TIME ZONE 'UTC')"
    return (
        f"(to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN date_trunc('second', "
        f"{moment}) = {moment} THEN '' ELSE to_char({utc}, '.US') END || '+00:00')"
    )


@compiles(iso_timestamp, "sqlite")
def _iso_timestamp_sqlite(element: iso_timestamp, compiler: SQLCompiler, **kw: Any) -> str:
    # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff', in UTC (see UTCDateTime).
    moment = compiler.process(element.clauses, **kw)
    return (
        f"(replace(substr({moment}, 1, 19), ' ', 'T') || CASE WHEN substr({moment}, 21) IN "
        f"('', '000000') THEN '' ELSE '.' || substr({moment}, 21) END || '+00:00')"
    )


class plus_seconds(FunctionElement[datetime]):
    """``plus_seconds(moment, seconds)``: a timestamp column moved by whole seconds."""

    type = UTCDateTime()
    inherit_cache = True


@compiles(plus_seconds, "postgresql")
def _plus_seconds_postgresql(element: plus_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    moment, seconds = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({moment} + make_interval(secs => {seconds}))"


@compiles(plus_seconds, "sqlite")
def _plus_seconds_sqlite(element: plus_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # Whole seconds leave the microseconds as they are: SQLite's date functions, which keep
    # milliseconds only, move the seconds and the stored fraction is put back behind them.
    moment, seconds = (compiler.process(clause, **kw) for clause in element.clauses)
    return (
        f"(strftime('%Y-%m-%d %H:%M:%S', substr({moment}, 1, 19), {seconds} || ' seconds')"
        f" || substr({moment}, 20))"
    )


class json_object(FunctionElement[dict[str, Any]]):
    """``json_object(key, value, key, value, …)``; build it with ``json_object_of``."""

    type = JSON()
    inherit_cache = True


@compiles(json_object, "postgresql")
def _json_object_postgresql(element: json_object, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_build_object({compiler.process(element.clauses, **kw)})"


@compiles(json_object, "sqlite")
def _json_object_sqlite(element: json_object, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_object({compiler.process(element.clauses, **kw)})"


def json_object_of(**values: ColumnElement[Any]) -> json_object:
    """A JSON object made in SQL from named expressions (keys are identifiers, so they are
    written into the statement: PostgreSQL cannot type a bound key of ``json_build_object``)."""
    pairs: list[ColumnElement[Any]] = []
    for key, value in values.items():
        pairs += [literal_column(f"'{key}'", String()), value]
    return json_object(*pairs)


def joined_text(
    values: ColumnElement[str] | QueryableAttribute[str], separator: str
) -> ColumnElement[str]:
    """The non-null ``values`` of a group joined by ``separator`` (``string_agg``,
    ``group_concat``). The separator is written into the statement: SQLAlchemy renders it as a
    literal anyway, and as a parameter it did so again at every execution."""
    assert "'" not in separator
    written: Any = literal_column(f"'{separator}'", String())
    return func.aggregate_strings(values, written)


def values_table(values: Sequence[int]) -> TableValuedAlias:
    """The integers ``values`` as a table of one column, ``value``, passed as one parameter
    (``unnest`` of an array on PostgreSQL, ``json_each`` on SQLite): thousands of values cost
    one bind parameter, not thousands."""
    if on_postgresql():
        array = literal(list(values), postgresql.ARRAY(BigInteger()))
        return func.unnest(array).table_valued("value").render_derived()
    return func.json_each(json.dumps(list(values))).table_valued("value")
