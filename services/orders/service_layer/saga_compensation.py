"""Undoing a failed or cancelled order: each completed step's compensation, newest first, and
provider effects that happened but were never recorded ("strays")."""

from __future__ import annotations

import structlog

from services.orders.domain.errors import ShipmentNotCancellable
from services.orders.domain.orders import Order
from services.orders.domain.ports import AuthorizationStatus, CarrierProvider, PaymentProvider
from services.orders.domain.saga import Compensation, Step, step_key
from services.orders.service_layer.saga_records import SagaRecords
from services.orders.service_layer.unit_of_work import Work
from shared.clock import Clock

log = structlog.get_logger()


class Compensations:
    def __init__(
        self,
        records: SagaRecords,
        payment: PaymentProvider,
        carrier: CarrierProvider,
        clock: Clock,
    ) -> None:
        self.records = records
        self.payment = payment
        self.carrier = carrier
        self.clock = clock

    async def compensate(self, order: Order, comp: Compensation) -> Order | None:
        """Run one compensation (idempotent at the provider) and record it."""
        if comp is Compensation.VOID_AUTHORIZATION and order.authorization_id:
            await self.payment.void(order.authorization_id)
        elif comp is Compensation.CANCEL_SHIPMENT:
            for shipment_id in _booked_ids(order):  # every parcel (cancel is idempotent)
                await self.carrier.cancel(shipment_id)
        if not order.record_compensated(comp, self.clock.now()):
            return order
        reservations = [r for r, _ in order.reservations]

        async def release(work: Work, _order: Order) -> None:
            if comp is Compensation.RELEASE_STOCK:
                for reservation in reservations:  # every line held
                    await work.stock.release(reservation, self.clock.now())

        saved = await self.records.commit(order, release)
        log.info("saga.compensated", order_id=order.order_id, compensation=str(comp))
        return saved

    async def close(self, order: Order) -> Order | None:
        """Release strays, then mark the saga closed (None: the order changed meanwhile)."""
        await self.release_strays(order)
        if order.strays_checked:
            return order
        # Only now is the saga closed: a crash before this line finds the order still open at
        # the next sweep, and the (idempotent) check runs again.
        order.strays_checked = True
        return await self.records.commit(order)

    async def release_strays(self, order: Order) -> None:
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
            await self._cancel_stray_shipment(order)

    async def _cancel_stray_shipment(self, order: Order) -> None:
        for plan in order.parcel_plans:  # every parcel's key: a cart may have booked some
            await self._cancel_stray(order, plan.idempotency_key)

    async def _cancel_stray(self, order: Order, key: str) -> None:
        shipment = await self.carrier.find(key)
        if shipment is None:
            return
        try:
            await self.carrier.cancel(shipment.shipment_id)
        except ShipmentNotCancellable:
            # Booked after the cancel looked, then the process died until the label counted
            # as gone. Retrying can never succeed, and nothing of ours rides on it (the stock
            # is released, the hold voided, no pick was ever announced).
            log.error(
                "saga.stray_not_cancellable",
                order_id=order.order_id,
                shipment_id=shipment.shipment_id,
            )
            return
        log.info("saga.stray_released", order_id=order.order_id, step="create_shipment")


def _booked_ids(order: Order) -> list[str]:
    """The carrier ids of every parcel the order recorded (older orders: the step's one)."""
    ids = [p.shipment_id for p in order.shipments]
    return ids or ([order.shipment_id] if order.shipment_id else [])
