"""Read-only views of an order's recorded steps, and what its saga must reserve and book.

A mixin of `Order` (domain/orders.py), kept apart so the aggregate's module stays about
decisions. The annotations name the `Order` fields these views read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from services.orders.domain.order_shipments import (
    OrderShipment,
    ParcelPlan,
    StockLine,
    cart_parcel_plans,
    cart_stock_lines,
)
from services.orders.domain.saga import COMPENSATION_OF, Compensation, Step, step_key

if TYPE_CHECKING:
    from services.orders.domain.order_state import StepRecord
    from services.orders.domain.quotes import Quote
    from services.orders.domain.shipments import CartQuote


class OrderViews:
    order_id: str
    quote: Quote
    cart: CartQuote | None
    steps: dict[Step, StepRecord]
    shipments: list[OrderShipment]

    @property
    def stock_lines(self) -> list[StockLine]:
        """What to reserve: every line of the cart, or the one style of the quote."""
        if self.cart is not None:
            return cart_stock_lines(self.cart)
        q = self.quote
        return [StockLine(q.warehouse, q.style, q.quantity, "order")]

    @property
    def parcel_plans(self) -> list[ParcelPlan]:
        """What to book: one parcel per warehouse (a single-style order keeps its old key)."""
        if self.cart is not None:
            return cart_parcel_plans(self.order_id, self.cart)
        q, key = self.quote, step_key(self.order_id, Step.CREATE_SHIPMENT)
        return [ParcelPlan(q.warehouse, (q.customs,), key)]

    def step_data(self, step: Step) -> dict[str, Any]:
        record = self.steps.get(step)
        return dict(record.data) if record else {}

    @property
    def authorization_id(self) -> str | None:
        return self.step_data(Step.AUTHORIZE_PAYMENT).get("authorization_id")

    @property
    def reservation_id(self) -> str | None:
        return self.step_data(Step.RESERVE_STOCK).get("reservation_id")

    @property
    def reservations(self) -> list[tuple[str, str]]:
        """(reservation id, warehouse) of every line held (one for a single-style order)."""
        data = self.step_data(Step.RESERVE_STOCK)
        rows = data.get("reservations") or ([data] if data.get("reservation_id") else [])
        return [(r["reservation_id"], r["warehouse"]) for r in rows]

    @property
    def shipment_id(self) -> str | None:
        return self.step_data(Step.CREATE_SHIPMENT).get("shipment_id")

    @property
    def tracking_number(self) -> str | None:
        return self.step_data(Step.CREATE_SHIPMENT).get("tracking_number")

    def all_compensations(self) -> list[Compensation]:
        """Every compensation this order needs, done or not, in the order they must run."""
        # Steps always complete in the saga's fixed order, so reverse enum order is reverse
        # completion order (robust to equal timestamps and to rows reloaded in any order).
        done = [s for s in reversed(list(Step)) if s in self.steps]
        return [COMPENSATION_OF[s] for s in done if s in COMPENSATION_OF]
