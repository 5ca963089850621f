"""100 concurrent reservations for the last 10 units: exactly 10 succeed (SQLite, PostgreSQL)."""

from __future__ import annotations

import asyncio

from services.orders.adapters.sql_stock_repository import SqlStockRepository
from services.orders.domain.errors import InsufficientStock
from shared.actor import Actor
from shared.persistence.db import Database
from tests.support.orders.stack import START, Stack


async def test_no_oversell_under_concurrency(stack: Stack) -> None:
    db: Database = stack.db
    async with db.transaction() as session:  # leave exactly 10 units of VT02 at US-NJ
        await SqlStockRepository(session).reserve(
            owner_id="earlier", warehouse="US-NJ", style="VT02", quantity=2, now=START
        )

    async def attempt(i: int) -> bool:
        try:
            async with db.transaction() as session:
                await SqlStockRepository(session).reserve(
                    owner_id=f"o{i}", warehouse="US-NJ", style="VT02", quantity=1, now=START
                )
            return True
        except InsufficientStock:
            return False

    results = await asyncio.gather(*(attempt(i) for i in range(100)))
    assert sum(results) == 10
    async with db.read() as session:
        assert await SqlStockRepository(session).level("US-NJ", "VT02") == (12, 12)


async def test_hundred_orders_for_the_last_ten_units(stack: Stack) -> None:
    """Whole sagas, concurrently: 10 orders confirmed, 90 failed out of stock and undone."""
    from services.orders.domain.saga import OrderStatus

    async with stack.db.transaction() as session:
        await SqlStockRepository(session).reserve(
            owner_id="earlier", warehouse="US-NJ", style="VT02", quantity=2, now=START
        )
    customers = [Actor(type="customer", id=f"c{i}") for i in range(100)]
    quotes = [await stack.cases.quotes.quote(c, "VT02", "UK", 1) for c in customers]
    orders = await asyncio.gather(
        *(
            stack.cases.ordering.place_order(c, q.quote_id, "tok_ok")
            for c, q in zip(customers, quotes, strict=True)
        )
    )
    done = await asyncio.gather(*(stack.runner.saga.advance(o.order_id) for o in orders))
    statuses = [o.status for o in done]
    assert statuses.count(OrderStatus.CONFIRMED) == 10
    assert statuses.count(OrderStatus.FAILED) == 90
    assert all(o.failure.reason == "out_of_stock" for o in done if o.failure)  # type: ignore[union-attr]
    async with stack.db.read() as session:
        assert await SqlStockRepository(session).level("US-NJ", "VT02") == (12, 12)
    assert len(stack.payment.held()) == 10  # the 90 holds were voided


async def test_thirty_carts_for_the_last_ten_units_of_one_line(stack: Stack) -> None:
    """Whole cart sagas, concurrently, half listing the lines the other way round: every line is
    reserved or none is. 10 carts confirmed; 20 failed naming VT02, their TC11 given back."""
    from services.orders.domain.carts import CartLine
    from services.orders.domain.saga import OrderStatus

    async with stack.db.transaction() as session:
        await SqlStockRepository(session).reserve(
            owner_id="earlier", warehouse="US-NJ", style="VT02", quantity=2, now=START
        )
    customers = [Actor(type="customer", id=f"c{i}") for i in range(30)]
    lines = [CartLine("TC11", 1), CartLine("VT02", 1)]
    quotes = [
        await stack.cases.quotes.quote_cart(c, "UK", lines if i % 2 else lines[::-1])
        for i, c in enumerate(customers)
    ]
    orders = await asyncio.gather(
        *(
            stack.cases.ordering.place_order(c, q.quote_id, "tok_ok")
            for c, q in zip(customers, quotes, strict=True)
        )
    )
    done = await asyncio.gather(*(stack.runner.saga.advance(o.order_id) for o in orders))
    statuses = [o.status for o in done]
    assert statuses.count(OrderStatus.CONFIRMED) == 10
    assert statuses.count(OrderStatus.FAILED) == 20
    assert {(o.failure.reason, o.failure.style) for o in done if o.failure} == {
        ("out_of_stock", "VT02")
    }
    async with stack.db.read() as session:
        assert await SqlStockRepository(session).level("US-NJ", "VT02") == (12, 12)
        assert await SqlStockRepository(session).level("US-NJ", "TC11") == (18, 10)
    assert len(stack.payment.held()) == 10  # the 20 holds were voided
