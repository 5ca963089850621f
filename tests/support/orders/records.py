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


async def counts(stack: Stack) -> dict[str, int]:
    """Rows in the tables a request could write to (quotes, orders, reservations, outbox)."""
    tables = {
        "quotes": t.quotes,
        "orders": t.orders,
        "reservations": t.reservations,
        "outbox": outbox_table,
    }
    found = {}
    async with stack.db.read() as session:
        for name, table in tables.items():
            found[name] = (
                await session.execute(sa.select(sa.func.count()).select_from(table))
            ).scalar_one()
    return found
