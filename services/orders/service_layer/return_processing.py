"""After the request: the carrier's tracking moves a return (picked up, scanned in), the refund
is issued once the parcel is in, and an overdue parcel expires the return.

The refund step: the payment provider is called with the idempotency key `<return_id>:refund`
and the amount by the rule, then the refund id is recorded and the return becomes `refunded`.
A crash between the call and the record is safe: the next run calls again with the same key,
the provider answers with the first refund and pays nothing more, and the record follows. A
second run on a refunded return changes nothing (the state table's repeat). Saves are
optimistic, so two workers racing on one return cannot both record.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import structlog

from services.orders.domain.errors import ConcurrentUpdate
from services.orders.domain.order_returns import Return
from services.orders.domain.orders import Order
from services.orders.domain.ports import CarrierProvider, PaymentProvider, TrackingStatus
from services.orders.domain.returns import ReturnStatus, ReturnTrigger
from services.orders.service_layer.exchange_shipping import ExchangeShipping
from services.orders.service_layer.return_cancellation import ReturnCancellation
from services.orders.service_layer.return_exchanges import Exchanges
from services.orders.service_layer.unit_of_work import UnitOfWork, Work
from shared.actor import Actor
from shared.clock import Clock
from shared.errors import Forbidden
from shared.runtime.faults import crash_point

log = structlog.get_logger()
S, T = ReturnStatus, ReturnTrigger
MOVED = {TrackingStatus.IN_TRANSIT, TrackingStatus.DELIVERED}
WithWork = Callable[[Work, Return], Awaitable[None]]


class ReturnProcessing:
    def __init__(
        self,
        uow: UnitOfWork,
        payment: PaymentProvider,
        carrier: CarrierProvider,
        exchanges: Exchanges,
        clock: Clock,
        cancellation: ReturnCancellation,
    ) -> None:
        self.cancellation = cancellation
        self.uow = uow
        self.payment = payment
        self.carrier = carrier
        self.exchanges = exchanges
        self.clock = clock
        self.shipping = ExchangeShipping(uow, carrier)

    async def due(self) -> list[str]:
        async with self.uow.read() as rx:
            return await rx.returns.due(self.clock.now())

    async def defer(self, return_id: str, seconds: float) -> None:
        async with self.uow() as work:
            await work.returns.defer(return_id, self.clock.now() + timedelta(seconds=seconds))

    async def advance(self, return_id: str) -> Return:
        """Take every step the return is ready for (safe to run any number of times)."""
        ret, order = await self._load(return_id)
        if ret.status in (S.AWAITING_PARCEL, S.IN_TRANSIT):
            ret = await self._track(ret, order)
        if ret.status is S.RECEIVED:
            ret = await self.refund(ret, order)
        return ret

    async def receive_at_warehouse(self, actor: Actor, return_id: str) -> Return:
        """Staff: the parcel arrived at the warehouse (before or without the carrier's scan,
        whichever comes first counts), then the refund step at once."""
        if actor.type not in ("agent", "system"):
            raise Forbidden("only staff receive return parcels", code="return_staff_only")
        ret, order = await self._load(return_id)
        now = self.clock.now()
        ret = await self._record(ret, lambda r: r.apply(T.WAREHOUSE_RECEIVED, now))
        if ret.status is S.RECEIVED:
            ret = await self.refund(ret, order)
        return ret

    async def _load(self, return_id: str) -> tuple[Return, Order]:
        async with self.uow.read() as rx:
            ret = await rx.returns.get(return_id)
            order = await rx.orders.get(ret.order_id)
        return ret, order

    async def _track(self, ret: Return, order: Order) -> Return:
        seen = [
            {u.status for u in await self.carrier.tracking(label.shipment_id)}
            for label in ret.labels
        ]
        now = self.clock.now()
        if ret.status is S.AWAITING_PARCEL and any(TrackingStatus.CANCELLED in s for s in seen):
            return await self.cancellation.finish(ret)  # cancelled at the carrier, not recorded
        if seen and all(TrackingStatus.DELIVERED in s for s in seen):
            return await self._record(ret, lambda r: r.apply(T.PARCEL_SCANNED_IN, now))
        if ret.status is S.AWAITING_PARCEL and any(s & MOVED for s in seen):
            return await self._record(ret, lambda r: r.apply(T.PARCEL_PICKED_UP, now))
        if now > ret.parcel_deadline:
            return await self._expire(ret, order)
        return ret

    async def refund(self, ret: Return, order: Order) -> Return:
        """Money back on the original payment, once; the record follows the provider's answer.
        An exchange's new item is booked first (the parcel is in: it may go out)."""
        ret = await self.ship_exchange(ret, commit_units=True)
        amount = ret.refund_owed
        refund_id = None
        if not amount.is_zero():
            assert order.authorization_id is not None  # a delivered order was captured
            key = f"{ret.return_id}:refund"
            refund_id = await self.payment.refund_part(order.authorization_id, amount, key)
        crash_point("orders.after_return_refunded")  # paid, not yet recorded
        now = self.clock.now()
        log.info("return.refunded", return_id=ret.return_id, refund_id=refund_id)
        return await self._record(ret, lambda r: r.record_refund(refund_id, now))

    async def _expire(self, ret: Return, order: Order) -> Return:
        """The parcel never came: an exchange is settled as the customer chose."""
        now = self.clock.now()
        if ret.exchange is None:
            return await self._record(ret, lambda r: r.expire(now, None, None))
        settled = await self.exchanges.settle(ret, order)
        reservation = ret.exchange.reservation_id

        async def stock(work: Work, _ret: Return) -> None:
            if settled.cancel_replacement:
                await work.stock.release(reservation, now)
            else:  # the customer keeps the new item at its full price: its units are theirs
                await work.stock.commit(reservation, now)

        ret = await self._record(
            ret, lambda r: r.expire(now, settled.charged, settled.refunded), stock
        )
        return await self.ship_exchange(ret, commit_units=False)  # kept at its full price

    async def ship_exchange(self, ret: Return, *, commit_units: bool) -> Return:
        """Book the new item's parcel once and record it; its units leave the warehouse
        (committed) with the record, unless the deadline committed them already."""
        if not self.shipping.owed(ret):
            return ret
        booked = await self.shipping.book(ret)
        if booked is None:
            return ret
        crash_point("orders.after_exchange_shipped")  # booked, not yet recorded
        x, now = ret.exchange, self.clock.now()
        assert x is not None

        async def units_out(work: Work, _ret: Return) -> None:
            if commit_units:
                await work.stock.commit(x.reservation_id, now)

        log.info("return.exchange_shipped", return_id=ret.return_id, shipment=booked.shipment_id)
        shipment = (booked.shipment_id, booked.tracking_number, booked.carrier)
        return await self._record(
            ret,
            lambda r: r.exchange is not None and r.exchange.record_shipment(*shipment),
            units_out,
        )

    async def _record(
        self, ret: Return, change: Callable[[Return], bool], work: WithWork | None = None
    ) -> Return:
        """Apply `change` and save it with its events (and `work`), optimistically; on a
        concurrent save the return is read again as it now is."""
        if not change(ret):
            return ret
        try:
            async with self.uow() as tx:
                if work is not None:
                    await work(tx, ret)
                await tx.returns.save(ret)
                for event in ret.pull_events():
                    tx.publish(event)
        except ConcurrentUpdate:
            log.info("return.concurrent_update", return_id=ret.return_id)
            ret, _order = await self._load(ret.return_id)
        return ret
