"""A service's SQLite WAL is checkpointed by a thread of its own, never inside a commit on the
event loop (shared/persistence/checkpoint.py)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import text
from structlog.testing import capture_logs

from shared.persistence import checkpoint
from shared.persistence.checkpoint import BACKSTOP_PAGES
from shared.persistence.db import Database

ROWS = 1_200  # each row fills a page of its own: past SQLite's default of 1000 WAL pages
BLOB = b"x" * 4_000


async def _database(path: Path, background: bool) -> Database:
    db = Database(f"sqlite+aiosqlite:///{path}", checkpoint_in_background=background)
    async with db.transaction() as session:
        await session.execute(text("CREATE TABLE page (id INTEGER PRIMARY KEY, body BLOB)"))
    return db


async def _write(db: Database, rows: int = ROWS) -> None:
    insert = sa.text("INSERT INTO page (body) VALUES (:body)")
    for _ in range(rows):
        async with db.transaction() as session:
            await session.execute(insert, {"body": BLOB})


async def _eventually(check: Callable[[], bool], seconds: float = 10.0) -> bool:
    """Whether `check` came true within `seconds` (the thread works on its own clock)."""
    for _ in range(int(seconds / 0.02)):
        if check():
            return True
        await asyncio.sleep(0.02)
    return check()


def _wal_pages(path: Path) -> int:
    """Pages in the WAL now (a PASSIVE checkpoint answers busy, WAL pages, pages copied)."""
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])


@pytest.mark.parametrize("background", [False, True])
async def test_commits_checkpoint_only_without_the_thread(tmp_path: Path, background: bool) -> None:
    path = tmp_path / "wal.db"
    db = await _database(path, background)
    if db.checkpointer is not None:
        db.checkpointer.interval = 3600  # the thread stays asleep through this test
    try:
        await _write(db)
        pages = _wal_pages(path)
    finally:
        await db.dispose()
    if background:  # no commit copied the WAL back: it holds every page written
        assert pages >= ROWS
    else:  # SQLite's default: the commit that passed 1000 pages checkpointed and restarted it
        assert pages < 1_000


async def test_the_thread_copies_what_the_loop_wrote(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    db = await _database(path, background=True)
    assert db.checkpointer is not None
    db.checkpointer.interval = 0.05
    try:
        await _write(db)

        def all_copied() -> bool:  # every WAL page copied into the database file
            last = checkpointer.last
            return last is not None and last[1] >= ROWS and last[2] == last[1]

        checkpointer = db.checkpointer
        assert await _eventually(all_copied), checkpointer.last
    finally:
        await db.dispose()
    assert not db.checkpointer.running


async def test_only_a_service_database_changes_the_automatic_checkpoint(tmp_path: Path) -> None:
    for background, expected in ((False, 1_000), (True, BACKSTOP_PAGES)):
        db = await _database(tmp_path / f"{background}.db", background)
        try:
            async with db.read() as session:
                pages = (await session.execute(text("PRAGMA wal_autocheckpoint"))).scalar()
        finally:
            await db.dispose()
        assert pages == expected


async def test_a_failing_checkpoint_is_logged_once_and_tried_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_connect, failures = sqlite3.connect, [3]

    def flaky_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        if failures[0]:
            failures[0] -= 1
            raise sqlite3.OperationalError("disk I/O error")
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(checkpoint.sqlite3, "connect", flaky_connect)
    db = await _database(tmp_path / "wal.db", background=True)
    assert db.checkpointer is not None
    db.checkpointer.interval = 0.02
    with capture_logs() as logs:
        try:
            await _write(db, rows=10)
            checkpointer = db.checkpointer
            assert await _eventually(lambda: checkpointer.checkpoints > 0)
        finally:
            await db.dispose()
    events = [e["event"] for e in logs if e["event"].startswith("sqlite.checkpoint")]
    assert events == ["sqlite.checkpoint_failed", "sqlite.checkpoint_recovered"]
    assert db.checkpointer.checkpoints > 0
