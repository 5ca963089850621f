from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.orders.gateway import gateway_client
from tests.support.orders.stack import Stack, orders_stack


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    async with orders_stack(database_url) as built:
        yield built


@pytest.fixture
def client(stack: Stack) -> Iterator[tuple[TestClient, Any]]:
    """The gateway's orders router over this stack's RPC handlers, and the gateway settings."""
    with gateway_client(stack) as built:
        yield built
