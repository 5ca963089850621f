"""Quotes: a landed cost locked for 30 minutes (rate, lines and total do not move once issued)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.orders.domain.catalogue import Offer, OfferKind, StockView, require_offer
from services.orders.domain.errors import QuoteExpired
from services.orders.domain.events import QuoteCreated
from services.orders.domain.landed_cost import (
    LandedCost,
    LineKind,
    QuoteLine,
    compute_landed_cost,
)
from services.orders.domain.money import FxRate, Money
from services.orders.domain.reference import ReferenceData
from services.orders.domain.sourcing import Fulfilment

QUOTE_TTL = timedelta(minutes=30)
INCOTERM = "DDP"  # duties and import VAT are collected at checkout: nothing is due at the door


@dataclass(frozen=True, slots=True)
class CustomsDeclaration:
    """What the carrier declares for the shipment (cross-border only, but always computed)."""

    hs_code: str
    origin_country: str
    description: str
    quantity: int
    declared_value: Money  # goods value in the currency the customer paid
    incoterm: str = INCOTERM


@dataclass(frozen=True, slots=True)
class Quote:
    quote_id: str
    region: str
    style: str
    quantity: int
    offer_kind: OfferKind
    warehouse: str
    source_region: str
    landed: LandedCost
    delivery_days: tuple[int, int]
    customs: CustomsDeclaration
    created_at: datetime
    expires_at: datetime
    customer_id: str | None = None
    agent_id: str | None = None  # set when an agent quoted on the customer's behalf
    style_name: str = ""

    @property
    def currency(self) -> str:
        return self.landed.currency

    @property
    def total(self) -> Money:
        return self.landed.total

    @property
    def lines(self) -> tuple[QuoteLine, ...]:
        return self.landed.lines

    @property
    def fx(self) -> FxRate | None:
        return self.landed.fx

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def ensure_valid(self, now: datetime) -> None:
        if self.is_expired(now):
            raise QuoteExpired(
                "This quote has expired; request a new quote.",
                details={"quote_id": self.quote_id, "expired_at": self.expires_at.isoformat()},
            )

    def created_event(self) -> QuoteCreated:
        return QuoteCreated(
            quote_id=self.quote_id,
            customer_id=self.customer_id,
            agent_id=self.agent_id,
            region=self.region,
            style=self.style,
            quantity=self.quantity,
            offer_kind=str(self.offer_kind),
            warehouse=self.warehouse,
            total=self.total,
            fx_rate=str(self.fx.rate) if self.fx else None,
            fx_as_of=self.fx.as_of if self.fx else None,
            expires_at=self.expires_at,
            occurred_at=self.created_at,
        )


def create_quote(
    ref: ReferenceData,
    *,
    quote_id: str,
    style: str,
    region: str,
    quantity: int,
    now: datetime,
    stock: StockView | None = None,
    customer_id: str | None = None,
    agent_id: str | None = None,
    ttl: timedelta = QUOTE_TTL,
) -> Quote:
    """Quote `quantity` units of `style` for a customer in `region`, valid for 30 minutes."""
    offer = require_offer(ref, style, region, stock)
    assert offer.fulfilment is not None  # guaranteed for available offers
    ful = offer.fulfilment
    landed = _landed_cost(ref, offer, ful, quantity)
    return Quote(
        quote_id=quote_id,
        region=region,
        style=style,
        quantity=quantity,
        offer_kind=offer.kind,
        warehouse=ful.warehouse,
        source_region=ful.source_region,
        landed=landed,
        delivery_days=(ful.route.days_min, ful.route.days_max),
        customs=_customs(offer, landed, quantity),
        created_at=now,
        expires_at=now + ttl,
        customer_id=customer_id,
        agent_id=agent_id,
        style_name=offer.style.name,
    )


def _landed_cost(ref: ReferenceData, offer: Offer, ful: Fulfilment, quantity: int) -> LandedCost:
    return compute_landed_cost(
        ref,
        style=offer.style,
        unit_price=ful.listing_price,
        quantity=quantity,
        route=ful.route,
        destination=offer.region,
    )


def _customs(offer: Offer, landed: LandedCost, quantity: int) -> CustomsDeclaration:
    """The goods line is what customs sees: shipping and taxes are not declared value."""
    goods = landed.line(LineKind.GOODS)
    assert goods is not None
    return CustomsDeclaration(
        hs_code=offer.style.hs_code,
        origin_country=offer.style.declaration.origin,
        description=offer.style.declaration.description,
        quantity=quantity,
        declared_value=goods.amount,
    )
