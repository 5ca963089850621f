"""The order saga's forward steps: authorize payment, reserve stock, book the shipment, confirm.

Pattern per step: read the order; call the provider with an idempotency key derived from the
order and the step (so a repeat after a crash returns the first result); then, in one unit of
work, record the outcome and queue its events. Stock is local, so reserving and recording
happen in the same transaction. A failed or cancelled order is handed to the compensations.
"""

from __future__ import annotations

import asyncio

import structlog

from services.orders.domain.errors import (
    CarrierRefused,
    InsufficientStock,
    PaymentDeclined,
    PaymentTimeout,
)
from services.orders.domain.order_shipments import OrderShipment, StockLine
from services.orders.domain.orders import Order
from services.orders.domain.ports import CarrierProvider, PaymentProvider, ShipmentRequest
from services.orders.domain.saga import FailureReason, OrderStatus, Step, step_key
from services.orders.service_layer.correlation import bind_cause, order_log_scope
from services.orders.service_layer.saga_compensation import Compensations
from services.orders.service_layer.saga_records import SagaRecords
from services.orders.service_layer.unit_of_work import Work
from shared.clock import Clock
from shared.runtime.faults import crash_point

log = structlog.get_logger()
S = OrderStatus


class OrderSaga:
    def __init__(
        self,
        records: SagaRecords,
        compensations: Compensations,
        payment: PaymentProvider,
        carrier: CarrierProvider,
        clock: Clock,
        *,
        payment_attempts: int = 4,
        retry_delay: float = 0.2,
    ) -> None:
        self.records = records
        self.compensations = compensations
        self.payment = payment
        self.carrier = carrier
        self.clock = clock
        self.payment_attempts = payment_attempts
        self.retry_delay = retry_delay

    async def advance(self, order_id: str, saved: Order | None = None) -> Order:
        """Drive an order as far as it can go now (confirmed, or undone after a failure).

        `saved`: the order as its placement just committed it (not read again; a copy that
        went stale meanwhile fails its first save's version check and is reloaded)."""
        with order_log_scope():
            if saved is not None:
                bind_cause(saved)
            return await self._advance(order_id, saved)

    async def _advance(self, order_id: str, saved: Order | None) -> Order:
        order = saved
        while True:
            # Each step hands back the order it saved; reload only when it did not.
            order = order or await self.records.load(order_id)
            if order.status in (S.FAILED, S.CANCELLED):
                pending = order.pending_compensations()
                if pending:
                    order = await self.compensations.compensate(order, pending[0])
                    continue
                closed = await self.compensations.close(order)
                if closed is not None:
                    return closed
                order = None  # changed meanwhile: look again
                continue
            step = order.next_step
            if step is None:
                return order
            order = await self.step(order, step)

    async def step(self, order: Order, step: Step) -> Order | None:
        """Perform one step; the saved order, or None when it changed elsewhere meanwhile."""
        if step is Step.AUTHORIZE_PAYMENT:
            return await self._authorize(order)
        if step is Step.RESERVE_STOCK:
            return await self._reserve(order)
        if step is Step.CREATE_SHIPMENT:
            return await self._ship(order)
        return await self.records.record(
            order, S.SHIPMENT_CREATED, lambda o: o.confirm(self.clock.now())
        )

    async def _authorize(self, order: Order) -> Order | None:
        if order.quote.is_expired(self.clock.now()):
            # The locked rate has lapsed before any money moved: ask for a new quote.
            return await self.records.fail(order, S.PENDING, FailureReason.QUOTE_EXPIRED)
        key = step_key(order.order_id, Step.AUTHORIZE_PAYMENT)
        for attempt in range(1, self.payment_attempts + 1):
            try:
                auth = await self.payment.authorize(order.quote.total, order.payment_token, key)
                break
            except PaymentDeclined as exc:
                reason = FailureReason.PAYMENT_DECLINED
                return await self.records.fail(order, S.PENDING, reason, exc.message)
            except PaymentTimeout:
                log.warning("saga.payment_timeout", order_id=order.order_id, attempt=attempt)
                await asyncio.sleep(self.retry_delay * attempt)
        else:
            # A timed-out attempt may still have placed a hold: release it before failing.
            lingering = await self.payment.find(key)
            if lingering is not None:
                await self.payment.void(lingering.authorization_id)
            return await self.records.fail(order, S.PENDING, FailureReason.PAYMENT_UNAVAILABLE)
        crash_point("orders.after_payment_authorized")  # authorized, not yet recorded
        # Recording the authorization and reserving the stock (a local step) share one
        # transaction: one write instead of two, and no external call sits between them.
        if order.status is not S.PENDING:
            return None
        order.record_payment_authorized(auth.authorization_id, self.clock.now())
        saved = await self.records.commit(order, self._reserve_in)
        crash_point("orders.after_stock_reserved")
        return saved

    async def _reserve(self, order: Order) -> Order | None:
        if order.status is not S.PAYMENT_AUTHORIZED:
            return None
        saved = await self.records.commit(order, self._reserve_in)
        crash_point("orders.after_stock_reserved")
        return saved

    async def _reserve_in(self, work: Work, order: Order) -> None:
        """Hold every line in this one transaction, all or nothing: a line short of stock
        gives back the lines held before it (same transaction) and fails the order, naming
        the line."""
        now, held = self.clock.now(), list[tuple[StockLine, str]]()
        for line in order.stock_lines:
            try:
                res = await work.stock.reserve(
                    owner_id=order.order_id,
                    warehouse=line.warehouse,
                    style=line.style,
                    quantity=line.quantity,
                    now=now,
                    purpose=line.purpose,
                )
            except InsufficientStock as exc:
                for _, reservation_id in held:
                    await work.stock.release(reservation_id, now)
                style = line.style if order.cart is not None else None
                order.fail(FailureReason.OUT_OF_STOCK, now, exc.message, style)
                return
            held.append((line, res.reservation_id))
        order.record_stock_reserved(held[0][1], now, held)

    async def _ship(self, order: Order) -> Order | None:
        """Book one parcel per warehouse, each under its own key (a repeat after a crash finds
        the parcels already booked); record them all and confirm in one save."""
        booked = []
        for plan in order.parcel_plans:
            request = ShipmentRequest(
                order_id=order.order_id,
                from_warehouse=plan.warehouse,
                to_region=order.quote.region,
                customs=plan.customs[0],
                idempotency_key=plan.idempotency_key,
                more_customs=plan.customs[1:],
            )
            try:
                shipment = await self.carrier.create_shipment(request)
            except CarrierRefused as exc:
                # Parcels booked before this one are strays now: the undo cancels them.
                reason = FailureReason.CARRIER_REFUSED
                return await self.records.fail(order, S.STOCK_RESERVED, reason, exc.message)
            booked.append(
                OrderShipment(
                    plan.warehouse, shipment.shipment_id, shipment.tracking_number, shipment.carrier
                )
            )
            crash_point("orders.after_shipment_created")  # booked, not yet recorded

        def record_and_confirm(o: Order) -> None:
            now = self.clock.now()
            o.record_shipments_created(booked, now)
            o.confirm(now)  # nothing external left to do before confirming

        return await self.records.record(order, S.STOCK_RESERVED, record_and_confirm)
