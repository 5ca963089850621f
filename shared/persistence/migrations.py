"""Alembic, one history per service, applied programmatically.

Each service keeps `services/<name>/migrations/` (env.py, versions/). Its env.py is two lines:
it calls `run_env(metadata)`. Services apply their history at start-up; `concierge migrate`
does the same from the command line, up or down.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command, context
from alembic.config import Config
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_engine_from_config

from shared.persistence.db import _sqlite_file, is_sqlite

MIGRATION_LOCK_KEY = 72_634_201  # any constant: each service has its own database


def alembic_config(database_url: str, script_location: Path) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    # ConfigParser interpolation: a literal % in a password must be doubled.
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, script_location: Path, revision: str = "head") -> None:
    if is_sqlite(database_url):
        path = _sqlite_file(database_url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(database_url, script_location), revision)


def downgrade(database_url: str, script_location: Path, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url, script_location), revision)


async def upgrade_async(database_url: str, script_location: Path) -> None:
    """From inside an event loop: Alembic runs its own loop in a worker thread."""
    await asyncio.to_thread(upgrade, database_url, script_location)


def run_env(target_metadata: Any) -> None:
    """Body of every service's migrations/env.py (online mode, async engine)."""

    def do_run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Replicas starting together: one migrates, the others wait and find it done.
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
            context.run_migrations()

    async def run_async() -> None:
        config = context.config
        engine = async_engine_from_config(
            config.get_section(config.config_ini_section, {}),
            prefix="sqlalchemy.",
            poolclass=pool.NullPool,
        )
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    asyncio.run(run_async())
