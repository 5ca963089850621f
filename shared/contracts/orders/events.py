"""Events of the orders service (`orders.*`): ids and business facts, no personal data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.contracts.orders.catalogue import CustomsOut
from shared.contracts.orders.subjects import _AMOUNT_DESC, Amount
from shared.contracts.registry import event


# -- events --------------------------------------------------------------------------------
@event("orders.quote.created")
class QuoteCreated(BaseModel):
    """A landed-cost quote was issued."""

    quote_id: str = Field(description="Quote id.")
    customer_id: str | None = Field(default=None, description="Customer id.")
    agent_id: str | None = Field(default=None, description="Agent id, if an agent asked.")
    region: str = Field(description="Delivery region.")
    style: str = Field(description="Style code.")
    quantity: int = Field(description="Units.")
    offer_kind: str = Field(description="local or cross_region.")
    warehouse: str = Field(description="Fulfilling warehouse.")
    currency: str = Field(description="Currency.")
    total: Amount = Field(description=_AMOUNT_DESC, examples=["95.82"])
    fx_rate: str | None = Field(default=None, description="Locked FX rate, if converted.")
    fx_as_of: date | None = Field(default=None, description="FX snapshot date.")
    expires_at: datetime = Field(description="Quote expiry.")


class OrderItem(BaseModel):
    style: str = Field(description="Style code.")
    name: str = Field(description="Product name.")
    quantity: int = Field(description="Units.")
    unit_price: Amount = Field(description=_AMOUNT_DESC, examples=["95.82"])


class OrderFacts(BaseModel):
    """Facts every order event carries."""

    order_id: str = Field(description="Order id.")
    status: str = Field(description="Order status after this event.")
    quote_id: str = Field(description="Accepted quote.")
    customer_id: str = Field(description="Customer id.")
    agent_id: str | None = Field(default=None, description="Agent who placed it, if any.")
    region: str = Field(description="Delivery region.")
    style: str = Field(description="Style code.")
    quantity: int = Field(description="Units.")
    offer_kind: str = Field(description="local or cross_region.")
    warehouse: str = Field(description="Fulfilling warehouse.")
    currency: str = Field(description="Currency of amounts.")
    total: Amount = Field(description=_AMOUNT_DESC, examples=["95.82"])


@event("orders.order.placed", partner_visible=True)
class OrderPlaced(OrderFacts):
    """An order was placed (pending: payment not yet authorized)."""

    items: list[OrderItem] = Field(description="Lines ordered.")
    ships_from_region: str = Field(description="Region it ships from.")
    duties_included: bool = Field(description="Import VAT/duty collected at checkout (DDP).")
    delivery_days_min: int = Field(description="Delivery estimate, days.")
    delivery_days_max: int = Field(description="Delivery estimate, days.")


@event("orders.order.payment_authorized", partner_visible=True)
class OrderPaymentAuthorized(OrderFacts):
    """The customer's card was authorized for the total."""

    authorization_id: str = Field(description="Payment provider's authorization id.")
    amount: Amount = Field(description=_AMOUNT_DESC, examples=["95.82"])


@event("orders.order.stock_reserved", partner_visible=True)
class OrderStockReserved(OrderFacts):
    """Units were reserved at the fulfilling warehouse."""

    reservation_id: str = Field(description="Reservation id.")


@event("orders.order.shipment_created", partner_visible=True)
class OrderShipmentCreated(OrderFacts):
    """The shipment was booked with its customs data."""

    shipment_id: str = Field(description="Carrier's shipment id.")
    tracking_number: str = Field(description="Tracking number.")
    carrier: str = Field(description="Carrier.")
    customs: CustomsOut = Field(
        description="Customs declaration (DDP; a cart parcel's first line)."
    )
    parcel_warehouse: str | None = Field(
        default=None, description="A cart order's parcel: the warehouse it leaves from."
    )
    customs_lines: list[CustomsOut] | None = Field(
        default=None, description="A cart order's parcel: every line declared, one per style."
    )


@event("orders.order.shipment_updated", partner_visible=True)
class OrderShipmentUpdated(OrderFacts):
    """One parcel of a cart order moved on; each parcel is tracked on its own and the order is
    delivered when every parcel is."""

    shipment_id: str = Field(description="Carrier's shipment id.")
    parcel_warehouse: str = Field(description="Warehouse the parcel left from.")
    shipment_status: str = Field(description="in_transit, delivered or cancelled.")
    tracking_number: str = Field(description="Tracking number.")


@event("orders.order.confirmed", partner_visible=True)
class OrderConfirmed(OrderFacts):
    """Paid (authorized), reserved and booked: the order will ship."""

    ships_from: str = Field(description="Warehouse it ships from.")
    ships_from_region: str = Field(description="Region it ships from.")
    delivery_from: date = Field(description="Earliest expected delivery.")
    delivery_to: date = Field(description="Latest expected delivery.")


@event("orders.order.shipped", partner_visible=True)
class OrderShipped(OrderFacts):
    """The parcel is with the carrier; payment was captured."""

    shipment_id: str | None = Field(default=None, description="Carrier's shipment id.")
    carrier: str | None = Field(default=None, description="Carrier.")
    tracking_number: str | None = Field(default=None, description="Tracking number.")
    delivery_to: date | None = Field(default=None, description="Latest expected delivery.")


@event("orders.order.delivered", partner_visible=True)
class OrderDelivered(OrderFacts):
    """The carrier reported delivery."""

    tracking_number: str | None = Field(default=None, description="Tracking number.")
    delivered_on: date = Field(description="Delivery date.")


@event("orders.order.failed", partner_visible=True)
class OrderFailed(OrderFacts):
    """The order could not complete; completed steps are being undone."""

    reason_code: str = Field(
        description="payment_declined, payment_unavailable, out_of_stock, "
        "quote_expired, carrier_refused."
    )
    advice_code: str = Field(
        description="What the customer can do: use_another_card, try_again_later, join_waitlist, "
        "request_new_quote, contact_support."
    )
    message: str = Field(description="Customer-facing explanation and next step.")
    amount_released: Amount | None = Field(default=None, description="Card hold released.")
    compensations: list[str] = Field(description="Undo steps owed, in order.")
    failed_style: str | None = Field(
        default=None, description="The cart line (style) that stopped the order, if one did."
    )


@event("orders.order.cancelled", partner_visible=True)
class OrderCancelled(OrderFacts):
    """The order was cancelled before shipping; completed steps are being undone."""

    cancelled_by: str | None = Field(default=None, description="customer, agent or system.")
    amount_released: Amount | None = Field(default=None, description="Card hold released.")
    compensations: list[str] = Field(description="Undo steps owed, in order.")


@event("orders.order.refunded", partner_visible=True)
class OrderRefunded(OrderFacts):
    """Captured money was refunded."""

    refund_id: str = Field(description="Refund id.")
    refund_amount: Amount = Field(description=_AMOUNT_DESC, examples=["95.82"])


@event("orders.listing.changed", partner_visible=True)
class ListingChanged(BaseModel):
    """A style was listed (or delisted) in a region."""

    style: str = Field(description="Style code.")
    region: str = Field(description="Region.")
    listed: bool = Field(description="True when now listed.")
    price: Amount | None = Field(default=None, description="New price, when listed.")
    currency: str | None = Field(default=None, description="Currency of the price.")


@event("orders.stock.replenished")
class StockReplenished(BaseModel):
    """A style came back in stock at a warehouse."""

    style: str = Field(description="Style code.")
    warehouse: str = Field(description="Warehouse.")
    region: str = Field(description="Warehouse's region.")
    available: int = Field(description="Units available now.")


@event("orders.waitlist.available")
class WaitlistAvailable(BaseModel):
    """A style a customer waitlisted can now be ordered in their region."""

    entry_id: str = Field(description="Waitlist entry id.")
    customer_id: str = Field(description="Customer id.")
    style: str = Field(description="Style code.")
    item_name: str = Field(description="Product name.")
    region: str = Field(description="Region.")
    reason: Literal["listed", "back_in_stock"] = Field(description="Why it is available now.")
    price: Amount | None = Field(default=None, description="Unit price (landed) in the region.")
    currency: str | None = Field(default=None, description="Currency of the price.")
