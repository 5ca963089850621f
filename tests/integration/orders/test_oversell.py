"""100 concurrent reservations for the last 10 units: exactly 10 succeed (SQLite, PostgreSQL)."""

from __future__ import annotations

import asyncio

from services.orders.adapters.stock_store import StockStore
from services.orders.domain.errors import InsufficientStock
from shared.persistence.db import Database
from tests.integration.orders.conftest import START, Stack


async def test_no_oversell_under_concurrency(stack: Stack) -> None:
    db: Database = stack.db
    async with db.transaction() as session:  # leave exactly 10 units of VT02 at US-NJ
        await StockStore(session).reserve(
            owner_id="earlier", warehouse="US-NJ", style="VT02", quantity=2, now=START
        )

    async def attempt(i: int) -> bool:
        try:
            async with db.transaction() as session:
                await StockStore(session).reserve(
                    owner_id=f"o{i}", warehouse="US-NJ", style="VT02", quantity=1, now=START
                )
            return True
        except InsufficientStock:
            return False

    results = await asyncio.gather(*(attempt(i) for i in range(100)))
    assert sum(results) == 10
    async with db.read() as session:
        assert await StockStore(session).level("US-NJ", "VT02") == (12, 12)
