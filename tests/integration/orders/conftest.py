from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.orders.stack import Stack, orders_stack


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    async with orders_stack(database_url) as built:
        yield built
