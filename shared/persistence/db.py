"""Database access: one async engine per service, SQLite (WAL) by default, PostgreSQL by URL.

`Database.transaction()` is the unit of work: the state change and its outbox rows commit
together or not at all. SQLite allows one writer at a time, so write transactions in one
process are serialised with a lock instead of failing with "database is locked".
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


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
        engine = create_async_engine(url, connect_args={"timeout": 30}, **sizing)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


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
    cursor.close()


class Database:
    """An engine plus the unit-of-work helpers handlers use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sqlite = is_sqlite(url)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = asyncio.Lock()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A read-write unit of work; commits on success, rolls back on any exception."""
        if self.sqlite:
            async with self._write_lock, self.sessions() as session, session.begin():
                yield session
        else:
            async with self.sessions() as session, session.begin():
                yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    # Core-only variants for callers with no ORM state (a plain statement, no identity map):
    # an ORM session's set-up and close (its transaction object, expunge, the connection's
    # hand-over) cost more than the one statement they wrap. Same write lock on SQLite.
    @asynccontextmanager
    async def connection_transaction(self) -> AsyncIterator[AsyncConnection]:
        """A read-write transaction on a plain connection; commits on success."""
        if self.sqlite:
            async with self._write_lock, self.engine.begin() as conn:
                yield conn
        else:
            async with self.engine.begin() as conn:
                yield conn

    @asynccontextmanager
    async def connection_read(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            yield conn

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()
