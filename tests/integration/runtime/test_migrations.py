"""Migrations: up, down and up again; replicas migrating at the same moment do not collide."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from shared.persistence.db import Database
from shared.persistence.migrations import MIGRATION_LOCK_KEY, downgrade, upgrade

MIGRATIONS = Path(__file__).parent / "sample_service" / "migrations"
ROOT = Path(__file__).resolve().parents[3]


async def tables(url: str) -> set[str]:
    db = Database(url)
    async with db.engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(sa.inspect(c).get_table_names()))
    await db.dispose()
    return names


async def test_up_down_up(database_url: str) -> None:
    await asyncio.to_thread(upgrade, database_url, MIGRATIONS)
    assert {"outbox", "inbox", "credits", "tally"} <= await tables(database_url)
    await asyncio.to_thread(downgrade, database_url, MIGRATIONS, "base")
    assert not {"outbox", "inbox", "credits", "tally"} & await tables(database_url)
    await asyncio.to_thread(upgrade, database_url, MIGRATIONS)
    assert {"outbox", "inbox"} <= await tables(database_url)


@pytest.mark.postgres
async def test_a_replica_waits_while_another_migrates(postgres_url: str) -> None:
    """Replicas starting together: while one holds the migration lock, another waits for it."""
    import asyncpg

    dsn = postgres_url.replace("postgresql+asyncpg://", "postgresql://")
    holder = await asyncpg.connect(dsn)
    await holder.execute(
        "SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY
    )  # "another replica migrating"
    code = "import sys; from pathlib import Path; from shared.persistence.migrations import upgrade; upgrade(sys.argv[1], Path(sys.argv[2]))"
    replica = subprocess.Popen(  # noqa: ASYNC220
        [sys.executable, "-c", code, postgres_url, str(MIGRATIONS)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        await asyncio.sleep(4)
        assert replica.poll() is None, "the replica migrated while the lock was held"
        assert "credits" not in await tables(postgres_url)
    finally:
        await holder.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
        await holder.close()
    _, err = await asyncio.to_thread(replica.communicate, timeout=60)
    assert replica.returncode == 0, err
    assert {"outbox", "inbox", "credits", "tally"} <= await tables(postgres_url)
