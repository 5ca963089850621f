"""An exchange's new item goes out once the returned parcel is in (docs/returns.md).

It was quoted as a cart quote and reserved when the exchange started. Once the returned parcel
is received (scanned in by the carrier, or received at the warehouse), or when the customer
keeps the new item at its full price at the deadline, its parcel is booked with the carrier
under the key `<return_id>:create_shipment:<warehouse>`: a repeat after a crash between the
booking and its record finds the same parcel, so nothing is shipped twice.
"""

from __future__ import annotations

import structlog

from services.orders.domain.errors import CarrierRefused
from services.orders.domain.order_returns import Return
from services.orders.domain.order_shipments import cart_parcel_plans
from services.orders.domain.ports import CarrierProvider, Shipment, ShipmentRequest
from services.orders.domain.shipments import CartQuote
from services.orders.service_layer.unit_of_work import UnitOfWork

log = structlog.get_logger()


class ExchangeShipping:
    def __init__(self, uow: UnitOfWork, carrier: CarrierProvider) -> None:
        self.uow = uow
        self.carrier = carrier

    def owed(self, ret: Return) -> bool:
        """An exchange whose new item has not been booked and was not cancelled."""
        x = ret.exchange
        return x is not None and x.shipment is None and x.outcome != "cancel"

    async def book(self, ret: Return) -> Shipment | None:
        """Book the new item's parcel (idempotent by its key); None if the carrier refuses."""
        x = ret.exchange
        assert x is not None
        async with self.uow.read() as rx:
            quote = await rx.quotes.get(x.terms.replacement_quote_id)
        assert isinstance(quote, CartQuote), "an exchange's new item is a cart quote"
        [plan] = [p for p in cart_parcel_plans(ret.return_id, quote) if p.warehouse == x.warehouse]
        request = ShipmentRequest(
            order_id=ret.order_id,
            from_warehouse=plan.warehouse,
            to_region=ret.region,
            customs=plan.customs[0],
            idempotency_key=plan.idempotency_key,
            more_customs=plan.customs[1:],
        )
        try:
            return await self.carrier.create_shipment(request)
        except CarrierRefused as exc:  # left for an agent: the refund step still runs
            log.warning("return.exchange_shipment_refused", return_id=ret.return_id,
                        reason=exc.message)  # fmt: skip
            return None
