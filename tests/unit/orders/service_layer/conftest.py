from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.orders.stack import Stack, orders_stack


@pytest.fixture
async def stack(sqlite_url: str) -> AsyncIterator[Stack]:
    """The use cases over a SQLite unit of work."""
    async with orders_stack(sqlite_url) as built:
        yield built
