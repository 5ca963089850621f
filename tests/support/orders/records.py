"""What a test reads back from the orders database: published events and row counts."""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa

from services.orders.adapters import tables as t
from shared.persistence.messaging_tables import outbox_table
from tests.support.orders.stack import Stack


async def published(stack: Stack, subject: str) -> list[dict[str, Any]]:
    """The data of every event queued in the outbox on `subject`, in order."""
    async with stack.db.read() as session:
        rows = await session.execute(
            sa.select(outbox_table.c.payload)
            .where(outbox_table.c.subject == subject)
            .order_by(outbox_table.c.seq)
        )
        return [orjson.loads(r.payload)["data"] for r in rows]


# The tables a request could write to.
WRITTEN = {
    "quotes": t.quotes,
    "orders": t.orders,
    "reservations": t.reservations,
    "outbox": outbox_table,
}


async def counts(stack: Stack) -> dict[str, int]:
    """Rows in each table a request could write to."""
    async with stack.db.read() as session:
        return {
            name: (
                await session.execute(sa.select(sa.func.count()).select_from(table))
            ).scalar_one()
            for name, table in WRITTEN.items()
        }


def counts_now(stack: Stack) -> dict[str, int]:
    """`counts` from a synchronous test (one driving the gateway's TestClient), read through
    a short-lived synchronous connection to the same database."""
    engine = sa.create_engine(stack.db.url.replace("+aiosqlite", "").replace("+asyncpg", ""))
    try:
        with engine.connect() as conn:
            return {
                name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for name, table in WRITTEN.items()
            }
    finally:
        engine.dispose()
