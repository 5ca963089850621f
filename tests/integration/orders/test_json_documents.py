"""The orders tables' JSON documents: orjson on SQLite (the engine's serializer,
shared.persistence.db.SQLITE_JSON), the driver's own JSON on PostgreSQL; an order saved and
read back is the same order on both."""

from __future__ import annotations

import sqlalchemy as sa

from services.orders.adapters import tables as t
from services.orders.adapters.order_serialization import order_state_to_dict
from tests.support.orders.stack import Stack, place


async def test_an_order_document_reads_back_as_written(stack: Stack) -> None:
    order = await place(stack)
    await stack.runner.saga.advance(order.order_id)  # parcels, reservations, enums, amounts
    saved = await stack.runner.records.load(order.order_id)
    async with stack.db.read() as session:
        row = (
            await session.execute(
                sa.select(t.orders.c.state, sa.cast(t.orders.c.state, sa.Text)).where(
                    t.orders.c.order_id == order.order_id
                )
            )
        ).one()
    assert row[0] == order_state_to_dict(saved)
    if stack.db.sqlite:  # written by orjson: compact, where json.dumps puts ", " and ": "
        assert '", "' not in row[1] and '": ' not in row[1], row[1][:80]
