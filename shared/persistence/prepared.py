"""Fixed write statements run straight on SQLite's connection, compiled once (a fast path).

Every event and keyed request runs the same few writes (the inbox claim, the outbox insert, the
processed-request row). Through `Connection.execute` each one pays SQLAlchemy's whole execution
path again: the compiled-cache lookup, an execution context, `construct_params`, the bind
processors looked up per call, a `CursorResult`. Measured on a SQLite file (bench/cpu_statements.py)
that path is two thirds of such a statement's CPU: an inbox claim costs about 16 us through
`Session.execute`, 5 us here, 2.3 us as a bare `sqlite3` call.

`Prepared` compiles its statement once per dialect and set of parameter names, with SQLAlchemy's
own compiler: the SQL text, the order of the positional parameters, and the bind processor
SQLAlchemy applies to each one (so a datetime, a JSON document, an enum or a boolean is stored
exactly as `Session.execute` stores it). A call then only orders the values, runs the
processors and executes on the session's own `sqlite3` connection: the same connection and
transaction as the session's other statements, so it commits and rolls back with them.

PostgreSQL runs the Core statement through `Session.execute`, unchanged.

A statement with RETURNING hands back SQLAlchemy `Row`s built as `PreparedRead` builds them
(`first`), or its first column (`returned`); `many` runs it once per row of parameters in one
`executemany` (a sweep's deferrals).

Limits, checked when the statement is compiled: writes only (a SELECT is `PreparedRead`,
prepared_read.py), no Python-side column defaults and no expanding or callable
parameters. The statement does not go through SQLAlchemy's connection, so its cursor events
(`before_cursor_execute`, echo) do not see it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import exc
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Dialect, Row
from sqlalchemy.engine.result import SimpleResultMetaData

from shared.persistence.session import Session

_REQUIRED = object()  # a parameter the caller must give (no value in the statement)


class BindSlot(NamedTuple):
    """One parameter of a compiled statement: where its value comes from and how it is converted
    (shared by Prepared and PreparedRead)."""

    key: str  # what the caller's row calls it (the column's key, or bindparam("key"))
    name: str  # the compiled name, when it differs from the key
    constant: Any  # the statement's own value, or _REQUIRED
    process: Callable[[Any], Any] | None  # SQLAlchemy's bind processor for the type


class RowShape(NamedTuple):
    """How a statement's result rows become SQLAlchemy `Row`s, as `CursorResult` makes them."""

    metadata: SimpleResultMetaData  # keys and the objects naming each column
    processors: list[Any] | None  # per column (None where none applies), None if none at all

    def row(self, values: Any) -> Row[Any]:
        return Row(self.metadata, self.processors, self.metadata._key_to_index, values)

    def rows(self, fetched: Sequence[Any]) -> list[Row[Any]]:
        """`row` for each of `fetched` (the attributes read once, not per row)."""
        meta, procs, index = self.metadata, self.processors, self.metadata._key_to_index
        return [Row(meta, procs, index, values) for values in fetched]


def row_shape(compiled: Any, dialect: Dialect) -> RowShape:
    """The result columns of a compiled SELECT or RETURNING clause: their keys, the objects
    naming them (a table's `Column`, a label) and the result processor SQLAlchemy applies for
    each type, found as `CursorResult` finds it (`type._cached_result_processor(dialect, None)`:
    SQLite's cursor reports no column types)."""
    columns = compiled._result_columns
    keys = [c.keyname for c in columns]
    if len(set(keys)) != len(keys):
        raise TypeError(f"result columns share a key: {keys}")
    processors = [c.type._cached_result_processor(dialect, None) for c in columns]
    metadata = SimpleResultMetaData(keys, extra=[(c.name, *c.objects) for c in columns])
    return RowShape(metadata, processors if any(p is not None for p in processors) else None)


# Per positional parameter, for one set of parameter names: the name to read it from (None: the
# statement's own value, already processed) and SQLAlchemy's bind processor.
_Take = tuple[tuple[str | None, Any, Callable[[Any], Any] | None], ...]


class _Plan(NamedTuple):
    sql: str
    binds: tuple[BindSlot, ...]
    rows: RowShape | None  # RETURNING: the shape of the rows it gives
    take: _Take | None  # None: a required parameter is missing (bind_values raises)


class Prepared:
    """A fixed INSERT, UPDATE or DELETE (Core), for statements run on every event or request."""

    __slots__ = ("_plans", "statement")

    def __init__(self, statement: Any) -> None:
        if getattr(statement, "is_select", False) or not getattr(statement, "is_dml", False):
            raise TypeError(f"Prepared runs INSERT, UPDATE or DELETE statements, not {statement!r}")
        self.statement = statement
        self._plans: dict[tuple[Dialect, tuple[str, ...]], _Plan] = {}

    async def rowcount(self, session: Session, parameters: Mapping[str, Any]) -> int:
        """Run it with one row of parameters; the number of rows it changed."""
        conn = session.sqlite_connection
        if conn is None:
            result = await session.execute(self.statement, parameters)
            return int(result.rowcount)  # type: ignore[attr-defined]
        session.note_write()
        return int(self._run(conn, session.dialect, parameters).rowcount)

    async def returned(self, session: Session, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        """Run it once per row of `rows`; the first RETURNING column of each row, in order
        (a row an ON CONFLICT DO NOTHING skipped returns nothing)."""
        if not rows:
            return []
        conn = session.sqlite_connection
        if conn is None:
            return list((await session.execute(self.statement, list(rows))).scalars().all())
        session.note_write()
        dialect = session.dialect
        # One statement per row: sqlite3's executemany returns no rows, and a row per statement
        # keeps the order of the parameters without SQLAlchemy's sentinel columns.
        return [r[0] for row in rows for r in self._run(conn, dialect, row).fetchall()]

    async def first(self, session: Session, parameters: Mapping[str, Any]) -> Row[Any] | None:
        """Run it with one row of parameters; the first row of its RETURNING clause (as
        `Result.first()` gives it), or None when it changed nothing."""
        if not self.statement._returning:
            raise TypeError("Prepared.first: the statement has no RETURNING clause")
        conn = session.sqlite_connection
        if conn is None:
            return (await session.execute(self.statement, parameters)).first()
        session.note_write()
        plan = self._plan(session.dialect, parameters)
        assert plan.rows is not None
        rows = run_raw(conn, plan.sql, _values(plan, parameters)).fetchall()
        return plan.rows.row(rows[0]) if rows else None

    async def many(self, session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run it once per row of `rows` (every row naming the same parameters), in one
        `executemany`. (No row count: asyncpg does not report one for an executemany.)"""
        if not rows:
            return
        conn = session.sqlite_connection
        if conn is None:
            await session.execute(self.statement, list(rows))
            return
        session.note_write()
        plan = self._plan(session.dialect, rows[0])
        values = [_values(plan, row) for row in rows]
        try:
            conn.executemany(plan.sql, values)
        except sqlite3.Error as error:
            raise exc.DBAPIError.instance(plan.sql, values, error, sqlite3.Error) from error

    def _run(
        self, conn: sqlite3.Connection, dialect: Dialect, parameters: Mapping[str, Any]
    ) -> sqlite3.Cursor:
        plan = self._plan(dialect, parameters)
        return run_raw(conn, plan.sql, _values(plan, parameters))

    def _plan(self, dialect: Dialect, parameters: Mapping[str, Any]) -> _Plan:
        plan = self._plans.get((dialect, tuple(parameters)))
        if plan is None:
            plan = self._plans[(dialect, tuple(parameters))] = self._compile(dialect, parameters)
        return plan

    def _compile(self, dialect: Dialect, parameters: Mapping[str, Any]) -> _Plan:
        if len(self._plans) >= 64:  # a statement given ever new sets of names: stay bounded
            self._plans.clear()
        compiled: Any = self.statement.compile(dialect=dialect, column_keys=sorted(parameters))
        if compiled.insert_prefetch or compiled.update_prefetch:
            raise TypeError("Prepared: a column has a Python-side default; give its value")
        rows = row_shape(compiled, dialect) if compiled.returning else None
        binds = bind_plan(compiled)
        return _Plan(compiled.string, binds, rows, _take(binds, frozenset(parameters)))


def bind_plan(compiled: Any) -> tuple[BindSlot, ...]:
    """Each positional parameter of a compiled statement: whose value it takes, the statement's
    own value if it has one, and SQLAlchemy's bind processor for its type."""
    if compiled.literal_execute_params or compiled.post_compile_params:
        raise TypeError("Prepared: expanding or literal-execute parameters are not supported")
    by_name = {name: bind for bind, name in compiled.bind_names.items()}
    constants = compiled.construct_params(escape_names=False, _check=False)
    processors = compiled._bind_processors
    binds = []
    for name in compiled.positiontup or ():
        bind = by_name[name]
        if bind.callable is not None:
            raise TypeError(f"Prepared: parameter {bind.key!r} has a callable value")
        constant = _REQUIRED if bind.required else constants[name]
        process = processors.get(name)
        if process is not None and _stored_as_sqlite_datetime(bind.type, compiled.dialect):
            process = _sqlite_datetime(process)
        binds.append(BindSlot(bind.key, name, constant, process))
    return tuple(binds)


def _stored_as_sqlite_datetime(type_: Any, dialect: Dialect) -> bool:
    """A DateTime SQLite stores in its default text format (not a TypeDecorator's, not a
    `storage_format` of its own)."""
    impl = type_.dialect_impl(dialect)
    return type(impl) is sqlite.DATETIME and impl._storage_format == _SQLITE_DATETIME_FORMAT


_SQLITE_DATETIME_FORMAT = sqlite.DATETIME._storage_format


def _sqlite_datetime(fallback: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """SQLite's DATETIME bind processor, without its %-format over a dict for a `datetime`.

    SQLAlchemy writes `YYYY-MM-DD HH:MM:SS.ffffff` (the time zone dropped); so does
    `isoformat(" ", "microseconds")`, cut before any offset, in a third of the time (about
    27 datetimes per order). Anything else (None, a date) goes to SQLAlchemy's processor."""

    def process(value: Any) -> Any:
        if type(value) is datetime:
            return value.isoformat(" ", "microseconds")[:26]
        return fallback(value)

    return process


def _take(binds: Sequence[BindSlot], names: frozenset[str]) -> _Take | None:
    """Where each parameter's value comes from, worked out once for these parameter names (a
    plan is kept per set of names): what `_value` decides on every call."""
    take: list[tuple[str | None, Any, Callable[[Any], Any] | None]] = []
    for b in binds:
        if b.key in names or b.name in names:
            take.append((b.key if b.key in names else b.name, None, b.process))
        elif b.constant is _REQUIRED:
            return None
        else:
            take.append((None, b.constant if b.process is None else b.process(b.constant), None))
    return tuple(take)


def _values(plan: _Plan, parameters: Mapping[str, Any]) -> list[Any]:
    """`bind_values`, with the decisions taken when the plan was made (the per-event path)."""
    if plan.take is None:
        return bind_values(plan.binds, parameters)
    out = []
    for name, value, process in plan.take:
        if name is not None:
            value = parameters[name]
            if process is not None:
                value = process(value)
        out.append(value)
    return out


def bind_values(binds: Sequence[BindSlot], parameters: Mapping[str, Any]) -> list[Any]:
    return [_value(b, parameters) for b in binds]


def run_raw(
    conn: sqlite3.Connection | sqlite3.Cursor, sql: str, values: Sequence[Any]
) -> sqlite3.Cursor:
    """Execute on `sqlite3`, raising SQLAlchemy's exceptions."""
    try:
        return conn.execute(sql, values)
    except sqlite3.Error as error:
        # What Connection.execute raises (IntegrityError on a duplicate key, ...): callers
        # catch SQLAlchemy's exceptions, not the driver's.
        raise exc.DBAPIError.instance(sql, list(values), error, sqlite3.Error) from error


def _value(bind: BindSlot, parameters: Mapping[str, Any]) -> Any:
    if bind.key in parameters:
        value = parameters[bind.key]
    elif bind.name in parameters:
        value = parameters[bind.name]
    elif bind.constant is _REQUIRED:
        raise exc.InvalidRequestError(f"A value is required for bind parameter {bind.key!r}")
    else:
        value = bind.constant
    return value if bind.process is None else bind.process(value)
