"""A cancel must never leave a half-done saga, whatever the carrier did meanwhile.

The rule: the carrier, not our lagging copy of its tracking (polled with a back-off), decides
whether the parcel has left. A booked shipment is cancelled at the carrier before the cancel is
recorded (refused with `order_already_shipped` once the parcel is in transit or delivered), the
cancel is recorded only if the order did not move meanwhile, and a shipment found cancelled at
the carrier finishes a cancel whose commit was lost. Otherwise a cancel accepted on a stale
`confirmed` would owe a shipment cancel the carrier refuses forever, and the stock release and
payment void queued behind it would never run.

The saga is driven here the way the scheduler drives it (errors logged, the order tried again),
and every test checks the saga's end state, not the mechanism.
"""

from __future__ import annotations

import asyncio
import contextvars
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from services.orders.adapters import tables as t
from services.orders.adapters.sql_stock_repository import SqlStockRepository
from services.orders.app import SagaParts
from services.orders.domain.orders import Order
from services.orders.domain.ports import ShipmentRequest
from services.orders.domain.saga import OrderStatus, Step
from shared.errors import DomainError
from shared.messaging.processed_requests import ProcessedRequests
from shared.messaging.requests import answer_once
from shared.persistence.messaging_tables import outbox_table
from tests.support.orders.stack import UK_CUSTOMER, Stack

S = OrderStatus
STYLE = "VT02"  # ships from US-NJ, 12 on hand
ON_HAND = 12


async def place(stack: Stack) -> Order:
    quote = await stack.cases.quotes.quote(UK_CUSTOMER, STYLE, "UK", 1)
    return await stack.cases.ordering.place_order(UK_CUSTOMER, quote.quote_id, "tok_ok")


async def cancel(stack: Stack, order_id: str) -> str:
    """The customer's cancel: the order's status on success, the error code on refusal."""
    try:
        return str((await stack.cases.ordering.cancel_order(UK_CUSTOMER, order_id)).status)
    except DomainError as exc:
        return exc.code


async def settle(stack: Stack, order_id: str, runner: SagaParts | None = None) -> list[str]:
    """Drive the order as the scheduler does (errors are logged, the order tried again)."""
    runner = runner or stack.new_runner()
    errors: list[str] = []
    for _ in range(5):
        try:
            order = await runner.saga.advance(order_id)
            if order.status in (S.CONFIRMED, S.SHIPPED):
                await runner.tracking.track(order_id)
        except Exception as exc:  # the scheduler logs saga.step_failed and tries again
            errors.append(getattr(exc, "code", type(exc).__name__))
    return errors


async def row(stack: Stack, order_id: str) -> Any:
    async with stack.db.read() as session:
        query = sa.select(t.orders.c.status, t.orders.c.open_saga)
        return (await session.execute(query.where(t.orders.c.order_id == order_id))).one()


async def level(stack: Stack) -> tuple[int, int]:
    async with stack.db.read() as session:
        return await SqlStockRepository(session).level("US-NJ", STYLE)


async def assert_saga_done(stack: Stack, order_id: str, errors: list[str]) -> str:
    """Finished, and nothing held that the outcome does not justify (the checker's rules)."""
    status, open_saga = await row(stack, order_id)
    payments = [stack.payment.status(a.authorization_id) for a in stack.payment.held()]
    if status in ("cancelled", "failed"):
        assert await level(stack) == (ON_HAND, 0), f"{status} order still holds stock"
        assert payments == [], f"{status} order still holds the customer's money: {payments}"
        shipment = await stack.carrier.find(f"{order_id}:{Step.CREATE_SHIPMENT}")
        assert shipment is None or stack.carrier.is_cancelled(shipment.shipment_id)
    else:
        assert status == "delivered", f"saga stuck in {status}"
        assert await level(stack) == (ON_HAND - 1, 0)  # the unit left for good
        assert payments == ["captured"]
    assert not open_saga and errors == [], f"saga still open or failing: {errors}"
    return str(status)


async def confirmed_order(stack: Stack) -> Order:
    order = await stack.runner.saga.advance((await place(stack)).order_id)
    assert order.status is S.CONFIRMED and order.shipment_id is not None
    return order


async def test_cancel_after_the_carrier_delivered_is_refused_and_the_order_completes(
    stack: Stack,
) -> None:
    """Confirmed, delivered at the carrier before our next poll, then cancelled: refused."""
    order = await confirmed_order(stack)
    # The carrier moves on by itself; our copy of its tracking is polled later.
    stack.clock.advance(stack.carrier.delivered_after + timedelta(seconds=1))
    answer = await cancel(stack, order.order_id)
    errors = await settle(stack, order.order_id)
    assert await assert_saga_done(stack, order.order_id, errors) == "delivered"
    assert answer == "order_already_shipped"


async def test_cancel_while_in_transit_is_refused(stack: Stack) -> None:
    order = await confirmed_order(stack)
    stack.clock.advance(stack.carrier.in_transit_after + timedelta(seconds=1))
    answer = await cancel(stack, order.order_id)
    errors = await settle(stack, order.order_id)
    stack.clock.advance(stack.carrier.delivered_after)
    errors += await settle(stack, order.order_id)
    assert await assert_saga_done(stack, order.order_id, errors) == "delivered"
    assert answer == "order_already_shipped"


class CancelDuringCapture:
    """The runner has seen `in_transit` and is capturing when the customer's cancel arrives."""

    def __init__(self, stack: Stack, order_id: str) -> None:
        self.stack, self.order_id = stack, order_id
        self.answers: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stack.payment, name)

    async def capture(self, authorization_id: str) -> str:
        capture_id = await self.stack.payment.capture(authorization_id)
        self.answers.append(await cancel(self.stack, self.order_id))
        return capture_id


async def test_cancel_racing_the_capture_never_cancels_a_charged_order(stack: Stack) -> None:
    order = await confirmed_order(stack)
    stack.clock.advance(stack.carrier.in_transit_after + timedelta(seconds=1))
    racing = CancelDuringCapture(stack, order.order_id)
    runner = stack.new_runner(payment=racing)  # type: ignore[arg-type]
    errors = await settle(stack, order.order_id, runner)
    stack.clock.advance(stack.carrier.delivered_after)
    errors += await settle(stack, order.order_id)
    assert await assert_saga_done(stack, order.order_id, errors) == "delivered"
    assert racing.answers == ["order_already_shipped"]


async def test_cancel_before_the_parcel_leaves_undoes_everything_once(stack: Stack) -> None:
    order = await confirmed_order(stack)
    assert await cancel(stack, order.order_id) == "cancelled"
    # The shipment is cancelled before the cancel is recorded: it can no longer leave.
    assert stack.carrier.is_cancelled(order.shipment_id)  # type: ignore[arg-type]
    stack.clock.advance(stack.carrier.delivered_after + timedelta(seconds=1))
    errors = await settle(stack, order.order_id)
    assert await assert_saga_done(stack, order.order_id, errors) == "cancelled"


async def test_concurrent_cancels_record_one_cancel(stack: Stack) -> None:
    order = await confirmed_order(stack)
    answers = await asyncio.gather(*(cancel(stack, order.order_id) for _ in range(3)))
    # Each answer is the truth for its request: a request that cancelled the shipment at the
    # carrier reports success even if another recorded the cancel first; one that looked after
    # the cancel was recorded is refused. Either way one cancel, one event.
    assert "cancelled" in answers and set(answers) <= {"cancelled", "invalid_transition"}
    errors = await settle(stack, order.order_id)
    assert await assert_saga_done(stack, order.order_id, errors) == "cancelled"
    async with stack.db.read() as session:
        subjects = (await session.execute(sa.select(outbox_table.c.payload))).scalars().all()
    cancelled = [
        p for p in subjects if b"orders.order.cancelled" in p and order.order_id.encode() in p
    ]
    assert len(cancelled) == 1


async def test_a_cancel_whose_commit_was_lost_is_finished_by_the_runner(stack: Stack) -> None:
    """The cancel reached the carrier, then the process died before recording it."""
    order = await confirmed_order(stack)
    await stack.carrier.cancel(order.shipment_id)  # type: ignore[arg-type]
    errors = await settle(stack, order.order_id)
    stack.clock.advance(stack.carrier.delivered_after + timedelta(seconds=1))
    errors += await settle(stack, order.order_id)
    assert await assert_saga_done(stack, order.order_id, errors) == "cancelled"


async def reserve(stack: Stack, order_id: str) -> Order:
    """Run the saga's first step only (authorize, and reserve in the same transaction)."""
    runner = stack.new_runner()
    order = await runner.records.load(order_id)
    await runner.saga.step(order, order.next_step)  # type: ignore[arg-type]
    order = await runner.records.load(order_id)
    assert order.status is S.STOCK_RESERVED
    return order


async def book(stack: Stack, order: Order) -> None:
    """The runner's shipment booking, its outcome never recorded (`after_shipment_created`)."""
    q, key = order.quote, f"{order.order_id}:{Step.CREATE_SHIPMENT}"
    await stack.carrier.create_shipment(
        ShipmentRequest(order.order_id, q.warehouse, q.region, q.customs, key)
    )


async def book_then_crash(stack: Stack, order_id: str) -> None:
    await book(stack, await reserve(stack, order_id))


class CarrierStandIn:
    """The stack's sandbox carrier, with one call overridden to interleave a race."""

    def __init__(self, stack: Stack, order_id: str = "") -> None:
        self.stack, self.order_id = stack, order_id

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stack.carrier, name)


class ShipsWhileCancelLooks(CarrierStandIn):
    """The cancel finds no shipment; the runner books and records one before the cancel saves."""

    async def find(self, key: str) -> Any:
        found = await self.stack.carrier.find(key)
        runner = self.stack.new_runner()
        order = await runner.records.load(key.split(":")[0])
        if order.status is S.STOCK_RESERVED:
            await runner.saga.step(order, Step.CREATE_SHIPMENT)
        return found


async def test_cancel_racing_the_shipment_step_cancels_the_shipment_it_did_not_see(
    stack: Stack,
) -> None:
    order = await place(stack)
    await reserve(stack, order.order_id)
    stack.cases.ordering.carrier = ShipsWhileCancelLooks(stack)
    assert await cancel(stack, order.order_id) == "cancelled"
    stack.clock.advance(stack.carrier.delivered_after + timedelta(seconds=1))  # slow restart
    errors = await settle(stack, order.order_id)
    assert await assert_saga_done(stack, order.order_id, errors) == "cancelled"


async def test_cancel_after_a_crash_between_booking_and_recording_a_fresh_label(
    stack: Stack,
) -> None:
    order = await place(stack)
    await book_then_crash(stack, order.order_id)
    assert await cancel(stack, order.order_id) == "cancelled"
    stack.clock.advance(timedelta(seconds=3))  # the restart (the label is still unused)
    errors = await settle(stack, order.order_id)
    assert await assert_saga_done(stack, order.order_id, errors) == "cancelled"


async def test_cancel_after_a_crash_between_booking_and_recording_a_label_that_left(
    stack: Stack,
) -> None:
    """Killed between booking and recording, restarted after the parcel left: refused."""
    order = await place(stack)
    await book_then_crash(stack, order.order_id)
    stack.clock.advance(stack.carrier.delivered_after + timedelta(seconds=1))
    answer = await cancel(stack, order.order_id)
    errors = await settle(stack, order.order_id)
    assert await assert_saga_done(stack, order.order_id, errors) == "delivered"
    assert answer == "order_already_shipped"


async def test_a_label_booked_after_the_cancel_looked_does_not_keep_the_saga_open(
    stack: Stack,
) -> None:
    """The one booking a cancel cannot see: made while it committed, then the process died
    until the label counted as gone. Nothing of ours rides on it: the saga still closes."""
    order = await place(stack)
    reserved = await reserve(stack, order.order_id)
    assert await cancel(stack, order.order_id) == "cancelled"  # nothing booked yet
    await book(stack, reserved)  # the runner's call was in flight; then it was killed
    stack.clock.advance(stack.carrier.delivered_after + timedelta(seconds=1))
    errors = await settle(stack, order.order_id)
    status, open_saga = await row(stack, order.order_id)
    assert (status, open_saga, errors) == ("cancelled", False, [])
    assert await level(stack) == (ON_HAND, 0)
    assert stack.payment.held() == []


class TrackingPollWinsTheRace(CarrierStandIn):
    """The carrier cancel succeeds, then the saga's tracking poll sees it and records the cancel
    (as `system`) before the request's own record commits."""

    async def cancel(self, shipment_id: str) -> None:
        await self.stack.carrier.cancel(shipment_id)
        await self.stack.new_runner().tracking.track(self.order_id)


async def test_a_cancel_the_tracking_poll_recorded_first_still_answers_cancelled(
    stack: Stack,
) -> None:
    order = await confirmed_order(stack)
    stack.cases.ordering.carrier = TrackingPollWinsTheRace(stack, order.order_id)
    assert await cancel(stack, order.order_id) == "cancelled"  # not a 409 for a cancel that worked
    errors = await settle(stack, order.order_id)
    assert await assert_saga_done(stack, order.order_id, errors) == "cancelled"


async def test_a_retry_of_that_cancel_gets_the_first_answer_not_a_409(stack: Stack) -> None:
    """The same cancel under a request key (the gateway retried after it died): the first
    attempt wrote no order row (the poll did), yet it must leave its key applied, so the retry
    is answered with the first reply instead of running again into `invalid_transition`."""
    order = await confirmed_order(stack)
    stack.cases.ordering.carrier = PollInItsOwnTask(stack, order.order_id)
    store = ProcessedRequests(stack.db)

    async def run() -> bytes:
        return (await cancel(stack, order.order_id)).encode()

    async def replay() -> bytes:
        return b"rebuilt"

    first = await answer_once(store, "orders.cancel", "cust:key-1", run, replay)
    again = await answer_once(store, "orders.cancel", "cust:key-1", run, replay)
    assert (first, again) == (b"cancelled", b"cancelled")


class PollInItsOwnTask(CarrierStandIn):
    """As TrackingPollWinsTheRace, with the poll in a task of its own and a fresh context, as
    the saga's worker runs it: its write is not part of the request being handled."""

    async def cancel(self, shipment_id: str) -> None:
        await self.stack.carrier.cancel(shipment_id)
        poll = self.stack.new_runner().tracking.track(self.order_id)
        await asyncio.get_running_loop().create_task(poll, context=contextvars.Context())
