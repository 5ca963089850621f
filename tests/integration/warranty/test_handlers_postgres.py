"""The warranty use-case suite again, on PostgreSQL (row locks, constraints, JSON, timestamps)."""

from __future__ import annotations

import pytest

from tests.unit.warranty.test_handlers import *  # noqa: F403  (re-runs every use-case test)
from tests.unit.warranty.test_handlers import make_env

pytestmark = pytest.mark.postgres


@pytest.fixture
async def env(postgres_url):  # overrides the SQLite fixture of the imported tests
    async for e in make_env(postgres_url):
        yield e
