"""The saga starts from the order its placement just saved (not read again); a copy that went
stale is reloaded by the version check, and a placed quote placed again finds its order."""

from __future__ import annotations

import copy
from datetime import timedelta

from services.orders.domain.saga import OrderStatus
from services.orders.entrypoints.workers import SagaScheduler
from tests.support.orders.stack import UK_CUSTOMER, Stack, place, stock_level


def _scheduler(stack: Stack) -> SagaScheduler:
    r = stack.runner
    return SagaScheduler(r.records, r.saga, r.tracking, 1, 2.0, 45.0, 600.0)


async def _drive_woken(scheduler: SagaScheduler) -> None:
    while not scheduler.queue.empty():
        await scheduler.drive_woken(scheduler.queue.get_nowait())


async def test_the_first_drive_starts_from_the_placed_order(stack: Stack) -> None:
    scheduler = _scheduler(stack)
    stack.cases.ordering.wake_saga = scheduler.wake
    loads: list[str] = []
    load = stack.runner.records.load

    async def counted(order_id: str):  # type: ignore[no-untyped-def]
        loads.append(order_id)
        return await load(order_id)

    stack.runner.records.load = counted  # type: ignore[method-assign]
    order = await place(stack)
    await _drive_woken(scheduler)
    assert loads == []
    assert (await stack.cases.ordering.get_order(UK_CUSTOMER, order.order_id)).status in (
        OrderStatus.CONFIRMED,
        OrderStatus.SHIPPED,
    )


async def test_a_stale_handed_order_is_reloaded_and_its_stray_hold_released(
    stack: Stack,
) -> None:
    """Cancelled after the hand-over (a wake that carried the order): the drive's first save
    fails its version check, the saga reloads, finds the cancel, and voids the authorization
    its stale step made (a stray: never recorded on the order)."""
    scheduler = _scheduler(stack)
    order = await place(stack)
    handed = copy.deepcopy(order)
    await stack.cases.ordering.cancel_order(UK_CUSTOMER, order.order_id)
    scheduler.wake(order.order_id, handed)
    await _drive_woken(scheduler)
    done = await stack.cases.ordering.get_order(UK_CUSTOMER, order.order_id)
    assert done.status is OrderStatus.CANCELLED and not done.saga_open
    assert stack.payment.held() == []
    warehouse = order.quote.warehouse
    assert (await stock_level(stack, warehouse, "TC11"))[1] == 0  # nothing left reserved


async def test_a_wake_without_the_order_drops_the_copy_handed_before(stack: Stack) -> None:
    scheduler = _scheduler(stack)
    order = await place(stack)
    scheduler.wake(order.order_id, order)
    scheduler.wake(order.order_id)  # e.g. a cancel: the handed copy may be stale now
    assert scheduler._handed == {}


async def test_a_placed_quote_placed_again_after_it_expired_answers_with_its_order(
    stack: Stack,
) -> None:
    order = await place(stack)
    stack.clock.advance(timedelta(hours=2))
    again = await stack.cases.ordering.place_order(UK_CUSTOMER, order.quote.quote_id, "tok_ok")
    assert again.order_id == order.order_id
