"""SQLite runs on the event loop's own thread (shared/persistence/sqlite_inloop.py and
session.py): whatever driver a SQLite URL names, statements go to `sqlite3` without a worker
thread, through the services' sessions and the async engine alike, and errors are still the
DB-API's."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event, exc, text

from shared.persistence.db import Database
from shared.persistence.sqlite_inloop import inloop_url


def test_any_sqlite_url_gets_the_inloop_driver() -> None:
    assert inloop_url("sqlite+aiosqlite:////var/x.db") == "sqlite+inloop:////var/x.db"
    assert inloop_url("sqlite:///rel.db") == "sqlite+inloop:///rel.db"
    postgres = "postgresql+asyncpg://u:p%40ss@h/db"
    assert inloop_url(postgres) == postgres


async def test_statements_run_on_the_loops_thread(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/t.db")
    seen: list[int] = []

    def register(conn: object, _record: object) -> None:
        conn.create_function("whoami", 0, lambda: seen.append(threading.get_ident()) or 1)  # type: ignore[attr-defined]

    assert db.sqlite_engine is not None
    event.listen(db.sqlite_engine, "connect", register)
    event.listen(db.engine.sync_engine, "connect", register)
    try:
        assert db.engine.dialect.driver == "inloop"
        async with db.read() as session:
            assert (await session.execute(text("SELECT whoami()"))).scalar() == 1
        async with db.transaction() as session:
            assert (await session.execute(text("SELECT whoami()"))).scalar() == 1
        async with db.engine.connect() as conn:
            assert (await conn.execute(text("SELECT whoami()"))).scalar() == 1
        assert seen == [threading.get_ident()] * 3
    finally:
        await db.dispose()


async def test_writes_commit_roll_back_and_raise_dbapi_errors(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/w.db")
    table = sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))
    try:
        async with db.transaction() as session:
            await session.run_sync(table.metadata.create_all)
        async with db.transaction() as session:
            await session.execute(sa.insert(table), [{"id": 1}, {"id": 2}])
        with pytest.raises(RuntimeError):
            async with db.transaction() as session:
                await session.execute(sa.insert(table).values(id=3))
                raise RuntimeError("the use case failed")
        with pytest.raises(exc.IntegrityError):
            async with db.transaction() as session:
                await session.execute(sa.insert(table).values(id=1))
        async with db.read() as session:
            ids = (await session.execute(sa.select(table.c.id).order_by(table.c.id))).scalars()
            assert list(ids) == [1, 2]
    finally:
        await db.dispose()


async def test_concurrent_writers_in_one_process_take_turns(tmp_path: Path) -> None:
    """No writer waits on the file (which would block the loop): the process's write lock
    orders them before they begin, even when each holds its transaction across an await."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/c.db")
    table = sa.Table("n", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))
    try:
        async with db.transaction() as session:
            await session.run_sync(table.metadata.create_all)

        async def write(i: int) -> None:
            async with db.transaction() as session:
                await session.execute(sa.insert(table).values(id=i))
                await asyncio.sleep(0.005)

        await asyncio.wait_for(asyncio.gather(*(write(i) for i in range(20))), timeout=10)
        async with db.read() as session:
            count = (await session.execute(sa.select(sa.func.count()).select_from(table))).scalar()
        assert count == 20
    finally:
        await db.dispose()


async def test_a_result_is_a_snapshot_of_when_its_statement_ran(tmp_path: Path) -> None:
    """sqlite3 steps through rows as they are fetched; the session's results must not, or a
    loop writing while it reads a SELECT would read its own writes."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/s.db")
    table = sa.Table("r", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))
    try:
        async with db.transaction() as session:
            await session.run_sync(table.metadata.create_all)
            await session.execute(sa.insert(table), [{"id": i} for i in range(3)])
        async with db.transaction() as session:
            result = await session.execute(sa.select(table.c.id).order_by(table.c.id))
            first = result.fetchone()
            await session.execute(sa.insert(table).values(id=99))
            rest = result.fetchall()
        async with db.read() as session:
            late = await session.execute(sa.select(table.c.id).order_by(table.c.id))
        assert (first, rest) == ((0,), [(1,), (2,)])
        assert late.scalars().all() == [0, 1, 2, 99]  # readable after its session closed
    finally:
        await db.dispose()
