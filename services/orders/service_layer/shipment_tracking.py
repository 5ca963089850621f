"""After confirmation: the carrier's tracking moves the order to shipped (payment captured, the
units leave the stock for good) and delivered, or finishes a cancel the carrier has seen."""

from __future__ import annotations

import structlog

from services.orders.domain.order_shipments import ShipmentStatus
from services.orders.domain.orders import Order
from services.orders.domain.ports import CarrierProvider, PaymentProvider, TrackingStatus
from services.orders.domain.saga import OrderStatus
from services.orders.service_layer.correlation import bind_cause, order_log_scope
from services.orders.service_layer.order_saga import OrderSaga
from services.orders.service_layer.saga_records import SagaRecords, StepWork
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
        if order.status not in (S.CONFIRMED, S.SHIPPED) or not order.shipments:
            return order
        seen = await self._seen(order)
        if order.status is S.CONFIRMED and any(
            TrackingStatus.CANCELLED in x for x in seen.values()
        ):
            return await self._finish_cancel(order)
        left = [sid for sid, statuses in seen.items() if statuses & LEFT_THE_WAREHOUSE]
        if order.status is S.CONFIRMED and left:
            # The first parcel to leave captures the payment, once, for the whole order.
            assert order.authorization_id is not None
            capture_id = await self.payment.capture(order.authorization_id)
            order = await self._shipped(order, capture_id, left) or await self.records.load(
                order_id
            )
        if order.status is S.SHIPPED:
            order = await self._moved(order, seen) or await self.records.load(order_id)
        return order

    async def _seen(self, order: Order) -> dict[str, set[TrackingStatus]]:
        """Each open parcel's tracking statuses so far (one poll per parcel)."""
        return {
            p.shipment_id: {u.status for u in await self.carrier.tracking(p.shipment_id)}
            for p in order.shipments
            if p.open
        }

    async def _moved(self, order: Order, seen: dict[str, set[TrackingStatus]]) -> Order | None:
        """Record parcels that moved on (nothing saved when none did, so polls back off)."""
        in_transit = {sid for sid, x in seen.items() if x & LEFT_THE_WAREHOUSE}
        delivered = {sid for sid, x in seen.items() if TrackingStatus.DELIVERED in x}
        moved = [
            p
            for p in order.shipments
            if (p.shipment_id in delivered and p.status is not ShipmentStatus.DELIVERED)
            or (p.shipment_id in in_transit and p.status is ShipmentStatus.BOOKED)
        ]
        if not moved:
            return order
        # Only parcels leaving now commit their units: a parcel recorded in transit had them
        # committed in the same transaction that recorded it.
        leaving = {p.shipment_id for p in moved if p.status is ShipmentStatus.BOOKED}
        return await self.records.record(
            order,
            S.SHIPPED,
            lambda o: o.record_parcels_moved(self.clock.now(), in_transit, delivered),
            self._ship_units(order, leaving),
        )

    async def _finish_cancel(self, order: Order) -> Order:
        """A live order's shipment is cancelled only by a cancel request, which cancels it at the
        carrier before recording the cancel: that record was lost (crash) or is still on its
        way (the request then sees the order cancelled and answers success). Finish it."""
        log.warning("saga.cancel_finished", order_id=order.order_id)
        await self.records.record(
            order, S.CONFIRMED, lambda o: o.cancel(self.clock.now(), by="system")
        )
        return await self.saga.advance(order.order_id)

    async def _shipped(self, order: Order, capture_id: str, left: list[str]) -> Order | None:
        return await self.records.record(
            order,
            S.CONFIRMED,
            lambda o: o.record_shipped(capture_id, self.clock.now(), left),
            self._ship_units(order, set(left)),
        )

    def _ship_units(self, order: Order, left: set[str]) -> StepWork:
        """The units of the parcels that left leave the stock for good (idempotent)."""
        gone = {p.warehouse for p in order.shipments if p.shipment_id in left}
        reservations = [r for r, warehouse in order.reservations if warehouse in gone]

        async def ship_units(work: Work, _order: Order) -> None:
            for reservation in reservations:
                await work.stock.commit(reservation, self.clock.now())

        return ship_units
