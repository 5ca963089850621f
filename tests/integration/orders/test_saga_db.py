"""The order saga against a real database (SQLite and PostgreSQL), with sandbox providers."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import sqlalchemy as sa

from services.orders.adapters.sql_stock_repository import SqlStockRepository
from services.orders.domain.errors import QuoteExpired
from services.orders.domain.saga import OrderStatus
from services.orders.entrypoints.workers import SagaScheduler
from shared.actor import Actor
from shared.persistence.messaging_tables import outbox_table
from tests.support.orders.stack import UK_CUSTOMER, Stack, place

S = OrderStatus


async def level(stack: Stack, warehouse: str, style: str) -> tuple[int, int]:
    async with stack.db.read() as session:
        return await SqlStockRepository(session).level(warehouse, style)


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
    assert await level(stack, "US-NJ", "TC11") == (18, 1)
    request = stack.carrier.request_for(order.shipment_id)  # type: ignore[arg-type]
    assert (request.customs.hs_code, request.customs.origin_country) == ("4202.32", "VN")
    assert request.customs.incoterm == "DDP" and str(request.customs.declared_value) == "60.47 GBP"
    stack.clock.advance(timedelta(minutes=10))
    order = await stack.runner.tracking.track(order.order_id)
    assert order.status is S.DELIVERED
    assert await level(stack, "US-NJ", "TC11") == (17, 0)
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


async def test_declined_payment_fails_and_holds_nothing(stack: Stack) -> None:
    order = await stack.runner.saga.advance((await place(stack, token="tok_declined")).order_id)
    assert order.status is S.FAILED and order.failure is not None
    assert order.failure.reason == "payment_declined" and "another card" in order.failure.message
    assert await level(stack, "US-NJ", "TC11") == (18, 0)
    assert stack.payment.held() == []


async def test_payment_timeout_is_retried_without_double_charge(stack: Stack) -> None:
    order = await stack.runner.saga.advance((await place(stack, token="tok_timeout")).order_id)
    assert order.status is S.CONFIRMED
    assert len(stack.payment.ledger) == 1 and len(stack.payment.held()) == 1


async def test_stock_gone_voids_the_authorization(stack: Stack) -> None:
    order = await place(stack, style="VT02")
    async with stack.db.transaction() as session:  # someone else takes the last units
        await SqlStockRepository(session).reserve(
            owner_id="other", warehouse="US-NJ", style="VT02", quantity=12, now=stack.clock.now()
        )
    order = await stack.runner.saga.advance(order.order_id)
    assert order.status is S.FAILED and order.failure.reason == "out_of_stock"  # type: ignore[union-attr]
    assert "waitlist" in order.failure.message  # type: ignore[union-attr]
    assert stack.payment.held() == []
    assert order.pending_compensations() == []


async def test_expired_quote_changes_nothing(stack: Stack) -> None:
    quote = await stack.cases.quotes.quote(UK_CUSTOMER, "TC11", "UK", 1)
    stack.clock.advance(timedelta(minutes=31))
    with pytest.raises(QuoteExpired):
        await stack.cases.ordering.place_order(UK_CUSTOMER, quote.quote_id, "tok_ok")
    assert await stack.cases.ordering.list_orders(UK_CUSTOMER) == ([], None)


async def test_carrier_refusal_releases_stock_and_voids(stack: Stack) -> None:
    stack.carrier.refuse_destinations = frozenset({"UK"})
    order = await stack.runner.saga.advance((await place(stack)).order_id)
    assert order.status is S.FAILED and order.failure.reason == "carrier_refused"  # type: ignore[union-attr]
    assert await level(stack, "US-NJ", "TC11") == (18, 0)
    assert stack.payment.held() == []


async def test_resume_after_crash_after_stock_reservation(stack: Stack) -> None:
    order = await place(stack)
    runner = stack.runner
    # Run only the first step (authorize, then reserve in the same transaction), as a process
    # killed right after reserving would have.
    fresh = await runner.records.load(order.order_id)
    await runner.saga.step(fresh, fresh.next_step)  # type: ignore[arg-type]
    assert (await runner.records.load(order.order_id)).status is S.STOCK_RESERVED
    restarted = stack.new_runner()
    workers = SagaScheduler(restarted.records, restarted.saga, restarted.tracking, 1, 1.0, 1.0)
    assert await workers.resume_all() == 1
    order = await runner.records.load(order.order_id)
    assert order.status is S.CONFIRMED
    assert await level(stack, "US-NJ", "TC11") == (18, 1)  # reserved once, not twice
    assert len(stack.payment.ledger) == 1


async def test_cancel_after_crash_compensates_once(stack: Stack) -> None:
    order = await stack.runner.saga.advance((await place(stack)).order_id)
    await stack.cases.ordering.cancel_order(UK_CUSTOMER, order.order_id)
    await stack.runner.saga.advance(order.order_id)
    await stack.new_runner().saga.advance(order.order_id)  # a second run changes nothing
    assert await level(stack, "US-NJ", "TC11") == (18, 0)
    assert stack.payment.held() == []
    assert stack.carrier.is_cancelled(order.shipment_id)  # type: ignore[arg-type]


async def test_customers_see_only_their_own_orders(stack: Stack) -> None:
    from services.orders.domain.errors import OrderNotFound

    order = await place(stack)
    with pytest.raises(OrderNotFound):
        await stack.cases.ordering.get_order(
            Actor(type="customer", id="someone-else"), order.order_id
        )
    agent = Actor(type="agent", id="agent-7", on_behalf_of=UK_CUSTOMER.id)
    assert (await stack.cases.ordering.get_order(agent, order.order_id)).order_id == order.order_id
    assert await stack.cases.ordering.list_orders(Actor(type="customer", id="someone-else")) == (
        [],
        None,
    )
    # An agent finds any order by its id alone (the console's search); acting for another
    # customer, the order is not theirs to see.
    by_id = await stack.cases.ordering.get_order(Actor(type="agent", id="agent-7"), order.order_id)
    assert by_id.customer_id == UK_CUSTOMER.id
    with pytest.raises(OrderNotFound):
        await stack.cases.ordering.get_order(
            Actor(type="agent", id="agent-7", on_behalf_of="someone-else"), order.order_id
        )


async def test_agent_places_order_for_customer(stack: Stack) -> None:
    agent = Actor(type="agent", id="agent-7", on_behalf_of="cust-uk-2")
    quote = await stack.cases.quotes.quote(agent, "TC11", "UK", 1)
    order = await stack.cases.ordering.place_order(agent, quote.quote_id, "tok_ok")
    assert order.customer_id == "cust-uk-2" and order.agent_id == "agent-7"
    assert (
        await stack.cases.ordering.place_order(agent, quote.quote_id, "tok_ok")
    ).order_id == order.order_id


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


async def test_payment_provider_never_answers_fails_and_releases_any_hold(stack: Stack) -> None:
    stack.payment.timeouts_before_success = 100  # every attempt times out after authorizing
    order = await stack.runner.saga.advance((await place(stack, token="tok_timeout")).order_id)
    assert order.status is S.FAILED and order.failure.reason == "payment_unavailable"  # type: ignore[union-attr]
    assert len(stack.payment.ledger) == 1  # one hold was made, under one key...
    assert stack.payment.held() == []  # ...and it was voided
    assert await level(stack, "US-NJ", "TC11") == (18, 0)


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


class CancelDuring:
    """Wraps a provider call so the customer cancels while it is in flight."""

    def __init__(self, stack: Stack, inner, method: str) -> None:
        self.stack, self.inner, self.method = stack, inner, method
        self.order_id: str | None = None

    def __getattr__(self, name: str):
        target = getattr(self.inner, name)
        if name != self.method:
            return target

        async def call(*args, **kwargs):
            result = await target(*args, **kwargs)
            assert self.order_id is not None
            await self.stack.cases.ordering.cancel_order(UK_CUSTOMER, self.order_id)
            return result

        return call


@pytest.mark.parametrize("method", ["authorize", "create_shipment"])
async def test_cancel_while_a_provider_call_is_in_flight_leaves_nothing(
    stack: Stack, method: str
) -> None:
    order = await place(stack)
    if method == "authorize":
        wrapper = CancelDuring(stack, stack.payment, method)
        runner = stack.new_runner(payment=wrapper)  # type: ignore[arg-type]
    else:
        wrapper = CancelDuring(stack, stack.carrier, method)
        runner = stack.new_runner(carrier=wrapper)  # type: ignore[arg-type]
    wrapper.order_id = order.order_id
    order = await runner.saga.advance(order.order_id)
    assert order.status is S.CANCELLED
    assert stack.payment.held() == []  # the late authorization was found by its key and voided
    assert await level(stack, "US-NJ", "TC11") == (18, 0)
    if method == "create_shipment":
        shipment = await stack.carrier.find(f"{order.order_id}:create_shipment")
        assert shipment is not None and stack.carrier.is_cancelled(shipment.shipment_id)
