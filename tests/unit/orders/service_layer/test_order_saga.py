"""The order saga's steps and compensations over a SQLite unit of work, with sandbox providers:
every failure undoes what was done, nothing is held twice, and a restart finishes the job."""

from __future__ import annotations

import pytest

from services.orders.adapters.sql_stock_repository import SqlStockRepository
from services.orders.domain.saga import OrderStatus
from services.orders.entrypoints.workers import SagaScheduler
from tests.support.orders.stack import UK_CUSTOMER, Stack, place, stock_level

S = OrderStatus


async def test_declined_payment_fails_and_holds_nothing(stack: Stack) -> None:
    order = await stack.runner.saga.advance((await place(stack, token="tok_declined")).order_id)
    assert order.status is S.FAILED and order.failure is not None
    assert order.failure.reason == "payment_declined" and "another card" in order.failure.message
    assert await stock_level(stack, "US-NJ", "TC11") == (18, 0)
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


async def test_carrier_refusal_releases_stock_and_voids(stack: Stack) -> None:
    stack.carrier.refuse_destinations = frozenset({"UK"})
    order = await stack.runner.saga.advance((await place(stack)).order_id)
    assert order.status is S.FAILED and order.failure.reason == "carrier_refused"  # type: ignore[union-attr]
    assert await stock_level(stack, "US-NJ", "TC11") == (18, 0)
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
    assert await stock_level(stack, "US-NJ", "TC11") == (18, 1)  # reserved once, not twice
    assert len(stack.payment.ledger) == 1


async def test_cancel_after_crash_compensates_once(stack: Stack) -> None:
    order = await stack.runner.saga.advance((await place(stack)).order_id)
    await stack.cases.ordering.cancel_order(UK_CUSTOMER, order.order_id)
    await stack.runner.saga.advance(order.order_id)
    await stack.new_runner().saga.advance(order.order_id)  # a second run changes nothing
    assert await stock_level(stack, "US-NJ", "TC11") == (18, 0)
    assert stack.payment.held() == []
    assert stack.carrier.is_cancelled(order.shipment_id)  # type: ignore[arg-type]


async def test_payment_provider_never_answers_fails_and_releases_any_hold(stack: Stack) -> None:
    stack.payment.timeouts_before_success = 100  # every attempt times out after authorizing
    order = await stack.runner.saga.advance((await place(stack, token="tok_timeout")).order_id)
    assert order.status is S.FAILED and order.failure.reason == "payment_unavailable"  # type: ignore[union-attr]
    assert len(stack.payment.ledger) == 1  # one hold was made, under one key...
    assert stack.payment.held() == []  # ...and it was voided
    assert await stock_level(stack, "US-NJ", "TC11") == (18, 0)


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
    assert await stock_level(stack, "US-NJ", "TC11") == (18, 0)
    if method == "create_shipment":
        shipment = await stack.carrier.find(f"{order.order_id}:create_shipment")
        assert shipment is not None and stack.carrier.is_cancelled(shipment.shipment_id)
