"""SQLite sessions reuse connections kept open between them (shared/persistence/kept.py), and a
reused connection starts every session as a fresh one would: nothing left of the last session."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event, text

from shared.persistence.db import Database
from shared.persistence.prepared import Prepared

metadata = sa.MetaData()
notes = sa.Table("notes", metadata, sa.Column("id", sa.Integer, primary_key=True))
_ADD = Prepared(sa.insert(notes))


async def _db(tmp_path: Path) -> tuple[Database, list[object]]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/kept.db")
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    checkouts: list[object] = []
    assert db.sqlite_engine is not None
    event.listen(db.sqlite_engine.pool, "checkout", lambda *a: checkouts.append(a))
    return db, checkouts


async def _count(db: Database) -> int:
    async with db.read() as session:
        return int(await session.scalar(text("SELECT count(*) FROM notes")))


async def test_sessions_in_turn_check_out_one_connection(tmp_path: Path) -> None:
    db, checkouts = await _db(tmp_path)
    try:
        for i in range(20):
            async with db.transaction() as session:
                await session.execute(sa.insert(notes), {"id": i})
            assert await _count(db) == i + 1
        assert len(checkouts) <= 1  # was one per session: 40
    finally:
        await db.dispose()
    assert db.sqlite_engine is not None
    assert db.sqlite_engine.pool.checkedout() == 0  # dispose gave them all back


@pytest.mark.parametrize("prepared", [False, True], ids=["execute", "prepared"])
async def test_what_a_read_session_wrote_is_gone_from_the_next_session(
    tmp_path: Path, prepared: bool
) -> None:
    db, _ = await _db(tmp_path)
    try:
        async with db.read() as session:
            if prepared:
                await _ADD.rowcount(session, {"id": 1})
            else:
                await session.execute(sa.insert(notes), {"id": 1})
            raw = session.sqlite_connection
            assert raw is not None and raw.in_transaction
        assert not raw.in_transaction  # rolled back when the session ended
        assert await _count(db) == 0
        async with db.transaction() as session:
            assert session.sqlite_connection is raw  # the same connection, reused
            await session.execute(sa.insert(notes), {"id": 1})  # no leftover row in the way
        assert await _count(db) == 1
    finally:
        await db.dispose()


async def test_a_failed_unit_of_work_leaves_nothing_for_the_next(tmp_path: Path) -> None:
    db, _ = await _db(tmp_path)
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction() as session:
                await _ADD.rowcount(session, {"id": 1})
                await session.execute(sa.insert(notes), {"id": 2})
                raise RuntimeError("the handler failed")
        async with db.transaction() as session:
            await session.execute(sa.insert(notes), {"id": 3})
        async with db.read() as session:
            ids = (await session.execute(sa.select(notes.c.id))).scalars().all()
        assert ids == [3]
    finally:
        await db.dispose()


async def test_an_invalidated_connection_is_not_handed_out_again(tmp_path: Path) -> None:
    db, _ = await _db(tmp_path)
    try:
        async with db.read() as session:
            raw = session.sqlite_connection
            await session.run_sync(lambda conn: conn.invalidate())
        async with db.read() as session:
            assert session.sqlite_connection is not raw
            assert int(await session.scalar(text("SELECT 1"))) == 1
    finally:
        await db.dispose()
