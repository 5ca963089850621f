"""SQLite connections kept between sessions, so a session does not pay a pool check-out.

Every SQLite session (a unit of work, a read) used to take a SQLAlchemy `Connection` from the
engine and close it again: a new `Connection`, a pool check-out (queue, connection record, the
pool's event dispatch), and on close a check-in with a reset (a `rollback()` on the driver's
connection). An order's whole life opens 16 such sessions in the orders process; the
notifications consumer one per group of events. Profiled in process (bench.cpu_orders_inproc), the
check-outs and check-ins were about 15% of the orders service's CPU; alone, an empty unit of
work cost 20 us and an empty read 10 us, 8 us and 2 us with this (docs/benchmarks.md).

`KeptConnections` keeps up to `limit` of those `Connection`s open and checked out between
sessions and hands them out most recently returned first (SQLite's page cache is per connection;
the one that just wrote has it warm). Between two sessions a connection is left as the pool's
reset leaves it: any transaction still open on it (a read session that wrote, a unit of work
that failed) is rolled back, through SQLAlchemy and on the `sqlite3` connection (a `Prepared`
statement opens one SQLAlchemy does not know of). A connection SQLAlchemy invalidated goes back
to the pool, which discards it. Isolation, durability and the PRAGMAs are those of the same
connections as before: nothing here changes what a transaction does.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import Connection, Engine


class KeptConnections:
    __slots__ = ("_engine", "_idle", "limit")

    def __init__(self, engine: Engine, limit: int) -> None:
        self._engine = engine
        self._idle: list[Connection] = []
        self.limit = limit

    def take(self) -> Connection:
        """The most recently returned connection, or a new one from the engine's pool."""
        try:
            return self._idle.pop()  # atomic: safe should two threads ever share the database
        except IndexError:
            return self._engine.connect()

    def give(self, conn: Connection) -> None:
        """Back after a session: rolled back if it is still in a transaction, then kept (or
        closed, back to the pool, when `limit` are kept already or it is no longer usable)."""
        if conn.closed or conn.invalidated:
            conn.close()
            return
        try:
            if conn.in_transaction():
                conn.rollback()
            raw = conn.connection.dbapi_connection
            if isinstance(raw, sqlite3.Connection) and raw.in_transaction:
                raw.rollback()
        except Exception:
            conn.invalidate()  # never hand out a connection in an unknown state
            conn.close()
            raise
        if len(self._idle) >= self.limit:
            conn.close()
        else:
            self._idle.append(conn)

    def close(self) -> None:
        """Return every kept connection to the pool (before the engine is disposed)."""
        while self._idle:
            self._idle.pop().close()

    def __len__(self) -> int:
        return len(self._idle)
