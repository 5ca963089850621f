"""Fixed SELECTs run straight on SQLite's connection, compiled once: `Prepared` for reads.

The per-order reads (an order by id, a quote, the sandbox carrier's shipment, a customer's
contact and preferences) each paid SQLAlchemy's whole execution path through `Session.execute`:
the compiled-cache lookup, an execution context, `construct_params`, a `CursorResult` and its
metadata, then `first()`. Measured per statement in bench/cpu_read_statements.py.

`PreparedRead` compiles its SELECT once per dialect with SQLAlchemy's own compiler and keeps what
a `CursorResult` would work out for it: the SQL text, the positional parameters with their bind
processors (prepared.py), and per result column its key, the objects that name it (the table's
`Column`, a label) and the result processor SQLAlchemy applies for its type (JSON, DateTime,
Numeric, Enum, a `TypeDecorator` ...), found exactly as `CursorResult` finds it
(`type._cached_result_processor(dialect, None)`: SQLite's cursor reports no column types). A call
runs the statement on the session's own `sqlite3` connection, in its transaction (so it sees the
transaction's uncommitted writes), reads every row at once, and builds SQLAlchemy `Row`s from
them with those processors: the same class, values, names and `_mapping` as `Session.execute`
gives.

PostgreSQL runs the Core statement through `Session.execute`, unchanged. Like `Prepared`, it
fires no SQLAlchemy cursor event (`before_cursor_execute`, echo). Refused when compiled: a
statement whose result columns share a key, expanding (`IN`) and callable parameters.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import exc
from sqlalchemy.engine import Dialect, Row

from shared.persistence.prepared import (
    BindSlot,
    RowShape,
    bind_plan,
    bind_values,
    row_shape,
    run_raw,
)
from shared.persistence.session import Session

_NO_PARAMETERS: Mapping[str, Any] = {}


class _Plan(NamedTuple):
    sql: str
    binds: tuple[BindSlot, ...]
    rows: RowShape


class PreparedRead:
    """A fixed Core SELECT, for reads run on every event or request."""

    __slots__ = ("_plans", "statement")

    def __init__(self, statement: Any) -> None:
        if not getattr(statement, "is_select", False):
            raise TypeError(f"PreparedRead runs SELECT statements, not {statement!r}")
        self.statement = statement
        self._plans: dict[Dialect, _Plan] = {}

    async def all(
        self, session: Session, parameters: Mapping[str, Any] = _NO_PARAMETERS
    ) -> Sequence[Row[Any]]:
        conn = session.sqlite_connection
        if conn is None:
            return (await session.execute(self.statement, dict(parameters))).all()
        plan = self._plan(session.dialect)
        return plan.rows.rows(self._cursor(conn, plan, parameters).fetchall())

    async def first(
        self, session: Session, parameters: Mapping[str, Any] = _NO_PARAMETERS
    ) -> Row[Any] | None:
        """The first row, or None (the others are not read)."""
        conn = session.sqlite_connection
        if conn is None:
            return (await session.execute(self.statement, dict(parameters))).first()
        plan = self._plan(session.dialect)
        cursor = self._cursor(conn, plan, parameters)
        row = cursor.fetchone()
        cursor.close()
        return None if row is None else plan.rows.row(row)

    async def one(
        self, session: Session, parameters: Mapping[str, Any] = _NO_PARAMETERS
    ) -> Row[Any]:
        """Exactly one row; raises what `Result.one()` raises for none or several."""
        rows = await self.all(session, parameters)
        if not rows:
            raise exc.NoResultFound("No row was found when one was required")
        if len(rows) > 1:
            raise exc.MultipleResultsFound("Multiple rows were found when exactly one was required")
        return rows[0]

    @staticmethod
    def _cursor(conn: sqlite3.Connection, plan: _Plan, parameters: Mapping[str, Any]) -> Any:
        # A plain sqlite3 cursor: its rows are read at once, so no snapshot copy is needed.
        return run_raw(sqlite3.Cursor(conn), plan.sql, bind_values(plan.binds, parameters))

    def _plan(self, dialect: Dialect) -> _Plan:
        plan = self._plans.get(dialect)
        if plan is None:
            plan = self._plans[dialect] = _compile(self.statement, dialect)
        return plan


def _compile(statement: Any, dialect: Dialect) -> _Plan:
    compiled: Any = statement.compile(dialect=dialect)
    # What CursorResult does for a compiled SELECT whose columns match the cursor's one to one.
    return _Plan(compiled.string, bind_plan(compiled), row_shape(compiled, dialect))
