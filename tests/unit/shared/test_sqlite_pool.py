"""A SQLite database keeps its connections open across concurrent reads instead of opening and
closing one per read beyond the pool's size."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import event, text

from shared.persistence.db import SQLITE_MMAP_BYTES, SQLITE_POOL_SIZE, Database


async def test_concurrent_reads_reuse_their_connections(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/pool.db")
    opened: list[object] = []
    assert db.sqlite_engine is not None
    event.listen(db.sqlite_engine, "connect", lambda conn, _rec: opened.append(conn))

    async def read() -> None:
        async with db.read() as session:
            await session.execute(text("SELECT 1"))
            await asyncio.sleep(0.01)  # all of them hold a connection at once

    try:
        await asyncio.gather(*(read() for _ in range(SQLITE_POOL_SIZE)))
        first = len(opened)
        await asyncio.gather(*(read() for _ in range(SQLITE_POOL_SIZE)))
        assert first == SQLITE_POOL_SIZE
        assert len(opened) == first  # the second burst opened none
    finally:
        await db.dispose()


async def test_connections_keep_the_wal_pragmas(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/pragmas.db")
    try:
        async with db.read() as session:
            mode = (await session.execute(text("PRAGMA journal_mode"))).scalar()
            sync = (await session.execute(text("PRAGMA synchronous"))).scalar()
            mapped = (await session.execute(text("PRAGMA mmap_size"))).scalar()
        assert (mode, sync) == ("wal", 1)  # 1 = NORMAL
        assert mapped == SQLITE_MMAP_BYTES > 0  # reads through the map, not a read() per page
    finally:
        await db.dispose()
