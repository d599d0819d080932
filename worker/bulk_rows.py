"""Many rows into one table in one DB-API ``executemany`` of plain tuples: the write half of a batch.

A batch of pushed items writes its new stories, articles, duplicate rows and audit rows held back, each
table's rows in one statement (``worker.pipeline``). Through SQLAlchemy's ``Connection.execute`` an
executemany of 500 rows builds a parameter dict per row from the compiled statement, runs every value
through its type's processor inside that loop and then turns each dict into the driver's tuple: on
SQLite, where the writes run in the ingesting process itself, that Python work cost about twice the
driver's own. Here the statement is compiled once per table, dialect and set of columns, the rows are
read into tuples by one ``itemgetter``, and only the columns whose type has a bind processor (dates,
JSON lists, NUL-free text) are mapped, column by column: the same values reach the driver, so the same
rows are stored (tested against ``Connection.execute`` on both backends).

Only SQLite takes this path: PostgreSQL's writes run in the server's process and its driver takes named
parameters, so there the plain ``Connection.execute`` stays. A row that leaves out a column with a
Python-side default (which SQLAlchemy fills per row) also goes through ``Connection.execute``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection, Dialect

__all__ = ["insert_rows"]

Processor = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class _Plan:
    """One table's INSERT for one set of columns: the driver's SQL, the getter that reads a row's values
    in the statement's order, and each position's bind processor (None: the value goes as it is)."""

    sql: str
    values_of: Callable[[dict[str, Any]], tuple[Any, ...]]
    processors: tuple[Processor | None, ...]


_plans: dict[tuple[str, str, tuple[str, ...]], _Plan | None] = {}


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """``connection.execute(insert(table), rows)``, with the same rows stored, for less work on SQLite.

    Every row must carry the first row's keys (as SQLAlchemy's executemany requires too)."""
    if not rows:
        return
    plan = _plan(connection.dialect, table, tuple(rows[0]))
    if plan is None:
        connection.execute(insert(table), list(rows))
        return
    try:
        tuples = list(map(plan.values_of, rows))
    except KeyError:  # a row lacks a key of the first: SQLAlchemy says which, as it always did
        connection.execute(insert(table), list(rows))
        return
    if any(plan.processors):
        columns = list(zip(*tuples, strict=True))
        for position, processor in enumerate(plan.processors):
            if processor is not None:
                columns[position] = tuple(map(processor, columns[position]))
        tuples = list(zip(*columns, strict=True))
    connection.exec_driver_sql(plan.sql, tuples)


def _plan(dialect: Dialect, table: Table, keys: tuple[str, ...]) -> _Plan | None:
    cache_key = (dialect.name, table.name, keys)
    if cache_key not in _plans:
        _plans[cache_key] = _make_plan(dialect, table, keys)
    return _plans[cache_key]


def _make_plan(dialect: Dialect, table: Table, keys: tuple[str, ...]) -> _Plan | None:
    """None when this path would not store what ``Connection.execute`` stores: another paramstyle than
    SQLite's positional one, a key that is no column, or a column left out that has a Python default."""
    if dialect.name != "sqlite" or dialect.paramstyle != "qmark":
        return None
    if any(key not in table.c for key in keys):
        return None
    if any(column.default is not None and column.key not in keys for column in table.c):
        return None
    compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
    order = compiled.positiontup
    if order is None or sorted(order) != sorted(keys):
        return None
    processors = tuple(table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in order)
    getter = operator.itemgetter(*order)
    values_of = getter if len(order) > 1 else lambda row: (getter(row),)
    return _Plan(compiled.string, values_of, processors)
