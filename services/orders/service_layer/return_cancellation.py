"""Cancelling a return: the customer keeps the goods after all, before the carrier has them.

The labels are cancelled at the carrier first (it refuses once the parcel is on its way, so a
cancel can never race a parcel that is travelling); then, for an exchange, a difference already
charged goes back and the new item's reservation is released, with the cancel recorded in the
same write. A crash after the carrier cancel is finished by the return worker, which sees the
cancelled labels and calls `finish` (every provider call is keyed, so it runs twice safely).
"""

from __future__ import annotations

from services.orders.domain.errors import ConcurrentUpdate, ShipmentNotCancellable
from services.orders.domain.order_returns import Return, ReturnNotFound
from services.orders.domain.ports import CarrierProvider, PaymentProvider
from services.orders.domain.returns import ReturnTrigger, next_status
from services.orders.service_layer.unit_of_work import UnitOfWork
from shared.actor import Actor
from shared.clock import Clock
from shared.errors import Conflict


class ReturnParcelOnItsWay(Conflict):
    code = "return_parcel_on_its_way"


class ReturnCancellation:
    def __init__(
        self, uow: UnitOfWork, carrier: CarrierProvider, payment: PaymentProvider, clock: Clock
    ) -> None:
        self.uow = uow
        self.carrier = carrier
        self.payment = payment
        self.clock = clock

    async def cancel_return(self, actor: Actor, return_id: str) -> Return:
        async with self.uow.read() as rx:
            ret = await rx.returns.get(return_id)
        if not actor.may_see(ret.customer_id):
            raise ReturnNotFound("no such return", details={"return_id": return_id})
        _target, changed = _cancel_allowed(ret)
        if not changed:
            return ret
        for label in ret.labels:
            try:
                await self.carrier.cancel(label.shipment_id)
            except ShipmentNotCancellable as exc:
                raise ReturnParcelOnItsWay(
                    "the carrier has the parcel: the return can no longer be cancelled",
                    details={"return_id": return_id},
                ) from exc
        return await self.finish(ret, by=actor.type)

    async def finish(self, ret: Return, by: str = "system") -> Return:
        """Record the cancel (labels already cancelled at the carrier), undoing an exchange."""
        x = ret.exchange
        if x is not None and x.charge_authorization_id is not None:
            key = f"{ret.return_id}:exchange_cancelled"
            amount = x.terms.difference.amount
            await self.payment.refund_part(x.charge_authorization_id, amount, key)
        now = self.clock.now()
        if not ret.apply(ReturnTrigger.CUSTOMER_CANCELLED, now, by=by):
            return ret
        try:
            async with self.uow() as work:
                if x is not None:
                    await work.stock.release(x.reservation_id, now)
                await work.returns.save(ret)
                for event in ret.pull_events():
                    work.publish(event)
        except ConcurrentUpdate:
            async with self.uow.read() as rx:
                return await rx.returns.get(ret.return_id)
        return ret


def _cancel_allowed(ret: Return) -> tuple[object, bool]:
    """Raise return_invalid_transition (nothing touched) unless a cancel may apply now."""
    return next_status(ret.status, ReturnTrigger.CUSTOMER_CANCELLED)
