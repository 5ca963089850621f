"""What repositories run their statements on: one connection, for one unit of work or read.

Every statement the services run is SQLAlchemy Core (tables, no mapped classes), so an ORM
session's identity map, its transaction objects and the greenlet it starts for every call were
all cost and no use. `Session` is the part they used: `execute`, a per-transaction `info` dict,
the dialect, and the write flag a keyed request needs.

- SQLite: a synchronous SQLAlchemy connection on Python's `sqlite3`, called from the coroutine
  on the event loop's thread (see sqlite_inloop.py for why that is the cheaper and still safe
  choice for a local file). `execute` is `async` only so that callers are the same for both
  databases.
- PostgreSQL: an `AsyncConnection` on asyncpg, awaited.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, Result
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

T = TypeVar("T")


class Session:
    __slots__ = ("_async", "_conn", "_sqlite", "info", "watching_writes")

    def __init__(self, conn: Connection | AsyncConnection) -> None:
        self._conn = conn
        self._async = isinstance(conn, AsyncConnection)
        self.info: dict[str, Any] = {}
        # Set under a keyed command: the first statement that is not a SELECT marks the
        # transaction as having written (shared/messaging/requests.py records the key then).
        self.watching_writes = False
        self._sqlite: sqlite3.Connection | None = None

    def note_write(self) -> None:
        """A statement that is not a SELECT ran on this session's connection outside `execute`
        (prepared.py): flag it as `execute` would."""
        if self.watching_writes:
            self.info["wrote"] = True

    @property
    def sqlite_connection(self) -> sqlite3.Connection | None:
        """The `sqlite3` connection under this session (same transaction), None on PostgreSQL."""
        if self._sqlite is None and not self._async:
            raw = self._conn.connection.dbapi_connection  # type: ignore[union-attr]
            self._sqlite = raw if isinstance(raw, sqlite3.Connection) else None
        return self._sqlite

    async def execute(self, statement: Any, parameters: Any = None) -> Result[Any]:
        if self.watching_writes and not getattr(statement, "is_select", False):
            self.info["wrote"] = True
        if self._async:
            return await self._conn.execute(statement, parameters)  # type: ignore[misc]
        return self._conn.execute(statement, parameters)  # type: ignore[return-value]

    async def scalar(self, statement: Any, parameters: Any = None) -> Any:
        return (await self.execute(statement, parameters)).scalar()

    async def run_sync(self, fn: Callable[[Connection], T]) -> T:
        """Run a synchronous function on the underlying connection (DDL, inspection)."""
        if isinstance(self._conn, AsyncConnection):
            return await self._conn.run_sync(fn)
        return fn(self._conn)

    @property
    def dialect(self) -> Dialect:
        return self._conn.dialect
