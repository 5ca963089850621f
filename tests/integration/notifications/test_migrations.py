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


async def test_0008_fills_the_email_key_of_contacts_already_there(database_url):
    """Contacts saved before 0008 are found by their address afterwards, in any case."""
    import asyncio

    await asyncio.to_thread(upgrade, database_url, MIGRATIONS, "0007")
    db = Database(database_url)
    try:
        async with db.engine.begin() as conn:
            for n, email in enumerate(["JOSÉ@EXAMPLE.ES", None, " Ann@Example.com "]):
                await conn.execute(sa.text(
                    "INSERT INTO contacts (customer_id, name, email, push_tokens, locale, "
                    "updated_at) VALUES (:id, '', :email, '[]', 'en-GB', CURRENT_TIMESTAMP)"
                ), {"id": f"cust-{n}", "email": email})  # fmt: skip
        await asyncio.to_thread(upgrade, database_url, MIGRATIONS)
        async with db.engine.connect() as conn:
            keys = dict((await conn.execute(sa.text(
                "SELECT customer_id, email_key FROM contacts ORDER BY customer_id"))).all())  # fmt: skip
    finally:
        await db.dispose()
    assert keys == {"cust-0": "josé@example.es", "cust-1": None, "cust-2": "ann@example.com"}
