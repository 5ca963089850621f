"""SQLite for the async engine, run on the event loop's own thread (`sqlite+inloop://`).

Why not aiosqlite: it runs every DB-API call (cursor, execute, fetch, close, commit, rollback)
in a worker thread and wakes the event loop for each answer. A statement costs four or five of
those hand-offs, each a queue, a thread switch and a loop wake-up: profiles of the order path
put them at about a quarter of the orders and notifications services' CPU, and they stretch
every write transaction while the process's write lock is held (docs/benchmarks.md).

Here the standard `sqlite3` module is called directly from the coroutine, as SQLAlchemy's
synchronous pysqlite dialect does: a statement on a local file takes microseconds, far less than
the hand-off it replaces. The cost of that choice, accepted on purpose:

- A statement blocks the loop while it runs. The service's queries are point reads and small
  writes on indexed tables; a slow query would stall every request of the process for as long.
- A writer that finds the file locked by *another process* waits for it on the loop (up to
  `busy_timeout`). Inside one process no writer ever waits on the file: `Database` serialises
  write transactions with an asyncio lock before they begin, and WAL readers never wait for a
  writer. A second process writing the same file (replicas sharing one SQLite file, an operator's
  command) makes this process pause for that other transaction, then go on.

PostgreSQL deployments are unaffected: they use asyncpg.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from typing import Any

from sqlalchemy import pool
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.util.concurrency import await_

DRIVER = "inloop"


async def _nothing() -> None:
    return None


def _yield_once() -> None:
    """`AsyncConnection.execute` insists that the driver awaited something (it guards against a
    sync driver used by mistake). One finished coroutine, awaited without reaching the loop,
    satisfies it for a few microseconds."""
    await_(_nothing())


class BufferedCursor(sqlite3.Cursor):
    """A cursor that reads all its rows when the statement runs, as aiosqlite's adapter did.

    A sqlite3 cursor steps through its rows as they are fetched, so a result read after later
    statements of the same transaction would see their writes (a loop inserting rows while
    reading a SELECT could read its own inserts). Reading them at once keeps a result a
    snapshot of the moment its statement ran."""

    _rows: deque[Any]

    def execute(self, sql: str, parameters: Any = (), /) -> BufferedCursor:
        super().execute(sql, parameters)
        self._rows = deque(super().fetchall() if self.description else ())
        return self

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> BufferedCursor:
        super().executemany(sql, seq_of_parameters)
        self._rows = deque()
        return self

    def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        size = self.arraysize if size is None else size
        rows = self._rows
        return [rows.popleft() for _ in range(min(size, len(rows)))]

    def fetchall(self) -> list[Any]:
        taken = list(self._rows)
        self._rows.clear()
        return taken

    async def _async_soft_close(self) -> None:
        """What SQLAlchemy's async results call after a statement: the rows are already read."""


class BufferedConnection(sqlite3.Connection):
    def cursor(self, factory: Any = BufferedCursor) -> Any:
        return super().cursor(factory)


class SQLiteDialect_inloop(SQLiteDialect_pysqlite):  # SQLAlchemy names dialects this way
    """pysqlite, declared async so `create_async_engine` accepts it; no await inside."""

    driver = DRIVER
    is_async = True
    supports_statement_cache = True
    # The pool may close a connection it finds abandoned (garbage-collected): closing a sqlite3
    # connection is a plain call, safe on the loop.
    has_terminate = True

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        if cls._is_url_file_db(url):
            return pool.AsyncAdaptedQueuePool
        return pool.StaticPool

    def create_connect_args(self, url: URL) -> Any:
        args, kwargs = super().create_connect_args(url)
        # Connections are made and used on the loop's thread, but the pool may hand one to
        # whichever thread runs the loop (tests run several loops in turn).
        kwargs["check_same_thread"] = False
        kwargs["factory"] = BufferedConnection
        return args, kwargs

    def get_driver_connection(self, connection: Any) -> sqlite3.Connection:
        return connection  # type: ignore[no-any-return]

    def do_execute(self, cursor: Any, statement: Any, parameters: Any, context: Any = None) -> None:
        _yield_once()
        cursor.execute(statement, parameters)

    def do_execute_no_params(self, cursor: Any, statement: Any, context: Any = None) -> None:
        _yield_once()
        cursor.execute(statement)

    def do_executemany(
        self, cursor: Any, statement: Any, parameters: Any, context: Any = None
    ) -> None:
        _yield_once()
        cursor.executemany(statement, parameters)

    def do_terminate(self, dbapi_connection: Any) -> None:
        dbapi_connection.close()


registry.register(f"sqlite.{DRIVER}", __name__, "SQLiteDialect_inloop")


def inloop_url(url: str) -> str:
    """The same SQLite database through this dialect, whatever driver the URL named."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return url
    return parsed.set(drivername=f"sqlite+{DRIVER}").render_as_string(hide_password=False)
