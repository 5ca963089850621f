"""The orders Alembic history goes up, down and up again (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from services.orders.adapters.tables import metadata
from shared.persistence.db import Database
from shared.persistence.migrations import downgrade, upgrade
from tests.support.orders.stack import MIGRATIONS


async def table_names(url: str) -> set[str]:
    db = Database(url)
    try:
        async with db.engine.connect() as conn:
            return set(await conn.run_sync(lambda c: sa.inspect(c).get_table_names()))
    finally:
        await db.dispose()


async def test_up_down_up(database_url: str) -> None:
    ours = set(metadata.tables) | {"outbox", "inbox"}
    await asyncio.to_thread(upgrade, database_url, MIGRATIONS)
    assert ours <= await table_names(database_url)
    await asyncio.to_thread(downgrade, database_url, MIGRATIONS)
    assert not (ours & await table_names(database_url))
    await asyncio.to_thread(upgrade, database_url, MIGRATIONS)
    assert ours <= await table_names(database_url)


async def test_migration_matches_the_tables(database_url: str) -> None:
    """Every column the code uses exists in the migrated schema."""
    await asyncio.to_thread(upgrade, database_url, MIGRATIONS)
    db = Database(database_url)
    try:
        async with db.engine.connect() as conn:

            def columns(c: sa.Connection) -> dict[str, set[str]]:
                insp = sa.inspect(c)
                return {
                    name: {col["name"] for col in insp.get_columns(name)}
                    for name in metadata.tables
                }

            migrated = await conn.run_sync(columns)
    finally:
        await db.dispose()
    for name, table in metadata.tables.items():
        assert {col.name for col in table.columns} == migrated[name], name
