"""Placing, reading and cancelling orders. The saga (order_saga.py) does the rest, woken here."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn, Protocol

from services.orders.domain.errors import (
    ConcurrentUpdate,
    OrderAlreadyShipped,
    OrderNotFound,
    QuoteNotFound,
    ShipmentNotCancellable,
)
from services.orders.domain.orders import Order
from services.orders.domain.ports import CarrierProvider, TrackingStatus
from services.orders.domain.saga import SHIPMENT_MAY_BE_BOOKED, OrderStatus
from services.orders.service_layer.customers import new_id, require_customer
from services.orders.service_layer.unit_of_work import DuplicateEntry, UnitOfWork
from shared.actor import Actor
from shared.clock import Clock
from shared.errors import DomainError
from shared.logging import current_correlation_id

# A cancel re-reads and retries when the order moved while the carrier was asked (the saga
# has at most a few steps left to take, so this is never exhausted in practice).
CANCEL_ATTEMPTS = 8


class WakeSaga(Protocol):
    """ "This order has saga work to do now" (placed or cancelled). `saved`: the order as just
    committed, so the saga starts from it instead of reading it again (its saves are
    version-checked: a copy that went stale meanwhile is reloaded)."""

    def __call__(self, order_id: str, saved: Order | None = None) -> None: ...


Placed = Callable[[Order], None]


def no_saga(order_id: str, saved: Order | None = None) -> None:
    """Without a saga worker (tests that drive the saga by hand) nobody needs waking."""


class Ordering:
    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        carrier: CarrierProvider,  # consulted by a cancel: has the parcel left?
        wake_saga: WakeSaga = no_saga,
        start_saga: WakeSaga | None = None,  # a placed order's saga (None: wake_saga)
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.carrier = carrier
        self.wake_saga = wake_saga
        self.start_saga = start_saga

    async def place_order(
        self, actor: Actor, quote_id: str, payment_token: str, placed: Placed | None = None
    ) -> Order:
        """Accept a quote. Idempotent per quote: placing it again returns the same order.

        `placed(order)`: called inside the placement's transaction, before it commits, with the
        order it inserts (the RPC stores its reply with the placement; see requests.py)."""
        customer = require_customer(actor)
        try:
            order = await self._place(actor, customer, quote_id, payment_token, placed)
        except DuplicateEntry:
            # A concurrent request placed this quote first (unique quote_id): answer with it.
            async with self.uow.read() as rx:
                found = await rx.orders.by_quote(quote_id)
            if found is None:
                raise
            order = found
        if order.customer_id != customer:
            raise QuoteNotFound("no such quote", details={"quote_id": quote_id})
        (self.start_saga or self.wake_saga)(order.order_id, order)
        return order

    async def _place(
        self, actor: Actor, customer: str, quote_id: str, token: str, placed: Placed | None
    ) -> Order:
        # Not looked up first: a quote placed already is rare, and its order is found when the
        # quote is refused (expired since, or not this caller's) or the insert is (the unique
        # quote_id, the DuplicateEntry above).
        async with self.uow.read() as rx:
            q = await rx.quotes.get(quote_id)
        try:
            order = Order.place(
                order_id=new_id("o"),
                quote=q,
                customer_id=customer,
                payment_token=token,
                now=self.clock.now(),
                agent_id=actor.agent_id,
            )
        except DomainError:
            async with self.uow.read() as rx:
                existing = await rx.orders.by_quote(quote_id)
            if existing is None:
                raise
            return existing
        order.correlation_id = current_correlation_id()
        # A concurrent placement of the same quote fails here on the unique quote_id.
        async with self.uow() as work:
            await work.orders.add(order)
            for event in order.pull_events():
                work.publish(event)
            if placed is not None:
                placed(order)
        return order

    async def get_order(self, actor: Actor, order_id: str) -> Order:
        async with self.uow.read() as rx:
            order = await rx.orders.get(order_id)
        if not actor.may_see(order.customer_id):
            raise OrderNotFound("no such order", details={"order_id": order_id})
        return order

    async def list_orders(
        self, actor: Actor, limit: int = 50, after: dict[str, str] | None = None
    ) -> tuple[list[Order], dict[str, str] | None]:
        customer = actor.customer_id
        if customer is None and actor.type not in ("agent", "system"):
            return [], None
        async with self.uow.read() as rx:
            return await rx.orders.list_for_customer(customer, limit, after)

    async def cancel_order(self, actor: Actor, order_id: str) -> Order:
        """Cancel before the parcel leaves; the saga then undoes every completed step.

        Whether the parcel has left is the carrier's answer, not our copy of its tracking (polled
        with a back-off, so it lags): a booked shipment is cancelled at the carrier first, and
        the cancel is recorded only if the order has not changed since. Otherwise a late cancel
        would owe a compensation the carrier refuses forever, and the release of the stock and
        the void of the authorization queued behind it would never run.
        """
        cancelled_at_carrier = False
        for _ in range(CANCEL_ATTEMPTS):
            async with self.uow.read() as rx:
                seen = await rx.orders.get(order_id)
            if not actor.may_see(seen.customer_id):
                raise OrderNotFound("no such order", details={"order_id": order_id})
            if cancelled_at_carrier and seen.status is OrderStatus.CANCELLED:
                # Our carrier cancel was seen by the saga's tracking poll first, which recorded
                # the cancel itself: the request succeeded, and a retry must hear so.
                async with self.uow() as work:
                    work.applied()
                return seen
            seen.check_cancellable()
            cancelled_at_carrier = await self._cancel_shipment_first(seen) or cancelled_at_carrier
            order = await self._record_cancel(seen, by=actor.type)
            if order is not None:
                self.wake_saga(order_id)  # the saga performs the compensations
                return order
        raise ConcurrentUpdate("order changed concurrently", details={"order_id": order_id})

    async def _cancel_shipment_first(self, order: Order) -> bool:
        """Cancel every booked parcel at the carrier; True if there was one to cancel.

        A cart's parcels are checked first: if any has left, nothing is cancelled (the order
        can no longer be), so no parcel is cancelled while its sibling travels."""
        if order.status not in SHIPMENT_MAY_BE_BOOKED:
            return False
        ids = [p.shipment_id for p in order.shipments]
        if not ids:  # booked by a saga step that died before recording it?
            for plan in order.parcel_plans:
                booked = await self.carrier.find(plan.idempotency_key)
                ids += [booked.shipment_id] if booked else []
        if not ids:
            return False
        if len(ids) > 1:
            for shipment_id in ids:
                await self._refuse_if_left(order, shipment_id)
        for shipment_id in ids:
            try:
                await self.carrier.cancel(shipment_id)
            except ShipmentNotCancellable as exc:
                self._already_shipped(order, exc.details.get("status"), exc)
        return True

    async def _refuse_if_left(self, order: Order, shipment_id: str) -> None:
        seen = {u.status for u in await self.carrier.tracking(shipment_id)}
        left = seen & {TrackingStatus.IN_TRANSIT, TrackingStatus.DELIVERED}
        if left:
            t = TrackingStatus
            status = t.DELIVERED if t.DELIVERED in left else t.IN_TRANSIT
            self._already_shipped(order, str(status), None)

    def _already_shipped(
        self, order: Order, status: str | None, cause: Exception | None
    ) -> NoReturn:
        self.wake_saga(order.order_id)  # the saga catches up with the tracking
        raise OrderAlreadyShipped(
            "the parcel has left the warehouse: the order can no longer be cancelled",
            details={"order_id": order.order_id, "shipment_status": status},
        ) from cause

    async def _record_cancel(self, seen: Order, by: str) -> Order | None:
        """Save the cancel if the order is still as seen when the carrier was asked; else None."""
        async with self.uow() as work:
            order = await work.orders.get(seen.order_id, for_update=True)
            if order.version != seen.version:
                return None  # moved on meanwhile (a step, another cancel): look again
            order.cancel(self.clock.now(), by=by)
            await work.orders.save(order)
            for event in order.pull_events():
                work.publish(event)
        return order
