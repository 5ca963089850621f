"""Database access: one engine per service, SQLite (WAL) by default, PostgreSQL by URL.

`Database.transaction()` is the unit of work: the state change and its outbox rows commit
together or not at all. SQLite allows one writer at a time, so write transactions in one
process are serialised with a lock instead of failing with "database is locked".

Statements run on a `Session` (session.py): on SQLite a synchronous connection on `sqlite3`,
on the event loop's thread (sqlite_inloop.py says why); on PostgreSQL an asyncpg connection.
`engine` stays an `AsyncEngine` for both (start-up DDL, tests, inspection).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from shared.persistence.checkpoint import WalCheckpointer, use_backstop
from shared.persistence.kept import KeptConnections
from shared.persistence.session import Session
from shared.persistence.sqlite_inloop import BufferedConnection, inloop_url


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_file(url: str) -> Path | None:
    database = make_url(url).database
    if not database or database == ":memory:":
        return None
    return Path(database)


# Connections a SQLite engine keeps open. The RPC responders run up to 32 requests of a subject
# at once (shared/messaging/glue.py), each in its own read session: with SQLAlchemy's default
# pool (5 kept, 10 overflow) every read beyond the fifth opened a connection (a thread, the
# file, the PRAGMAs below) and closed it again. Profiled under 32 connections of GET
# /v1/claims/{id}, and measured alone: 32 concurrent reads cost 0.66-0.68 ms of CPU each with
# the default pool, 0.40-0.44 ms with this one (docs/benchmarks.md).
SQLITE_POOL_SIZE = 32

# Pages of the database file are read through a memory map instead of a read() call each (SQLite
# maps only the main file: WAL frames are still read, its index was always shared memory). The
# pages live in the OS page cache either way; the map saves the copy and the system call, and
# counts toward RSS only for pages touched (file-backed, not private). The price: a disk error
# while reading a mapped page arrives as SIGBUS, not as an SQLite error. Measured on the order
# path, three alternating pairs of `bench.cpu_order_path`: orders and notifications 3-5% less
# CPU per order (docs/benchmarks.md, eleventh pass).
SQLITE_MMAP_BYTES = 256 * 1024 * 1024


def _json_dumps(value: Any) -> str:
    # Takes what json.dumps took here (non-str keys become strings, enums their values).
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


# SQLite stores JSON columns as text that SQLAlchemy (de)serializes in Python, by default with
# the standard library's json: every outbox row's headers, each saga step's order document, each
# notification's parts. orjson does the same several times faster. PostgreSQL keeps its
# driver's own handling.
SQLITE_JSON = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    if is_sqlite(url):
        path = _sqlite_file(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        # A :memory: database gets SQLAlchemy's StaticPool (one shared connection), which takes
        # no pool size.
        sizing = (
            {"pool_size": SQLITE_POOL_SIZE, "max_overflow": SQLITE_POOL_SIZE}
            if path is not None
            else {}
        )
        # sqlite3 on the event loop's thread, not aiosqlite's: see sqlite_inloop.py for why.
        engine = create_async_engine(
            inloop_url(url), connect_args={"timeout": 30}, **sizing, **SQLITE_JSON
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def make_sqlite_engine(url: str) -> Engine:
    """The synchronous engine the SQLite sessions run on (sqlite3, on the loop's thread).

    - No connection is ever waited for: a synchronous pool that ran out would block the event
      loop, so connections beyond the kept ones are opened and closed as needed.
    - The most recently returned connection is handed out first (LIFO): SQLite keeps a page
      cache per connection and drops it when another connection wrote, so reusing the one that
      just wrote keeps its cache. Measured on the order path: three times fewer page reads.
    """
    path = _sqlite_file(url)
    parsed = make_url(url).set(drivername="sqlite")
    args: dict[str, Any] = {
        "timeout": 30,
        "check_same_thread": False,
        "factory": BufferedConnection,  # results are snapshots, see BufferedCursor
    }
    if path is None:  # one shared in-memory database, for the life of the engine
        engine = sa.create_engine(parsed, connect_args=args, poolclass=sa.StaticPool, **SQLITE_JSON)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            parsed,
            connect_args=args,
            pool_size=SQLITE_POOL_SIZE,
            max_overflow=-1,
            pool_use_lifo=True,
            **SQLITE_JSON,
        )
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL with `synchronous=NORMAL`: a durability trade-off, chosen on purpose.

    In WAL mode NORMAL syncs the WAL at checkpoints, not at every commit. A committed
    transaction survives a crash of the process (it is in the OS page cache; the chaos and
    crash-point suites kill services mid-flight and rely on exactly this). A power loss or
    kernel crash can lose the last transactions before the next checkpoint: the file stays
    consistent, but an answer already sent (a 201, an acknowledged message) may refer to a
    commit that is gone, with its outbox and inbox rows. FULL would fsync on every commit,
    several per order. A deployment that must survive power loss runs on PostgreSQL
    (`DATABASE_URL`), not on SQLite files.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


class Database:
    """An engine plus the unit-of-work helpers handlers use.

    `checkpoint_in_background`: a SQLite file's WAL is checkpointed by a thread of its own
    (checkpoint.py), started by the first write transaction and stopped by `dispose()`, instead
    of inside commits on the event loop. For a long-running service; a short-lived tool keeps
    SQLite's default."""

    def __init__(self, url: str, *, checkpoint_in_background: bool = False) -> None:
        self.url = url
        self.sqlite = is_sqlite(url)
        self.engine = make_engine(url)
        # SQLite's sessions run on this synchronous engine; a `:memory:` database is its own
        # (the async engine above would see another, empty one).
        self.sqlite_engine = make_sqlite_engine(url) if self.sqlite else None
        # Sessions reuse connections kept open between them, not one checked out per session
        # (kept.py); a database dropped without `dispose()` returns them to the pool.
        self._kept = (
            KeptConnections(self.sqlite_engine, SQLITE_POOL_SIZE)
            if self.sqlite_engine is not None
            else None
        )
        if self._kept is not None:
            weakref.finalize(self, self._kept.close)
        self._write_lock = asyncio.Lock()
        path = _sqlite_file(url) if self.sqlite else None
        self.checkpointer = (
            WalCheckpointer(path) if path is not None and checkpoint_in_background else None
        )
        if self.checkpointer is not None and self.sqlite_engine is not None:
            event.listen(self.sqlite_engine, "connect", lambda conn, _record: use_backstop(conn))
            # A database dropped without `dispose()` (a test, a failed start) ends its thread.
            weakref.finalize(self, self.checkpointer.stop, 0)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        """A read-write unit of work; commits on success, rolls back on any exception."""
        if self._kept is not None:
            # A SQLite statement never suspends the coroutine, so a chain of transactions (a
            # saga's steps against in-process sandboxes) would run in one turn of the loop,
            # ahead of replies already queued for sending. Each transaction first lets every
            # task that is ready run.
            await asyncio.sleep(0)
            if self.checkpointer is not None:
                self.checkpointer.start()  # once; later calls return at once
            async with self._write_lock:
                conn = self._kept.take()
                try:
                    with conn.begin():
                        yield Session(conn)
                finally:
                    self._kept.give(conn)
        else:
            async with self.engine.begin() as aconn:
                yield Session(aconn)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Session]:
        """A read-only session; anything it wrote is rolled back."""
        if self._kept is not None:
            conn = self._kept.take()
            try:
                yield Session(conn)
            finally:
                self._kept.give(conn)  # rolls back anything it wrote
        else:
            async with self.engine.connect() as aconn:
                yield Session(aconn)

    async def ping(self) -> bool:
        try:
            async with self.read() as session:
                await session.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def dispose(self) -> None:
        if self.checkpointer is not None:
            await asyncio.to_thread(self.checkpointer.stop)
        if self._kept is not None:
            self._kept.close()
        if self.sqlite_engine is not None:
            self.sqlite_engine.dispose()
        await self.engine.dispose()
