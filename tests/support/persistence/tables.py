"""A `Database` on the test's URL with a metadata's tables created, disposed afterwards."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa

from shared.persistence.db import Database


@asynccontextmanager
async def database_with(url: str, metadata: sa.MetaData) -> AsyncIterator[Database]:
    database = Database(url)
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    try:
        yield database
    finally:
        await database.dispose()
