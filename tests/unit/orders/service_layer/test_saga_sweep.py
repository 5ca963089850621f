"""The saga sweep reads only the open sagas that are due: a save makes an order due at once, a
deferred tracking poll hides it until its time, and a closed saga is never due."""

from __future__ import annotations

from datetime import timedelta

from services.orders.domain.saga import OrderStatus
from services.orders.entrypoints.workers import SagaScheduler
from tests.support.orders.stack import UK_CUSTOMER, Stack, place

S = OrderStatus


async def _due(stack: Stack) -> set[str]:
    return {order_id for order_id, _ in await stack.runner.records.due_sagas()}


async def test_a_placed_order_is_due_and_a_deferred_one_is_not_until_its_time(stack: Stack):
    order = await place(stack)
    assert order.order_id in await _due(stack)
    order = await stack.runner.saga.advance(order.order_id)
    assert order.status is S.CONFIRMED and order.order_id in await _due(stack)
    await stack.runner.records.defer(order.order_id, 10)
    assert order.order_id not in await _due(stack)
    stack.clock.advance(timedelta(seconds=10))
    assert order.order_id in await _due(stack)


async def test_saving_a_deferred_order_makes_it_due_again(stack: Stack):
    order = await stack.runner.saga.advance((await place(stack)).order_id)
    await stack.runner.records.defer(order.order_id, 60)
    await stack.cases.ordering.cancel_order(UK_CUSTOMER, order.order_id)
    assert order.order_id in await _due(stack)  # compensations owed: look now


async def test_a_closed_saga_is_never_due_and_cannot_be_deferred_back(stack: Stack):
    order = await place(stack, token="tok_declined")
    order = await stack.runner.saga.advance(order.order_id)
    assert order.status is S.FAILED and not order.saga_open
    await stack.runner.records.defer(order.order_id, 0)
    assert await _due(stack) == set()
    assert await stack.runner.records.open_sagas() == []


class _CountingTracking:
    """The real tracking, counting its polls."""

    def __init__(self, tracking) -> None:
        self.tracking = tracking
        self.polls: list[str] = []

    async def track(self, order_id: str, loaded=None):
        self.polls.append(order_id)
        return await self.tracking.track(order_id, loaded)


async def test_the_sweep_polls_a_parcel_once_then_waits_for_its_interval(stack: Stack):
    order = await stack.runner.saga.advance((await place(stack)).order_id)
    tracking = _CountingTracking(stack.runner.tracking)
    scheduler = SagaScheduler(stack.runner.records, stack.runner.saga, tracking,
                              workers=1, sweep_interval=1.0, tracking_interval=5.0)  # fmt: skip
    await scheduler.sweep()
    await scheduler.sweep()  # deferred: not polled again yet
    assert tracking.polls == [order.order_id]
    stack.clock.advance(timedelta(seconds=5))
    await scheduler.sweep()
    assert tracking.polls == [order.order_id, order.order_id]


async def test_a_deferral_names_the_version_looked_at_so_a_changed_order_stays_due(stack: Stack):
    order = await stack.runner.saga.advance((await place(stack)).order_id)
    await stack.runner.records.defer_all([(order.order_id, order.version - 1, 60)])
    assert order.order_id in await _due(stack)  # saved since that version: look again
    await stack.runner.records.defer_all([(order.order_id, order.version, 60)])
    assert order.order_id not in await _due(stack)


async def test_an_order_driven_on_a_wake_is_deferred_by_the_next_sweep_not_polled(stack: Stack):
    order = await place(stack)
    tracking = _CountingTracking(stack.runner.tracking)
    scheduler = SagaScheduler(stack.runner.records, stack.runner.saga, tracking,
                              workers=1, sweep_interval=1.0, tracking_interval=5.0)  # fmt: skip
    await scheduler._drive(order.order_id)  # what a worker does on `wake`: confirm, then track
    assert tracking.polls == [order.order_id]
    assert order.order_id in await _due(stack)  # the saves made it due...
    await scheduler.sweep()  # ...the drive's deferral is written before the sweep reads
    assert tracking.polls == [order.order_id]
    stack.clock.advance(timedelta(seconds=5))
    await scheduler.sweep()
    assert tracking.polls == [order.order_id, order.order_id]
