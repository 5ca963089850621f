"""What an order reserves and books: its stock lines and its parcels, one per warehouse.

A single-style order is the one-line, one-parcel case of a cart order: the saga asks the order
for `stock_lines` and `parcel_plans` and handles both alike. The order keeps each booked parcel
as an `OrderShipment`, tracked on its own; the order is delivered when all of them are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from services.orders.domain.catalogue import OfferKind
from services.orders.domain.landed_cost import LandedCost, LineKind, QuoteLine, TaxTreatment
from services.orders.domain.money import Money, money_sum
from services.orders.domain.quotes import CustomsDeclaration, Quote
from services.orders.domain.shipment_charges import ShipmentTreatment
from services.orders.domain.shipments import CartQuote, Shipment, declare_goods


class ShipmentStatus(StrEnum):
    BOOKED = "booked"  # label created, still at the warehouse
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


@dataclass
class OrderShipment:
    """One parcel of an order, tracked on its own (a single-style order has exactly one).

    `warehouse` is where it leaves from, `status` its last tracking status, `delivered_at` when
    the carrier reported it delivered (a return's 30 days run from there, per parcel).
    """

    warehouse: str
    shipment_id: str
    tracking_number: str
    carrier: str
    status: ShipmentStatus = ShipmentStatus.BOOKED
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None

    @property
    def open(self) -> bool:
        """Still owes a tracking poll (neither delivered nor cancelled)."""
        return self.status in (ShipmentStatus.BOOKED, ShipmentStatus.IN_TRANSIT)

    def advance(self, status: ShipmentStatus, now: datetime) -> bool:
        """Move forward to `status` (never back); True if it moved. A delivered or cancelled
        parcel stays so: a carrier's late "cancelled" for a parcel it delivered is ignored, or
        the delivery (and the return window it starts) would be lost."""
        if not self.open or _RANK[status] <= _RANK[self.status]:
            return False
        self.status = status
        if status in (ShipmentStatus.IN_TRANSIT, ShipmentStatus.DELIVERED):
            self.shipped_at = self.shipped_at or now
        if status is ShipmentStatus.DELIVERED:
            self.delivered_at = now
        return True


_RANK = {
    ShipmentStatus.BOOKED: 0,
    ShipmentStatus.IN_TRANSIT: 1,
    ShipmentStatus.DELIVERED: 2,
    ShipmentStatus.CANCELLED: 3,
}


@dataclass(frozen=True, slots=True)
class StockLine:
    """Units of one style to reserve at one warehouse; `purpose` keys the reservation row, so a
    retried step finds the first reservation of each line instead of taking more."""

    warehouse: str
    style: str
    quantity: int
    purpose: str


@dataclass(frozen=True, slots=True)
class ParcelPlan:
    """One parcel to book: where from, its customs lines and its carrier idempotency key."""

    warehouse: str
    customs: tuple[CustomsDeclaration, ...]
    idempotency_key: str


def cart_stock_lines(cart: CartQuote) -> list[StockLine]:
    """Every line of the cart, sorted by (warehouse, style): two carts reserving the same
    rows take their locks in the same order, so they cannot deadlock on PostgreSQL."""
    lines = [
        StockLine(s.warehouse, x.item.style, x.item.quantity, f"order:{x.item.style}")
        for s in cart.shipments
        for x in s.charges.lines
    ]
    return sorted(lines, key=lambda x: (x.warehouse, x.style))


def cart_parcel_plans(order_id: str, cart: CartQuote) -> list[ParcelPlan]:
    """One parcel per shipment, keyed per order, step and warehouse."""
    return [
        ParcelPlan(s.warehouse, _parcel_customs(s), f"{order_id}:create_shipment:{s.warehouse}")
        for s in cart.shipments
    ]


def _parcel_customs(s: Shipment) -> tuple[CustomsDeclaration, ...]:
    """A local parcel declares nothing to customs; the carrier still wants its contents, so
    its goods are described the same way (DDP is moot at home): each line's origin (where the
    style was made) and description (the catalogue's "category: name"), as on a single-style
    or cross-border parcel of the same goods. A parcel leaving UK-LON with a bag made in Italy
    declares IT, not UK, and "handbag: ..." rather than "JR01" (cross-border.md)."""
    return s.customs or declare_goods(s.charges)


_TREATMENT = {
    ShipmentTreatment.LOW_VALUE_VAT: TaxTreatment.LOW_VALUE_VAT,
    ShipmentTreatment.DDP_IMPORT: TaxTreatment.DUTY_AND_IMPORT_VAT,
    ShipmentTreatment.UNTAXED_IMPORT: TaxTreatment.NONE,
}


def headline_quote(cart: CartQuote) -> Quote:
    """The cart as one quote-shaped headline: the whole cart's totals (goods, shipping, duty,
    VAT, total), its first line's style, product name and warehouse. Order views and event
    facts that name one quote use it; the cart itself (`Order.cart`) has every shipment."""
    first = cart.shipments[0]
    first_line = first.charges.lines[0]
    units = sum(x.item.quantity for s in cart.shipments for x in s.charges.lines)
    customs = _parcel_customs(first)[0]
    return Quote(
        quote_id=cart.quote_id,
        region=cart.region,
        style=first_line.item.style,
        quantity=units,
        offer_kind=OfferKind.CROSS_REGION if first.is_cross_border else OfferKind.LOCAL,
        warehouse=first.warehouse,
        source_region=first.source_region,
        landed=_headline_landed(cart),
        delivery_days=(
            min(s.delivery_days[0] for s in cart.shipments),
            max(s.delivery_days[1] for s in cart.shipments),
        ),
        customs=CustomsDeclaration(
            customs.hs_code,
            customs.origin_country,
            customs.description,
            units,
            money_sum([s.charges.goods for s in cart.shipments], cart.currency),
        ),
        created_at=cart.created_at,
        expires_at=cart.expires_at,
        customer_id=cart.customer_id,
        agent_id=cart.agent_id,
        style_name=first_line.item.shown_name,
    )


def _headline_landed(cart: CartQuote) -> LandedCost:
    cur = cart.currency

    def total(part: str) -> Money:
        return money_sum([getattr(s.charges, part) for s in cart.shipments], cur)

    n = len(cart.shipments)
    lines = [
        QuoteLine(LineKind.GOODS, total("goods"), f"Cart: {n} shipment(s)"),
        QuoteLine(LineKind.SHIPPING, total("shipping"), f"Shipping, {n} parcel(s)"),
    ]
    for kind, part, text in (
        (LineKind.DUTY, "duty", "Import duty"),
        (LineKind.VAT, "vat", "VAT"),
        (LineKind.VAT_INCLUDED, "vat_included", "Includes VAT"),
    ):
        if not total(part).is_zero():
            lines.append(QuoteLine(kind, total(part), text))
    first = cart.shipments[0]
    treatment = _TREATMENT.get(first.treatment, TaxTreatment.NONE)
    if first.treatment is ShipmentTreatment.LOCAL and not first.charges.vat_included.is_zero():
        treatment = TaxTreatment.PRICES_INCLUDE_VAT
    return LandedCost(cur, tuple(lines), cart.total, cart.fx, treatment)


def reservation_data(held: list[tuple[StockLine, str]], *, every_line: bool) -> dict[str, Any]:
    """The reserve step's record: the first line as before, and every line for a cart."""
    x, r = held[0]
    data: dict[str, Any] = {
        "reservation_id": r,
        "warehouse": x.warehouse,
        "style": x.style,
        "quantity": x.quantity,
    }
    if every_line:
        data["reservations"] = [
            {
                "reservation_id": r,
                "warehouse": x.warehouse,
                "style": x.style,
                "quantity": x.quantity,
            }
            for x, r in held
        ]
    return data
