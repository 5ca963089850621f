"""Count the statements a database runs, `Prepared` ones included.

SQLAlchemy's cursor events see only what goes through `Session.execute`; a `Prepared` or
`PreparedRead` statement runs straight on SQLite's connection (shared/persistence/prepared.py).
On SQLite this counts what SQLite itself ran (`sqlite3`'s trace callback on each connection
handed out meanwhile; BEGIN, COMMIT, ROLLBACK and PRAGMAs left out); on PostgreSQL, where every
statement goes through SQLAlchemy, its cursor events.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from shared.persistence.db import Database

_NOT_COUNTED = ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")


@contextmanager
def statements_run(db: Database) -> Iterator[list[str]]:
    """The SQL of every statement run on `db` inside the block, in order."""
    seen: list[str] = []
    if db.sqlite_engine is None:

        def on_cursor(_conn: object, _cursor: object, sql: str, *_rest: object) -> None:
            seen.append(sql)

        sa.event.listen(db.engine.sync_engine, "before_cursor_execute", on_cursor)
        try:
            yield seen
        finally:
            sa.event.remove(db.engine.sync_engine, "before_cursor_execute", on_cursor)
        return
    with _traced(db, seen):
        yield seen


@contextmanager
def _traced(db: Database, seen: list[str]) -> Iterator[None]:
    def ran(sql: str) -> None:
        if not sql.lstrip().upper().startswith(_NOT_COUNTED):
            seen.append(sql)

    traced: list[sqlite3.Connection] = []

    def checkout(dbapi_connection: sqlite3.Connection, *_rest: Any) -> None:
        dbapi_connection.set_trace_callback(ran)
        traced.append(dbapi_connection)

    assert db.sqlite_engine is not None and db._kept is not None
    db._kept.close()  # every session inside the block checks its connection out of the pool
    sa.event.listen(db.sqlite_engine.pool, "checkout", checkout)
    try:
        yield
    finally:
        sa.event.remove(db.sqlite_engine.pool, "checkout", checkout)
        for conn in traced:
            conn.set_trace_callback(None)
        db._kept.close()  # none of them is handed out traced again
