"""deploy/postgres/init-databases.sh on a real, throwaway PostgreSQL cluster.

Needs the PostgreSQL server binaries (initdb, pg_ctl) and, as root, a `postgres` OS user to run
them (the server refuses to run as root). Skipped when they are missing.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import asyncpg
import pytest

from tests.deploy.conftest import DEPLOY, SERVICES
from tests.deploy.launchers import postgres_cluster

SCRIPT = DEPLOY / "postgres" / "init-databases.sh"
PASSWORDS = {name: f"{name}-pw-test" for name in SERVICES}
SUPERUSER_PASSWORD = "super-pw-test"


@pytest.fixture(scope="module")
def pg_port() -> Iterator[int]:
    with postgres_cluster(SUPERUSER_PASSWORD) as port:
        yield port


@pytest.fixture(scope="module")
def initialised(pg_port: int) -> int:
    env = {
        **os.environ,
        "PGHOST": "127.0.0.1",
        "PGPORT": str(pg_port),
        "PGPASSWORD": SUPERUSER_PASSWORD,
        "POSTGRES_USER": "postgres",
        "POSTGRES_DB": "postgres",
        **{f"{name.upper()}_DB_PASSWORD": pw for name, pw in PASSWORDS.items()},
    }
    result = subprocess.run(
        ["sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return pg_port


async def _connect(port: int, user: str, password: str, database: str) -> asyncpg.Connection:
    return await asyncpg.connect(
        host="127.0.0.1", port=port, user=user, password=password, database=database, timeout=10
    )


async def test_each_service_owns_its_database(initialised: int) -> None:
    for name, password in PASSWORDS.items():
        conn = await _connect(initialised, name, password, name)
        try:
            await conn.execute("CREATE TABLE probe (id int)")  # owner may create its schema
            owner = await conn.fetchval(
                "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", name
            )
            assert owner == name
        finally:
            await conn.close()


async def test_a_service_cannot_open_another_services_database(initialised: int) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await _connect(initialised, "warranty", PASSWORDS["warranty"], "orders")
    with pytest.raises(asyncpg.InvalidPasswordError):
        await _connect(initialised, "orders", "wrong-password", "orders")


def test_script_refuses_to_run_without_passwords(pg_port: int) -> None:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_DB_PASSWORD")}
    env.update(PGHOST="127.0.0.1", PGPORT=str(pg_port), POSTGRES_USER="postgres")
    env.update(POSTGRES_DB="postgres", PGPASSWORD=SUPERUSER_PASSWORD)
    result = subprocess.run(["sh", str(SCRIPT)], env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "WARRANTY_DB_PASSWORD is required" in result.stderr
