"""What an order bought, as the return rules see it: its cart quote and its delivered lines.

The one place that knows how an order holds its lines. Today an order holds one single-style
quote; it is seen as a one-shipment cart quote priced by the same shipment rules, so a return
reprices the kept units with the order's own unit price, shipping charge and tax terms. When an
order carries its cart quote (the multi-line saga), this module reads that instead.
"""

from __future__ import annotations

from services.orders.domain.landed_cost import LineKind
from services.orders.domain.money import Money
from services.orders.domain.orders import Order
from services.orders.domain.ports import ReturnedGoods
from services.orders.domain.quotes import Quote
from services.orders.domain.reference import ReferenceData
from services.orders.domain.returns import PurchasedLine
from services.orders.domain.saga import OrderStatus, Step
from services.orders.domain.shipment_charges import Item, TaxTerms, price_items
from services.orders.domain.shipments import CartQuote, Shipment


def cart_of(order: Order, ref: ReferenceData) -> CartQuote:
    """The order's quote as a cart quote (one shipment for a single-style order)."""
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
    item = Item(q.style, q.customs.hs_code, goods.unit_price, q.quantity)
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


def purchased_lines(order: Order) -> list[PurchasedLine]:
    """Each line with its shipment's delivery time (None until delivered)."""
    delivered = order.steps.get(Step.DELIVER)
    at = delivered.at if delivered is not None and order.status is OrderStatus.DELIVERED else None
    return [PurchasedLine(order.quote.style, order.quote.quantity, at)]


def shipment_of(cart: CartQuote, style: str) -> Shipment:
    """The shipment a style travelled in."""
    return next(s for s in cart.shipments if style in s.styles)


def tracking_number_of(order: Order, _shipment: Shipment) -> str | None:
    """The outbound tracking number of the shipment (what the return's customs refers to)."""
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
