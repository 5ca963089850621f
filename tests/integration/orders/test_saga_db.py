"""The order saga against a real database (SQLite and PostgreSQL), with sandbox providers:
the whole story, keyset pagination and concurrent placements, where the database matters."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import sqlalchemy as sa

from services.orders.domain.carts import CartLine
from services.orders.domain.saga import OrderStatus
from shared.persistence.messaging_tables import outbox_table
from tests.support.orders.stack import UK_CUSTOMER, Stack, place, stock_level

S = OrderStatus


async def subjects(stack: Stack, order_id: str) -> list[str]:
    async with stack.db.read() as session:
        rows = await session.execute(
            sa.select(outbox_table.c.subject, outbox_table.c.payload).order_by(outbox_table.c.seq)
        )
        return [r.subject for r in rows if order_id.encode() in r.payload]


async def test_uk_customer_buys_us_only_tc11_to_delivery(stack: Stack) -> None:
    order = await place(stack)
    assert str(order.quote.total) == "95.82 GBP" and order.quote.warehouse == "US-NJ"
    order = await stack.runner.saga.advance(order.order_id)
    assert order.status is S.CONFIRMED
    assert await stock_level(stack, "US-NJ", "TC11") == (18, 1)
    request = stack.carrier.request_for(order.shipment_id)  # type: ignore[arg-type]
    assert (request.customs.hs_code, request.customs.origin_country) == ("4202.32", "VN")
    assert request.customs.incoterm == "DDP" and str(request.customs.declared_value) == "60.47 GBP"
    stack.clock.advance(timedelta(minutes=10))
    order = await stack.runner.tracking.track(order.order_id)
    assert order.status is S.DELIVERED
    assert await stock_level(stack, "US-NJ", "TC11") == (17, 0)
    assert [a.status for a in stack.payment.held()] == ["captured"]
    assert await subjects(stack, order.order_id) == [
        "orders.order.placed",
        "orders.order.payment_authorized",
        "orders.order.stock_reserved",
        "orders.order.shipment_created",
        "orders.order.confirmed",
        "orders.order.shipped",
        "orders.order.delivered",
    ]


async def test_a_mixed_cart_runs_to_delivery_as_two_parcels(stack: Stack) -> None:
    """JR01 (UK-LON, local) + VT02 (US-NJ, DDP): one authorization, two lines held, two parcels
    booked and tracked, then everything shipped; read back from this database each step."""
    lines = [CartLine("JR01", 1), CartLine("VT02", 1)]
    q = await stack.cases.quotes.quote_cart(UK_CUSTOMER, "UK", lines)
    order = await stack.cases.ordering.place_order(UK_CUSTOMER, q.quote_id, "tok_ok")
    order = await stack.runner.saga.advance(order.order_id)
    assert order.status is S.CONFIRMED and order.cart == q
    assert [p.warehouse for p in order.shipments] == ["UK-LON", "US-NJ"]
    assert await stock_level(stack, "UK-LON", "JR01") == (8, 1)
    assert await stock_level(stack, "US-NJ", "VT02") == (12, 1)
    stack.clock.advance(timedelta(minutes=10))
    order = await stack.runner.tracking.track(order.order_id)
    assert order.status is S.DELIVERED
    assert all(p.delivered_at == stack.clock.now() for p in order.shipments)
    assert await stock_level(stack, "UK-LON", "JR01") == (7, 0)
    assert await stock_level(stack, "US-NJ", "VT02") == (11, 0)
    assert [a.status for a in stack.payment.held()] == ["captured"]
    events = await subjects(stack, order.order_id)
    assert events.count("orders.order.shipment_created") == 2
    assert events.count("orders.order.payment_authorized") == 1
    assert events[-1] == "orders.order.delivered"


async def test_orders_list_is_paginated_most_recent_first(stack: Stack) -> None:
    placed = []
    for minute in range(3):
        placed.append((await place(stack)).order_id)
        if minute == 0:
            continue  # two orders share a timestamp: the order id breaks the tie
        stack.clock.advance(timedelta(minutes=1))
    first, nxt = await stack.cases.ordering.list_orders(UK_CUSTOMER, limit=2)
    assert nxt is not None and len(first) == 2
    rest, end = await stack.cases.ordering.list_orders(UK_CUSTOMER, limit=2, after=nxt)
    assert end is None and len(rest) == 1
    ids = [o.order_id for o in first + rest]
    assert sorted(ids) == sorted(placed) and len(set(ids)) == 3
    times = [o.created_at for o in first + rest]
    assert times == sorted(times, reverse=True)


async def test_concurrent_placements_of_one_quote_make_one_order(stack: Stack) -> None:
    quote = await stack.cases.quotes.quote(UK_CUSTOMER, "TC11", "UK", 1)
    orders = await asyncio.gather(
        *(stack.cases.ordering.place_order(UK_CUSTOMER, quote.quote_id, "tok_ok") for _ in range(5))
    )
    assert len({o.order_id for o in orders}) == 1


async def test_a_retried_quote_request_returns_the_quote_it_created(stack: Stack) -> None:
    """The gateway died after the quote was made: the retry (same request id) gets it back."""
    first = await stack.cases.quotes.quote(UK_CUSTOMER, "TC11", "UK", 1, request_id="req-9")
    again = await stack.cases.quotes.quote(UK_CUSTOMER, "TC11", "UK", 1, request_id="req-9")
    assert again.quote_id == first.quote_id and again.total == first.total
    async with stack.db.read() as s:
        created = (
            await s.execute(
                sa.select(sa.func.count()).where(outbox_table.c.subject == "orders.quote.created")
            )
        ).scalar()
    assert created == 1  # one quote, one event
    fresh = await stack.cases.quotes.quote(UK_CUSTOMER, "TC11", "UK", 1)
    assert fresh.quote_id != first.quote_id
