"""Wire <-> plain values and domain objects (shared.contracts.orders). Wire models stop here."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from services.orders.domain.catalogue import Offer
from services.orders.domain.landed_cost import LandedCost, QuoteLine
from services.orders.domain.money import FxRate, Money
from services.orders.domain.order_lines import OrderLine
from services.orders.domain.order_shipments import OrderShipment
from services.orders.domain.orders import Order
from services.orders.domain.quotes import Quote
from services.orders.domain.returns import ReturnPolicy
from services.orders.domain.saga import ADVICE_CODES, Compensation, Step
from services.orders.domain.stock import Reservation
from shared.actor import SYSTEM_ACTOR, Actor
from shared.contracts import orders as c
from shared.errors import DomainError

DONE = {"ok": True}  # the reply to an operator change


def actor_or_system(actor: Actor | None) -> Actor:
    """A request without an actor header comes from inside the system (another service)."""
    return SYSTEM_ACTOR if actor is None else actor


def price_in(price: str | None) -> Decimal | None:
    try:
        return None if price is None else Decimal(price)
    except InvalidOperation as exc:
        raise DomainError("price must be a decimal", code="orders_invalid_price") from exc


def _amount(m: Money | None) -> str | None:
    return None if m is None else str(m.amount)


def line_out(x: QuoteLine) -> c.QuoteLineOut:
    return c.QuoteLineOut(
        kind=str(x.kind),  # type: ignore[arg-type]
        description=x.description,
        amount=str(x.amount.amount),
        unit_price=_amount(x.unit_price),
        quantity=x.quantity,
        rate=None if x.rate is None else str(x.rate),
        base=_amount(x.base),
    )


def fx_out(fx: FxRate | None) -> c.FxOut | None:
    if fx is None:
        return None
    return c.FxOut(
        source=fx.source,
        target=fx.target,
        rate=str(fx.rate),
        snapshot_rate=str(fx.snapshot_rate),
        margin=str(fx.margin),
        as_of=fx.as_of,
    )


def _lines(landed: LandedCost | None) -> list[c.QuoteLineOut]:
    return [] if landed is None else [line_out(x) for x in landed.lines]


def offer_out(o: Offer) -> c.OfferOut:
    ful = o.fulfilment
    days = o.delivery_days
    return c.OfferOut(
        style=o.style.style,
        name=o.style.name,
        category=o.style.category,
        colour=o.style.colour,
        region=o.region,
        kind=str(o.kind),  # type: ignore[arg-type]
        warehouse=ful.warehouse if ful else None,
        ships_from_region=ful.source_region if ful else None,
        price=_amount(o.price),
        currency=o.price.currency if o.price else None,
        lines=_lines(o.landed),
        fx=fx_out(o.landed.fx if o.landed else None),
        delivery_days_min=days[0] if days else None,
        delivery_days_max=days[1] if days else None,
        available=max(o.available, 0),
        reason_code=None if o.reason_code is None else str(o.reason_code),  # type: ignore[arg-type]
        reason=o.reason,
    )


def quote_out(q: Quote) -> c.QuoteOut:
    cu = q.customs
    return c.QuoteOut(
        quote_id=q.quote_id,
        customer_id=q.customer_id,
        agent_id=q.agent_id,
        region=q.region,
        style=q.style,
        name=q.style_name,
        quantity=q.quantity,
        offer_kind=str(q.offer_kind),  # type: ignore[arg-type]
        warehouse=q.warehouse,
        ships_from_region=q.source_region,
        currency=q.currency,
        lines=_lines(q.landed),
        total=str(q.total.amount),
        tax_treatment=str(q.landed.tax_treatment),
        fx=fx_out(q.fx),
        delivery_days_min=q.delivery_days[0],
        delivery_days_max=q.delivery_days[1],
        customs=c.CustomsOut(
            hs_code=cu.hs_code,
            origin_country=cu.origin_country,
            quantity=cu.quantity,
            declared_value=str(cu.declared_value.amount),
            currency=cu.declared_value.currency,
            incoterm=cu.incoterm,
        ),
        created_at=q.created_at,
        expires_at=q.expires_at,
    )


def order_out(
    o: Order, returns: ReturnPolicy | None = None, lines: Sequence[OrderLine] = ()
) -> c.OrderOut:
    """`lines`: the order's lines with what each can still send back (Returns.lines_of)."""
    shipment = o.step_data(Step.CREATE_SHIPMENT)
    return c.OrderOut(
        order_id=o.order_id,
        customer_id=o.customer_id,
        agent_id=o.agent_id,
        status=str(o.status),
        quote=quote_out(o.quote),
        failure=None
        if o.failure is None
        else c.FailureOut(
            reason_code=str(o.failure.reason),
            advice_code=ADVICE_CODES[o.failure.reason],
            message=o.failure.message,
            style=o.failure.style,
        ),
        shipment=c.ShipmentOut(**shipment) if shipment else None,
        shipments=[_parcel_out(p, returns) for p in o.shipments],
        reservation_id=o.reservation_id,
        compensations_done=[str(x) for x in Compensation if x in o.compensated],
        timeline=[c.TimelineEntryOut(status=str(t.status), at=t.at) for t in o.timeline],
        created_at=o.created_at,
        lines=[_line_out(x) for x in lines],
    )


def _line_out(x: OrderLine) -> c.OrderLineOut:
    return c.OrderLineOut(
        style=x.style,
        name=x.name,
        warehouse=x.warehouse,
        quantity=x.quantity,
        returnable_quantity=x.returnable,
    )


def _parcel_out(p: OrderShipment, returns: ReturnPolicy | None) -> c.OrderShipmentOut:
    closes = None  # until delivered
    if p.delivered_at is not None and returns is not None:
        closes = returns.closes_at(p.delivered_at)
    return c.OrderShipmentOut(
        warehouse=p.warehouse,
        shipment_id=p.shipment_id,
        tracking_number=p.tracking_number,
        carrier=p.carrier,
        status=str(p.status),
        shipped_at=p.shipped_at,
        delivered_at=p.delivered_at,
        returns_close_at=closes,
    )


def catalogue_reply(region: str, currency: str, offers: list[Offer]) -> c.CatalogueReply:
    return c.CatalogueReply(region=region, currency=currency, offers=[offer_out(o) for o in offers])


def order_list(orders: list[Order], after: dict[str, str] | None) -> c.OrderList:
    return c.OrderList(items=[order_out(o) for o in orders], next=after)


def replacement_stock_reply(
    region: str, style: str, warehouse: str, available: int
) -> c.ReplacementStockReply:
    return c.ReplacementStockReply(
        region=region, style=style, warehouse=warehouse, available=available
    )


def reservation_reply(claim_id: str, res: Reservation) -> c.ReserveReplacementReply:
    return c.ReserveReplacementReply(
        claim_id=claim_id, reservation_id=res.reservation_id, warehouse=res.warehouse
    )


def waitlist_reply(entry_id: str, style: str, region: str) -> c.WaitlistReply:
    return c.WaitlistReply(entry_id=entry_id, style=style, region=region)


def release_reply(released: bool) -> c.ReleaseReplacementReply:
    return c.ReleaseReplacementReply(released=released)
