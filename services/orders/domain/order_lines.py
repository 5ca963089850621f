"""What an order bought, as the return rules see it: its cart quote and its delivered lines.

The one place that knows how an order holds its lines. A cart order carries the cart quote it
was placed from (`order.cart`): a return reprices the kept lines with its very figures. A
single-style order holds one quote; it is seen as a one-shipment cart quote priced by the same
shipment rules (its unit price, shipping charge and the destination's tax terms). Each line's
30 days run from its own parcel's delivery (`order.shipments`, one per warehouse). The order's
view shows each line with the units a return may still ask for (`order_lines`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from services.orders.domain.landed_cost import LineKind
from services.orders.domain.money import Money
from services.orders.domain.orders import Order
from services.orders.domain.ports import ReturnedGoods
from services.orders.domain.quotes import Quote
from services.orders.domain.reference import ReferenceData
from services.orders.domain.returns import PurchasedLine, units_left
from services.orders.domain.saga import OrderStatus, Step
from services.orders.domain.shipment_charges import Item, TaxTerms, price_items
from services.orders.domain.shipments import CartQuote, Shipment


def cart_of(order: Order, ref: ReferenceData) -> CartQuote:
    """The order's cart quote (one shipment for a single-style order)."""
    if order.cart is not None:
        return order.cart
    q = order.quote
    return CartQuote(
        quote_id=q.quote_id,
        region=q.region,
        currency=q.currency,
        shipments=(_shipment(q, ref),),
        fx_rates=(q.fx,) if q.fx else (),
        created_at=q.created_at,
        expires_at=q.expires_at,
        customer_id=q.customer_id,
        agent_id=q.agent_id,
    )


def _shipment(q: Quote, ref: ReferenceData) -> Shipment:
    goods = q.landed.line(LineKind.GOODS)
    shipping = q.landed.line(LineKind.SHIPPING)
    assert goods is not None and goods.unit_price is not None and shipping is not None
    cu = q.customs  # what its parcel declared: the line declares the same
    item = Item(
        q.style,
        cu.hs_code,
        goods.unit_price,
        q.quantity,
        cu.origin_country,
        cu.description,
        q.style_name,
    )
    terms = TaxTerms.for_destination(ref, q.region, {q.customs.hs_code})
    cross_border = q.source_region != q.region
    include_vat = ref.region(q.region).prices_include_tax
    charges = price_items(
        [item],
        shipping=shipping.amount,
        cross_border=cross_border,
        terms=terms,
        prices_include_vat=include_vat,
    )
    return Shipment(
        warehouse=q.warehouse,
        source_region=q.source_region,
        destination=q.region,
        delivery_days=q.delivery_days,
        charges=charges,
        terms=terms,
        prices_include_vat=include_vat,
        customs=(q.customs,) if cross_border else (),
    )


@dataclass(frozen=True, slots=True)
class OrderLine:
    """A line of an order as its view shows it: what was bought, the warehouse its parcel
    leaves from, and how many of its units a return may still ask for."""

    style: str
    name: str
    warehouse: str
    quantity: int
    returnable: int


def purchased_lines(order: Order) -> list[PurchasedLine]:
    """Each line with its own parcel's delivery time (None until that parcel is delivered)."""
    delivered = _delivered_at(order)
    return [
        PurchasedLine(style, units, delivered.get(warehouse))
        for style, _name, warehouse, units in _bought(order)
    ]


def order_lines(order: Order, already_returned: Mapping[str, int]) -> list[OrderLine]:
    """Each line with the units a return may still ask for (`units_left`: the count beyond
    which `check_return` refuses), given the units in the order's returns that still count."""
    return [
        OrderLine(style, name, warehouse, units, units_left(line, already_returned))
        for (style, name, warehouse, units), line in zip(
            _bought(order), purchased_lines(order), strict=True
        )
    ]


def _bought(order: Order) -> list[tuple[str, str, str, int]]:
    """(style, name, warehouse, units) of each line, read without repricing the order: the
    cart's lines, or the one line of a single-style order (its cart quote's one shipment)."""
    if order.cart is not None:
        return [
            (line.item.style, line.item.shown_name, shipment.warehouse, line.item.quantity)
            for shipment in order.cart.shipments
            for line in shipment.charges.lines
        ]
    q = order.quote
    return [(q.style, q.style_name or q.style, q.warehouse, q.quantity)]


def _delivered_at(order: Order) -> dict[str, datetime | None]:
    """When each warehouse's parcel was delivered; an order saved before parcels were kept
    has its one parcel delivered when the order was."""
    if order.status in (OrderStatus.FAILED, OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        return {}
    parcels = {p.warehouse: p.delivered_at for p in order.shipments}
    if not parcels and order.status is OrderStatus.DELIVERED:
        step = order.steps.get(Step.DELIVER)
        parcels = {order.quote.warehouse: step.at if step else None}
    return parcels


def shipment_of(cart: CartQuote, style: str) -> Shipment:
    """The shipment a style travelled in."""
    return next(s for s in cart.shipments if style in s.styles)


def tracking_number_of(order: Order, shipment: Shipment) -> str | None:
    """The outbound parcel's tracking number (what the return's customs data refers to)."""
    for parcel in order.shipments:
        if parcel.warehouse == shipment.warehouse:
            return parcel.tracking_number
    return order.tracking_number


def returned_goods(shipment: Shipment, returning: dict[str, int]) -> tuple[ReturnedGoods, ...]:
    """The return parcel's customs lines: for goods that crossed a border on the way out, the
    same HS code, origin and description, the units going back and the value paid for them."""
    if not shipment.is_cross_border:
        return ()
    out = []
    for line, declared in zip(shipment.charges.lines, shipment.customs, strict=True):
        units = returning.get(line.item.style, 0)
        if units:
            value: Money = line.item.unit_price.times(units)
            out.append(
                ReturnedGoods(
                    declared.hs_code, declared.origin_country, declared.description, units, value
                )
            )
    return tuple(out)
