"""After confirmation: the carrier's tracking moves the order to shipped (payment captured, the
units leave the stock for good) and delivered, or finishes a cancel the carrier has seen."""

from __future__ import annotations

import structlog

from services.orders.domain.orders import Order
from services.orders.domain.ports import CarrierProvider, PaymentProvider, TrackingStatus
from services.orders.domain.saga import OrderStatus
from services.orders.service_layer.correlation import bind_cause, order_log_scope
from services.orders.service_layer.order_saga import OrderSaga
from services.orders.service_layer.saga_records import SagaRecords
from services.orders.service_layer.unit_of_work import Work
from shared.clock import Clock

log = structlog.get_logger()
S = OrderStatus
LEFT_THE_WAREHOUSE = {TrackingStatus.IN_TRANSIT, TrackingStatus.DELIVERED}


class ShipmentTracking:
    def __init__(
        self,
        records: SagaRecords,
        saga: OrderSaga,
        payment: PaymentProvider,
        carrier: CarrierProvider,
        clock: Clock,
    ) -> None:
        self.records = records
        self.saga = saga  # a cancel seen at the carrier is finished by the saga's undo
        self.payment = payment
        self.carrier = carrier
        self.clock = clock

    async def track(self, order_id: str, loaded: Order | None = None) -> Order:
        """Apply the carrier's tracking: in transit -> shipped (capture), delivered.

        `loaded`: the order as the sweep just read it (saves are version-checked, so an order
        changed since is reloaded, as after any concurrent update)."""
        with order_log_scope():
            return await self._track(order_id, loaded)

    async def _track(self, order_id: str, loaded: Order | None) -> Order:
        if loaded is not None:
            bind_cause(loaded)
        order = loaded or await self.records.load(order_id)
        if order.status not in (S.CONFIRMED, S.SHIPPED) or not order.shipment_id:
            return order
        seen = {u.status for u in await self.carrier.tracking(order.shipment_id)}
        if order.status is S.CONFIRMED and TrackingStatus.CANCELLED in seen:
            return await self._finish_cancel(order)
        if order.status is S.CONFIRMED and seen & LEFT_THE_WAREHOUSE:
            assert order.authorization_id is not None
            capture_id = await self.payment.capture(order.authorization_id)
            order = await self._shipped(order, capture_id) or await self.records.load(order_id)
        if order.status is S.SHIPPED and TrackingStatus.DELIVERED in seen:
            delivered = await self.records.record(
                order, S.SHIPPED, lambda o: o.record_delivered(self.clock.now())
            )
            order = delivered or await self.records.load(order_id)
        return order

    async def _finish_cancel(self, order: Order) -> Order:
        """A live order's shipment is cancelled only by a cancel request, which cancels it at the
        carrier before recording the cancel: that record was lost (crash) or is still on its
        way (the request then sees the order cancelled and answers success). Finish it."""
        log.warning("saga.cancel_finished", order_id=order.order_id)
        await self.records.record(
            order, S.CONFIRMED, lambda o: o.cancel(self.clock.now(), by="system")
        )
        return await self.saga.advance(order.order_id)

    async def _shipped(self, order: Order, capture_id: str) -> Order | None:
        reservation = order.reservation_id

        async def ship_units(work: Work, _order: Order) -> None:
            if reservation:  # the units leave the warehouse for good
                await work.stock.commit(reservation, self.clock.now())

        return await self.records.record(
            order,
            S.CONFIRMED,
            lambda o: o.record_shipped(capture_id, self.clock.now()),
            ship_units,
        )
