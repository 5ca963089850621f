"""Domain events of the orders service: one frozen dataclass per fact.

Events carry ids, codes and business facts only (no names, emails, phone numbers or addresses,
no payment token). Which contract model and subject each one is published as is decided in
adapters/wire.py, so the domain never repeats a subject string.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from services.orders.domain.money import Money
from services.orders.domain.return_events import ReturnEvent

if TYPE_CHECKING:
    from services.orders.domain.quotes import CustomsDeclaration
    from services.orders.domain.saga import Compensation, FailureReason, OrderStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class QuoteCreated:
    quote_id: str
    customer_id: str | None
    agent_id: str | None
    region: str
    style: str
    quantity: int
    offer_kind: str
    warehouse: str
    total: Money
    fx_rate: str | None
    fx_as_of: date | None
    expires_at: datetime
    occurred_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ShipmentSummary:
    """One shipment of a cart quote as figures: where it leaves from, how it is taxed, and what
    each part costs (the customer's currency)."""

    warehouse: str
    source_region: str
    treatment: str  # local, low_value_vat, ddp_import, untaxed_import
    lines: tuple[tuple[str, int], ...]  # (style, quantity), in cart order
    goods: Money
    shipping: Money
    duty: Money
    vat: Money
    total: Money


@dataclass(frozen=True, slots=True, kw_only=True)
class CartQuoteCreated:
    """A quote for a cart of several lines was issued (one or more shipments)."""

    quote_id: str
    customer_id: str | None
    agent_id: str | None
    region: str
    total: Money
    fx_rate: str | None
    fx_as_of: date | None
    shipments: tuple[ShipmentSummary, ...]
    expires_at: datetime
    occurred_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderFacts:
    """What every order event says about the order (the accepted quote's facts)."""

    order_id: str
    status: OrderStatus  # after the event
    quote_id: str
    customer_id: str
    agent_id: str | None
    region: str
    style: str
    quantity: int
    offer_kind: str
    warehouse: str
    total: Money


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderEvent:
    """Base of the order's events: the order's facts and when it happened."""

    order: OrderFacts
    occurred_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderItem:
    style: str
    name: str
    quantity: int
    unit_price: Money


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderPlaced(OrderEvent):
    items: tuple[OrderItem, ...]
    ships_from_region: str
    duties_included: bool
    delivery_days_min: int
    delivery_days_max: int


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderPaymentAuthorized(OrderEvent):
    authorization_id: str
    amount: Money


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderStockReserved(OrderEvent):
    reservation_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderShipmentCreated(OrderEvent):
    shipment_id: str
    tracking_number: str
    carrier: str
    customs: CustomsDeclaration
    parcel_customs: tuple[CustomsDeclaration, ...] = ()  # a cart parcel: every customs line
    warehouse: str | None = None  # a cart parcel: where it leaves from


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderShipmentUpdated(OrderEvent):
    """One parcel of a cart order moved (in transit, delivered): each is tracked alone."""

    shipment_id: str
    warehouse: str
    status: str  # in_transit, delivered, cancelled
    tracking_number: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderConfirmed(OrderEvent):
    ships_from: str
    ships_from_region: str
    delivery_from: date
    delivery_to: date


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderShipped(OrderEvent):
    shipment_id: str | None
    carrier: str | None
    tracking_number: str | None
    delivery_to: date | None


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderDelivered(OrderEvent):
    tracking_number: str | None
    delivered_on: date


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderFailed(OrderEvent):
    reason: FailureReason
    advice_code: str
    message: str  # the customer-actionable text of the failure reason, never a person's words
    amount_released: Money | None
    compensations: tuple[Compensation, ...]
    failed_style: str | None = None  # the cart line that stopped the order, when one did


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderCancelled(OrderEvent):
    cancelled_by: str | None  # the actor type: customer, agent or system
    amount_released: Money | None
    compensations: tuple[Compensation, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderRefunded(OrderEvent):
    refund_id: str
    refund_amount: Money


@dataclass(frozen=True, slots=True, kw_only=True)
class ListingChanged:
    """A style became (or stopped being) listed in a region."""

    style: str
    region: str
    price: Money | None  # None: delisted
    occurred_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class StockReplenished:
    style: str
    warehouse: str
    region: str
    available: int
    occurred_at: datetime


WaitlistReason = Literal["listed", "back_in_stock"]


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitlistAvailable:
    """One waitlisted customer can now order the style in their region."""

    entry_id: str
    customer_id: str
    style: str
    item_name: str
    region: str
    reason: WaitlistReason
    price: Money | None
    occurred_at: datetime


# What a unit of work publishes (each concrete class is mapped to its contract in adapters/wire.py).
Event = (
    QuoteCreated
    | CartQuoteCreated
    | OrderEvent
    | ListingChanged
    | StockReplenished
    | WaitlistAvailable
    | ReturnEvent
)
