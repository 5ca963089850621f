"""Domain events of the orders service; `subject` is the NATS subject they are published on.

Events carry ids and business facts only (no names, emails, phone numbers or addresses).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.orders.domain.money import Money

QUOTE_CREATED = "orders.quote.created"
ORDER_PLACED = "orders.order.placed"
ORDER_PAYMENT_AUTHORIZED = "orders.order.payment_authorized"
ORDER_STOCK_RESERVED = "orders.order.stock_reserved"
ORDER_SHIPMENT_CREATED = "orders.order.shipment_created"
ORDER_CONFIRMED = "orders.order.confirmed"
ORDER_SHIPPED = "orders.order.shipped"
ORDER_DELIVERED = "orders.order.delivered"
ORDER_FAILED = "orders.order.failed"
ORDER_CANCELLED = "orders.order.cancelled"
ORDER_REFUNDED = "orders.order.refunded"
LISTING_CHANGED = "orders.listing.changed"
STOCK_REPLENISHED = "orders.stock.replenished"
WAITLIST_AVAILABLE = "orders.waitlist.available"

ORDER_SUBJECTS = (
    ORDER_PLACED,
    ORDER_PAYMENT_AUTHORIZED,
    ORDER_STOCK_RESERVED,
    ORDER_SHIPMENT_CREATED,
    ORDER_CONFIRMED,
    ORDER_SHIPPED,
    ORDER_DELIVERED,
    ORDER_FAILED,
    ORDER_CANCELLED,
    ORDER_REFUNDED,
)


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """A fact that happened to one entity (`entity_id` is the order, quote or style id)."""

    subject: str
    entity_id: str
    occurred_at: datetime
    data: dict[str, Any] = field(default_factory=dict)


def listing_changed(style: str, region: str, price: Money | None, at: datetime) -> DomainEvent:
    """A style became (or stopped being) listed in a region."""
    data = {
        "style": style,
        "region": region,
        "listed": price is not None,
        "price": None if price is None else str(price.amount),
        "currency": None if price is None else price.currency,
    }
    return DomainEvent(LISTING_CHANGED, style, at, data)


def waitlist_available(
    entry_id: str,
    customer_id: str,
    style: str,
    item_name: str,
    region: str,
    reason: str,
    price: Money | None,
    at: datetime,
) -> DomainEvent:
    """One waitlisted customer can now order the style in their region."""
    data = {
        "entry_id": entry_id,
        "customer_id": customer_id,
        "style": style,
        "item_name": item_name,
        "region": region,
        "reason": reason,
        "price": None if price is None else str(price.amount),
        "currency": None if price is None else price.currency,
    }
    return DomainEvent(WAITLIST_AVAILABLE, entry_id, at, data)


def stock_replenished(
    style: str, warehouse: str, region: str, available: int, at: datetime
) -> DomainEvent:
    data = {"style": style, "warehouse": warehouse, "region": region, "available": available}
    return DomainEvent(STOCK_REPLENISHED, style, at, data)
