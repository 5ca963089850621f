"""The notifications schema migrates up, down and up again (SQLite here, PostgreSQL in CI)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from shared.persistence.db import Database
from shared.persistence.migrations import downgrade, upgrade

MIGRATIONS = Path(__file__).resolve().parents[3] / "services" / "notifications" / "migrations"
TABLES = {
    "contacts", "preferences", "deliveries", "inbox_items", "thank_you_cards",
    "webhook_endpoints", "webhook_secrets", "webhook_deliveries", "webhook_attempts",
    "outbox", "inbox",
}  # fmt: skip


async def _tables(url: str) -> set[str]:
    db = Database(url)
    try:
        async with db.engine.connect() as conn:
            return set(await conn.run_sync(lambda c: sa.inspect(c).get_table_names()))
    finally:
        await db.dispose()


async def test_up_down_up(database_url):
    import asyncio

    await asyncio.to_thread(upgrade, database_url, MIGRATIONS)
    assert TABLES <= await _tables(database_url)
    await asyncio.to_thread(downgrade, database_url, MIGRATIONS)
    assert not (TABLES & await _tables(database_url))
    await asyncio.to_thread(upgrade, database_url, MIGRATIONS)
    assert TABLES <= await _tables(database_url)
