"""Wire <-> plain values for cart quotes (shared.contracts.carts). Wire models stop here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from services.orders.domain.carts import CartLine
from services.orders.domain.errors import QuoteQuantityWithLines, QuoteStyleOrLines
from services.orders.domain.money import FxRate
from services.orders.domain.order_lines import OrderLine
from services.orders.domain.orders import Order
from services.orders.domain.quotes import Quote
from services.orders.domain.returns import ReturnPolicy
from services.orders.domain.shipment_charges import PricedLine
from services.orders.domain.shipments import CartQuote, Shipment
from services.orders.entrypoints import translate as tr
from services.orders.entrypoints.translate import quote_out
from shared.contracts import carts as cc
from shared.contracts import orders as c


def cart_lines_in(req: c.QuoteRequest) -> list[CartLine] | None:
    """The cart of a quote request, or None when it asks for one style; a request naming both
    (or neither) is refused before anything is priced."""
    if (req.style is None) == (req.lines is None):
        raise QuoteStyleOrLines(
            "send either `style` (with `quantity`) or `lines`, not both",
            details={"style": req.style is not None, "lines": req.lines is not None},
        )
    if req.lines is None:
        return None
    if "quantity" in req.model_fields_set:
        raise QuoteQuantityWithLines(
            "`quantity` is for a single-style quote; give each cart line its own quantity",
            details={"quantity": req.quantity, "lines": len(req.lines)},
        )
    return [CartLine(x.style, x.quantity) for x in req.lines]


def order_out(
    o: Order, returns: ReturnPolicy | None = None, lines: Sequence[OrderLine] = ()
) -> c.OrderOut:
    """An order's reply; a cart order also carries its accepted cart quote. `returns`: the
    return policy, by which each delivered parcel says until when its goods can come back;
    `lines`: the order's lines, each with the units a return may still ask for."""
    out = tr.order_out(o, returns, lines)
    if o.cart is not None:
        out.cart = cart_quote_out(o.cart)
    return out


def name_warehouses(out: c.OrderOut, names: Mapping[str, str]) -> c.OrderOut:
    """Each parcel and line with its warehouse's name next to the code (people read names), and
    the accepted quote inside it as the quote itself answered."""
    for parcel in out.shipments:
        parcel.warehouse_name = names.get(parcel.warehouse)
    for line in out.lines:
        line.warehouse_name = names.get(line.warehouse)
    name_quote_warehouses(out.quote, names)
    if out.cart is not None:
        name_quote_warehouses(out.cart, names)
    return out


def name_quote_warehouses(
    out: c.QuoteOut | cc.CartQuoteOut, names: Mapping[str, str]
) -> c.QuoteOut | cc.CartQuoteOut:
    """A quote's warehouse (each parcel's, for a cart) with its name next to the code."""
    if isinstance(out, cc.CartQuoteOut):
        for parcel in out.shipments:
            parcel.warehouse_name = names.get(parcel.warehouse)
    else:
        out.warehouse_name = names.get(out.warehouse)
    return out


def name_offer_warehouses(offers: list[c.OfferOut], names: Mapping[str, str]) -> None:
    for offer in offers:
        offer.warehouse_name = names.get(offer.warehouse) if offer.warehouse else None


def order_list(orders: list[Order], after: dict[str, str] | None,
               returns: ReturnPolicy | None = None,
               lines: Mapping[str, Sequence[OrderLine]] | None = None,
               names: Mapping[str, str] | None = None) -> c.OrderList:  # fmt: skip
    """`lines`: each order's lines by order id (Returns.lines_left); `names`: the warehouses'."""
    items = [name_warehouses(order_out(o, returns, (lines or {}).get(o.order_id, ())), names or {})
             for o in orders]  # fmt: skip
    return c.OrderList(items=items, next=after)


def any_quote_out(q: Quote | CartQuote) -> c.QuoteOut | cc.CartQuoteOut:
    return cart_quote_out(q) if isinstance(q, CartQuote) else quote_out(q)


def cart_quote_out(q: CartQuote) -> cc.CartQuoteOut:
    fx = q.fx
    return cc.CartQuoteOut(
        quote_id=q.quote_id,
        customer_id=q.customer_id,
        agent_id=q.agent_id,
        region=q.region,
        currency=q.currency,
        shipments=[_shipment_out(s) for s in q.shipments],
        total=str(q.total.amount),
        fx=None if fx is None else _locked_fx_out(fx),
        created_at=q.created_at,
        expires_at=q.expires_at,
    )


def _locked_fx_out(fx: FxRate) -> cc.LockedFxOut:
    return cc.LockedFxOut(
        source=fx.source,
        target=fx.target,
        rate=str(fx.rate),
        snapshot_rate=str(fx.snapshot_rate),
        margin=str(fx.margin),
        as_of=fx.as_of,
    )


def _shipment_out(s: Shipment) -> cc.QuoteShipmentOut:
    ch = s.charges
    return cc.QuoteShipmentOut(
        warehouse=s.warehouse,
        ships_from_region=s.source_region,
        treatment=str(s.treatment),  # type: ignore[arg-type]
        currency=ch.currency,
        lines=[_shipment_line_out(x) for x in ch.lines],
        goods=str(ch.goods.amount),
        shipping=str(ch.shipping.amount),
        duty=str(ch.duty.amount),
        vat_rate=str(ch.vat_rate),
        vat=str(ch.vat.amount),
        vat_included=str(ch.vat_included.amount),
        total=str(ch.total.amount),
        delivery_days_min=s.delivery_days[0],
        delivery_days_max=s.delivery_days[1],
        # Declarations are built line by line, in the shipment's line order.
        customs=[
            cc.ShipmentCustomsOut(
                style=line.item.style,
                hs_code=cu.hs_code,
                origin_country=cu.origin_country,
                quantity=cu.quantity,
                declared_value=str(cu.declared_value.amount),
                currency=cu.declared_value.currency,
                incoterm=cu.incoterm,
            )
            for line, cu in zip(ch.lines, s.customs, strict=False)
        ],
    )


def _shipment_line_out(x: PricedLine) -> cc.ShipmentLineOut:
    return cc.ShipmentLineOut(
        style=x.item.style,
        name=x.item.name,
        hs_code=x.item.hs_code,
        quantity=x.item.quantity,
        unit_price=str(x.item.unit_price.amount),
        goods=str(x.goods.amount),
        shipping_share=str(x.shipping_share.amount),
        duty_rate=None if x.duty_rate is None else str(x.duty_rate),
        duty=str(x.duty.amount),
    )
