"""The saga's later events carry the correlation id of the request that placed
the order, even when a restarted process drives it, and one order's id never leaks to the next."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import orjson
import sqlalchemy as sa
import structlog

from shared.logging import current_correlation_id
from shared.persistence.messaging_tables import outbox_table
from tests.support.orders.stack import Stack, place


async def correlation_ids(stack: Stack, order_id: str) -> dict[str, str | None]:
    async with stack.db.read() as session:
        rows = await session.execute(sa.select(outbox_table.c.payload).order_by("seq"))
        events = [orjson.loads(r.payload) for r in rows]
    return {e["type"]: e["correlationid"] for e in events if e["subject"] == order_id}


async def test_every_saga_event_carries_the_placing_requests_correlation_id(stack: Stack):
    structlog.contextvars.bind_contextvars(correlation_id="req-placed-1")
    first = await place(stack)
    structlog.contextvars.clear_contextvars()
    second = await place(stack)  # placed with no request id at all

    async def background_saga() -> None:  # as the scheduler runs it: no request bound
        runner = stack.new_runner()  # and as a restarted process would
        for order in (first, second):
            await runner.saga.advance(order.order_id)
            assert current_correlation_id() is None  # nothing leaks to the next order
        stack.clock.advance(timedelta(minutes=10))
        for order in (first, second):
            await runner.tracking.track(order.order_id)

    await asyncio.create_task(background_saga())
    ids = await correlation_ids(stack, first.order_id)
    assert list(ids) == [
        "orders.order.placed",
        "orders.order.payment_authorized",
        "orders.order.stock_reserved",
        "orders.order.shipment_created",
        "orders.order.confirmed",
        "orders.order.shipped",
        "orders.order.delivered",
    ]
    assert set(ids.values()) == {"req-placed-1"}
    assert set((await correlation_ids(stack, second.order_id)).values()) == {None}
