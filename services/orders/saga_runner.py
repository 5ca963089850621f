"""Runs the order saga: one step at a time, each recorded before the next begins.

Pattern per step: read the order; call the provider with an idempotency key derived from the
order and the step (so a repeat after a crash returns the first result); then, in one unit of
work, re-read the order, record the outcome and queue its events. Stock is local, so reserving
and recording happen in the same transaction. A restarted runner calls `resume_all()`, which
finishes forward steps and owed compensations for every unfinished order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog

from services.orders.adapters.repository import ConcurrentUpdate, OrderRepository
from services.orders.adapters.stock_store import StockStore
from services.orders.correlation import bind_cause, order_log_scope
from services.orders.domain.errors import (
    CarrierRefused,
    InsufficientStock,
    PaymentDeclined,
    PaymentTimeout,
    ShipmentNotCancellable,
)
from services.orders.domain.orders import Order
from services.orders.domain.providers import (
    AuthorizationStatus,
    CarrierProvider,
    PaymentProvider,
    ShipmentRequest,
    TrackingStatus,
)
from services.orders.domain.saga import Compensation, FailureReason, OrderStatus, Step, step_key
from services.orders.handlers import EventMapper, TxLike, UnitOfWorkFactory, reading
from shared.clock import Clock
from shared.runtime.faults import crash_point

log = structlog.get_logger()
S = OrderStatus


Work = Callable[[TxLike, Order], Awaitable[None]]  # database effects committed with a step


@dataclass
class SagaRunner:
    uow: UnitOfWorkFactory
    payment: PaymentProvider
    carrier: CarrierProvider
    clock: Clock
    to_wire: EventMapper
    payment_attempts: int = 4
    retry_delay: float = 0.2

    async def advance(self, order_id: str) -> Order:
        """Drive an order as far as it can go now (confirmed, or undone after a failure)."""
        with order_log_scope():
            return await self._advance(order_id)

    async def _advance(self, order_id: str) -> Order:
        order: Order | None = None
        while True:
            # Each step hands back the order it saved; reload only when it did not.
            order = order or await self._load(order_id)
            if order.status in (S.FAILED, S.CANCELLED) and order.pending_compensations():
                order = await self._compensate(order, order.pending_compensations()[0])
                continue
            if order.status in (S.FAILED, S.CANCELLED):
                await self._release_strays(order)
                if not order.strays_checked:
                    # Only now is the saga closed: a crash before this line finds the order
                    # still open at the next sweep, and the (idempotent) check runs again.
                    order.strays_checked = True
                    saved = await self._commit(order)
                    if saved is None:
                        order = None
                        continue
                return order
            step = order.next_step
            if step is None:
                return order
            order = await self._forward(order, step)

    async def active_ids(self) -> list[str]:
        return [order_id for order_id, _ in await self.open_sagas()]

    async def open_sagas(self) -> list[tuple[str, str]]:
        async with reading(self.uow) as tx:
            return await OrderRepository(tx.session).open_sagas()

    async def resume_all(self) -> int:
        ids = await self.active_ids()
        for order_id in ids:
            try:
                await self.advance(order_id)
                await self.track(order_id)
            except Exception:
                log.exception("saga.resume_failed", order_id=order_id)
        return len(ids)

    # -- forward steps ---------------------------------------------------------------------
    async def _forward(self, order: Order, step: Step) -> Order | None:
        """Perform one step; the saved order, or None when it changed elsewhere meanwhile."""
        if step is Step.AUTHORIZE_PAYMENT:
            return await self._authorize(order)
        if step is Step.RESERVE_STOCK:
            return await self._reserve(order)
        if step is Step.CREATE_SHIPMENT:
            return await self._ship(order)
        return await self._record(order, S.SHIPMENT_CREATED, lambda o: o.confirm(self.clock.now()))

    async def _authorize(self, order: Order) -> Order | None:
        now = self.clock.now()
        if order.quote.is_expired(now):
            # The locked rate has lapsed before any money moved: ask for a new quote.
            return await self._fail(order, S.PENDING, FailureReason.QUOTE_EXPIRED)
        key = step_key(order.order_id, Step.AUTHORIZE_PAYMENT)
        for attempt in range(1, self.payment_attempts + 1):
            try:
                auth = await self.payment.authorize(order.quote.total, order.payment_token, key)
                break
            except PaymentDeclined as exc:
                return await self._fail(
                    order, S.PENDING, FailureReason.PAYMENT_DECLINED, exc.message
                )
            except PaymentTimeout:
                log.warning("saga.payment_timeout", order_id=order.order_id, attempt=attempt)
                await asyncio.sleep(self.retry_delay * attempt)
        else:
            # A timed-out attempt may still have placed a hold: release it before failing.
            lingering = await self.payment.find(key)
            if lingering is not None:
                await self.payment.void(lingering.authorization_id)
            return await self._fail(order, S.PENDING, FailureReason.PAYMENT_UNAVAILABLE)
        crash_point("orders.after_payment_authorized")  # authorized, not yet recorded
        # Recording the authorization and reserving the stock (a local step) share one
        # transaction: one write instead of two, and no external call sits between them.
        if order.status is not S.PENDING:
            return None
        order.record_payment_authorized(auth.authorization_id, self.clock.now())
        saved = await self._commit(order, self._reserve_in)
        crash_point("orders.after_stock_reserved")
        return saved

    async def _reserve(self, order: Order) -> Order | None:
        if order.status is not S.PAYMENT_AUTHORIZED:
            return None
        saved = await self._commit(order, self._reserve_in)
        crash_point("orders.after_stock_reserved")
        return saved

    async def _reserve_in(self, tx: TxLike, order: Order) -> None:
        q = order.quote
        try:
            res = await StockStore(tx.session).reserve(
                owner_id=order.order_id,
                warehouse=q.warehouse,
                style=q.style,
                quantity=q.quantity,
                now=self.clock.now(),
            )
        except InsufficientStock as exc:
            order.fail(FailureReason.OUT_OF_STOCK, self.clock.now(), exc.message)
        else:
            order.record_stock_reserved(res.reservation_id, self.clock.now())

    async def _ship(self, order: Order) -> Order | None:
        q = order.quote
        request = ShipmentRequest(
            order_id=order.order_id,
            from_warehouse=q.warehouse,
            to_region=q.region,
            customs=q.customs,
            idempotency_key=step_key(order.order_id, Step.CREATE_SHIPMENT),
        )
        try:
            shipment = await self.carrier.create_shipment(request)
        except CarrierRefused as exc:
            return await self._fail(
                order, S.STOCK_RESERVED, FailureReason.CARRIER_REFUSED, exc.message
            )
        crash_point("orders.after_shipment_created")  # booked, not yet recorded

        def record_and_confirm(o: Order) -> None:
            now = self.clock.now()
            o.record_shipment_created(
                shipment.shipment_id, shipment.tracking_number, shipment.carrier, now
            )
            o.confirm(now)  # nothing external left to do before confirming

        return await self._record(order, S.STOCK_RESERVED, record_and_confirm)

    # -- compensations ---------------------------------------------------------------------
    async def _compensate(self, order: Order, comp: Compensation) -> Order | None:
        if comp is Compensation.VOID_AUTHORIZATION and order.authorization_id:
            await self.payment.void(order.authorization_id)
        elif comp is Compensation.CANCEL_SHIPMENT and order.shipment_id:
            await self.carrier.cancel(order.shipment_id)
        if not order.record_compensated(comp, self.clock.now()):
            return order
        reservation = order.reservation_id

        async def release(tx: TxLike, _order: Order) -> None:
            if comp is Compensation.RELEASE_STOCK and reservation:
                await StockStore(tx.session).release(reservation, self.clock.now())

        saved = await self._commit(order, release)
        log.info("saga.compensated", order_id=order.order_id, compensation=str(comp))
        return saved

    async def _release_strays(self, order: Order) -> None:
        """Undo provider effects that happened but were never recorded.

        A step whose provider call succeeded while the order was being cancelled (or while the
        process died and the order was cancelled before the resume) is not in the order's
        steps, so no compensation is owed for it. The idempotency key finds it; void and cancel
        are no-ops when there is nothing to undo.
        """
        if Step.AUTHORIZE_PAYMENT not in order.steps:
            auth = await self.payment.find(step_key(order.order_id, Step.AUTHORIZE_PAYMENT))
            if auth is not None and auth.status is AuthorizationStatus.AUTHORIZED:
                await self.payment.void(auth.authorization_id)
                log.info("saga.stray_released", order_id=order.order_id, step="authorize_payment")
        if Step.CREATE_SHIPMENT not in order.steps:
            shipment = await self.carrier.find(step_key(order.order_id, Step.CREATE_SHIPMENT))
            if shipment is not None:
                try:
                    await self.carrier.cancel(shipment.shipment_id)
                except ShipmentNotCancellable:
                    # Booked after the cancel looked, then the process died until the label
                    # counted as gone. Retrying can never succeed, and nothing of ours rides on
                    # it (the stock is released, the hold voided, no pick was ever announced).
                    log.error(
                        "saga.stray_not_cancellable",
                        order_id=order.order_id,
                        shipment_id=shipment.shipment_id,
                    )
                    return
                log.info("saga.stray_released", order_id=order.order_id, step="create_shipment")

    # -- after confirmation: tracking --------------------------------------------------------
    async def track(self, order_id: str) -> Order:
        """Apply the carrier's tracking: in transit -> shipped (capture), delivered."""
        with order_log_scope():
            return await self._track(order_id)

    async def _track(self, order_id: str) -> Order:
        order = await self._load(order_id)
        if order.status not in (S.CONFIRMED, S.SHIPPED) or not order.shipment_id:
            return order
        seen = {u.status for u in await self.carrier.tracking(order.shipment_id)}
        if order.status is S.CONFIRMED and TrackingStatus.CANCELLED in seen:
            return await self._finish_cancel(order)
        if order.status is S.CONFIRMED and seen & {
            TrackingStatus.IN_TRANSIT,
            TrackingStatus.DELIVERED,
        }:
            assert order.authorization_id is not None
            capture_id = await self.payment.capture(order.authorization_id)
            order = await self._shipped(order, capture_id) or await self._load(order_id)
        if order.status is S.SHIPPED and TrackingStatus.DELIVERED in seen:
            delivered = await self._record(
                order, S.SHIPPED, lambda o: o.record_delivered(self.clock.now())
            )
            order = delivered or await self._load(order_id)
        return order

    async def _finish_cancel(self, order: Order) -> Order:
        """A live order's shipment is cancelled only by a cancel request, which cancels it at the
        carrier before recording the cancel: that record was lost (crash) or is still on its
        way (the request then sees the order cancelled and answers success). Finish it."""
        log.warning("saga.cancel_finished", order_id=order.order_id)
        await self._record(order, S.CONFIRMED, lambda o: o.cancel(self.clock.now(), by="system"))
        return await self.advance(order.order_id)

    async def _shipped(self, order: Order, capture_id: str) -> Order | None:
        reservation = order.reservation_id

        async def ship_units(tx: TxLike, _order: Order) -> None:
            if reservation:  # the units leave the warehouse for good
                await StockStore(tx.session).commit(reservation, self.clock.now())

        return await self._record(
            order,
            S.CONFIRMED,
            lambda o: o.record_shipped(capture_id, self.clock.now()),
            ship_units,
        )

    # -- plumbing ------------------------------------------------------------------------
    async def _load(self, order_id: str) -> Order:
        async with reading(self.uow) as tx:
            order = await OrderRepository(tx.session).get(order_id)
        bind_cause(order)
        return order

    async def _record(
        self,
        order: Order,
        expected: OrderStatus,
        change: Callable[[Order], None],
        work: Work | None = None,
    ) -> Order | None:
        if order.status is not expected:
            return None
        change(order)
        return await self._commit(order, work)

    async def _commit(self, order: Order, work: Work | None = None) -> Order | None:
        """Save the changed order (and `work`'s rows) in one transaction, optimistically.

        No re-read: the save only succeeds if the order's version is still the one loaded, so a
        concurrent change (a cancel, another runner) rolls everything back, and the caller
        reloads (None).
        """
        try:
            async with self.uow() as tx:
                if work is not None:
                    await work(tx, order)
                await self._save(tx, OrderRepository(tx.session), order)
        except ConcurrentUpdate:
            log.info("saga.concurrent_update", order_id=order.order_id)
            return None
        return order

    async def _fail(
        self, order: Order, expected: OrderStatus, reason: FailureReason, detail: str | None = None
    ) -> Order | None:
        log.info("saga.failed", order_id=order.order_id, reason=str(reason))
        return await self._record(
            order, expected, lambda o: o.fail(reason, self.clock.now(), detail)
        )

    async def _save(self, tx, repo: OrderRepository, order: Order) -> None:  # type: ignore[no-untyped-def]
        await repo.save(order)
        for event in order.pull_events():
            tx.publish(self.to_wire(event))
