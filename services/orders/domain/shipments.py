"""A cart quoted as shipments: each line sourced like a single-style quote, lines leaving from the
same warehouse travelling together, every shipment priced on its own (carts-and-returns.md).

The quote locks one FX snapshot: every conversion uses the rate from the quote's snapshot, so
a cart whose foreign lines share a currency (the usual case) has exactly one rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.orders.domain.carts import Cart
from services.orders.domain.catalogue import StockView, require_offer
from services.orders.domain.errors import QuoteExpired
from services.orders.domain.events import CartQuoteCreated, ShipmentSummary
from services.orders.domain.money import FxRate, Money, money_sum
from services.orders.domain.quotes import QUOTE_TTL, CustomsDeclaration
from services.orders.domain.reference import ReferenceData, ShippingRoute, Style
from services.orders.domain.shipment_charges import (
    Item,
    ShipmentCharges,
    ShipmentTreatment,
    TaxTerms,
    price_items,
)


@dataclass(frozen=True, slots=True)
class SourcedLine:
    """Where one cart line leaves from and at which list price (in the source's currency)."""

    style: Style
    quantity: int
    warehouse: str
    source_region: str
    list_price: Money
    route: ShippingRoute


@dataclass(frozen=True, slots=True)
class Shipment:
    """One parcel and one customs consignment: what leaves one warehouse for the customer."""

    warehouse: str
    source_region: str
    destination: str
    delivery_days: tuple[int, int]
    charges: ShipmentCharges
    terms: TaxTerms
    prices_include_vat: bool
    customs: tuple[CustomsDeclaration, ...]  # empty for a local shipment

    @property
    def treatment(self) -> ShipmentTreatment:
        return self.charges.treatment

    @property
    def total(self) -> Money:
        return self.charges.total

    @property
    def styles(self) -> tuple[str, ...]:
        return tuple(line.item.style for line in self.charges.lines)

    @property
    def is_cross_border(self) -> bool:
        return self.source_region != self.destination


@dataclass(frozen=True, slots=True)
class CartQuote:
    quote_id: str
    region: str
    currency: str
    shipments: tuple[Shipment, ...]
    fx_rates: tuple[FxRate, ...]  # the locked conversions actually used, one per foreign currency
    created_at: datetime
    expires_at: datetime
    customer_id: str | None = None
    agent_id: str | None = None  # set when an agent quoted on the customer's behalf

    @property
    def total(self) -> Money:
        return money_sum([s.total for s in self.shipments], self.currency)

    @property
    def fx(self) -> FxRate | None:
        """The quote's locked rate (None when every line is priced in the customer's currency)."""
        return self.fx_rates[0] if self.fx_rates else None

    def ensure_valid(self, now: datetime) -> None:
        if now >= self.expires_at:
            raise QuoteExpired(
                "This quote has expired; request a new quote.",
                details={"quote_id": self.quote_id, "expired_at": self.expires_at.isoformat()},
            )

    def created_event(self) -> CartQuoteCreated:
        fx = self.fx
        return CartQuoteCreated(
            quote_id=self.quote_id,
            customer_id=self.customer_id,
            agent_id=self.agent_id,
            region=self.region,
            total=self.total,
            fx_rate=str(fx.rate) if fx else None,
            fx_as_of=fx.as_of if fx else None,
            shipments=tuple(_summary(s) for s in self.shipments),
            expires_at=self.expires_at,
            occurred_at=self.created_at,
        )


def _summary(s: Shipment) -> ShipmentSummary:
    c = s.charges
    return ShipmentSummary(
        warehouse=s.warehouse,
        source_region=s.source_region,
        treatment=str(s.treatment),
        lines=tuple((line.item.style, line.item.quantity) for line in c.lines),
        goods=c.goods,
        shipping=c.shipping,
        duty=c.duty,
        vat=c.vat,
        total=c.total,
    )


def source_cart(ref: ReferenceData, cart: Cart, stock: StockView | None) -> list[SourcedLine]:
    """Each line sourced as a single-style quote is (stock on hand, then lowest landed price,
    then fastest delivery); an unavailable style refuses the whole cart, naming the style."""
    sourced = []
    for line in cart.lines:
        offer = require_offer(ref, line.style, cart.region, stock)
        assert offer.fulfilment is not None  # guaranteed for available offers
        ful = offer.fulfilment
        sourced.append(
            SourcedLine(
                style=offer.style,
                quantity=line.quantity,
                warehouse=ful.warehouse,
                source_region=ful.source_region,
                list_price=ful.listing_price,
                route=ful.route,
            )
        )
    return sourced


def group_by_warehouse(lines: Sequence[SourcedLine]) -> list[list[SourcedLine]]:
    """Lines from one warehouse travel together; shipments keep the cart's order."""
    groups: dict[str, list[SourcedLine]] = {}
    for line in lines:
        groups.setdefault(line.warehouse, []).append(line)
    return list(groups.values())


def quote_cart(
    ref: ReferenceData,
    cart: Cart,
    *,
    quote_id: str,
    now: datetime,
    stock: StockView | None = None,
    ttl: timedelta = QUOTE_TTL,
    customer_id: str | None = None,
    agent_id: str | None = None,
) -> CartQuote:
    """Source, group and price a validated cart; the total is the sum of its shipments."""
    currency = ref.region(cart.region).currency
    sourced = source_cart(ref, cart, stock)
    rates = _lock_rates(ref, sourced, currency)
    shipments = tuple(
        _price_shipment(ref, group, cart.region, rates) for group in group_by_warehouse(sourced)
    )
    return CartQuote(
        quote_id=quote_id,
        region=cart.region,
        currency=currency,
        shipments=shipments,
        fx_rates=tuple(r for r in rates.values() if r.source != r.target),
        created_at=now,
        expires_at=now + ttl,
        customer_id=customer_id,
        agent_id=agent_id,
    )


def _lock_rates(
    ref: ReferenceData, sourced: Sequence[SourcedLine], currency: str
) -> dict[str, FxRate]:
    """One conversion per source currency, all from the snapshot in force now."""
    sources = {x.list_price.currency for x in sourced} | {x.route.price.currency for x in sourced}
    return {source: ref.fx.rate(source, currency) for source in sorted(sources)}


def _price_shipment(
    ref: ReferenceData, group: Sequence[SourcedLine], destination: str, rates: dict[str, FxRate]
) -> Shipment:
    first = group[0]
    # A unit is converted and rounded first, then multiplied: the customer pays the shown unit.
    items = [_item(x, rates[x.list_price.currency]) for x in group]
    shipping = rates[first.route.price.currency].convert(first.route.price)
    terms = TaxTerms.for_destination(ref, destination, {x.style.hs_code for x in group})
    cross_border = first.source_region != destination
    include_vat = ref.region(destination).prices_include_tax
    charges = price_items(
        items,
        shipping=shipping,
        cross_border=cross_border,
        terms=terms,
        prices_include_vat=include_vat,
    )
    customs = declare_goods(charges) if cross_border else ()
    return Shipment(
        warehouse=first.warehouse,
        source_region=first.source_region,
        destination=destination,
        delivery_days=(first.route.days_min, first.route.days_max),
        charges=charges,
        terms=terms,
        prices_include_vat=include_vat,
        customs=customs,
    )


def _item(x: SourcedLine, rate: FxRate) -> Item:
    declared = x.style.declaration
    return Item(
        style=x.style.style,
        hs_code=x.style.hs_code,
        unit_price=rate.convert(x.list_price),
        quantity=x.quantity,
        origin=declared.origin,
        description=declared.description,
        name=x.style.name,
    )


def declare_goods(charges: ShipmentCharges) -> tuple[CustomsDeclaration, ...]:
    """One declaration line per style: HS code, origin, description and the goods value the
    customer paid. A cross-border shipment's customs; a local parcel tells the carrier the same
    (order_shipments.py)."""
    return tuple(
        CustomsDeclaration(
            hs_code=x.item.hs_code,
            origin_country=x.item.origin,
            description=x.item.description,
            quantity=x.item.quantity,
            declared_value=x.goods,
        )
        for x in charges.lines
    )
