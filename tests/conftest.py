"""Fixtures every test tier shares: a real nats-server, PostgreSQL databases, SQLite files."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from shared.runtime.nats_server import NatsServer

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_ADMIN_DSN = os.environ.get("CONCIERGE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
# Test runs start the warranty service many times: loading the OCR model at each start (and
# holding /readyz until it is loaded) would cost seconds of CPU each time. The tests of the
# warm-up itself, and the e2e photo story, turn it on.
os.environ.setdefault("WARRANTY_OCR_WARMUP", "false")


def pytest_addoption(parser: pytest.Parser) -> None:
    # Here, not in tests/chaos/, so `pytest tests --chaos-long` works from any path.
    parser.addoption(
        "--chaos-long",
        action="store_true",
        default=False,
        help="run the long chaos suite (every fault several times; CHAOS_DURATION sets seconds)",
    )


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    """A fresh nats-server with JetStream on loopback ports it chooses itself (never 4222)."""
    server = NatsServer(store_dir=tmp_path / "nats", port=0, monitor_port=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'service.db'}"


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _pg_reachable() -> bool:
    try:
        asyncio.run(_pg_admin("SELECT 1"))
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    ok = _pg_reachable()
    if not ok and IN_CI:
        pytest.fail(f"PostgreSQL is required in CI but {PG_ADMIN_DSN} is not reachable")
    return ok


@pytest.fixture
def postgres_url(postgres_available: bool) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test (dropped afterwards)."""
    if not postgres_available:
        pytest.skip("PostgreSQL not reachable (runs in CI)")
    name = f"cc_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    yield f"{base}/{name}"
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Runs a test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'service.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
async def nats_client(nats_server: NatsServer) -> AsyncIterator[object]:
    import nats

    nc = await nats.connect(nats_server.url)
    yield nc
    await nc.drain()
