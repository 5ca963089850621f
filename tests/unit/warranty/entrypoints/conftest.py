from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.warranty.use_cases import Env, make_env


@pytest.fixture
async def env(database_url: str) -> AsyncIterator[Env]:
    """The claim use cases over a migrated database: SQLite, and PostgreSQL where reachable."""
    async for e in make_env(database_url):
        yield e
