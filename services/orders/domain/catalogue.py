"""Regional catalogue: what a customer in region R is offered for each style.

A region is always an explicit choice; any region's catalogue can be browsed. Offers are:
local (listed in R), cross-region (listed elsewhere, shipped to R from a warehouse there, priced
as a landed cost in R's currency) or unavailable with a reason the customer can read. Which
warehouse an offer ships from is decided in sourcing.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from services.orders.domain.errors import NotAvailable
from services.orders.domain.landed_cost import LandedCost, compute_landed_cost
from services.orders.domain.money import Money
from services.orders.domain.reference import ReferenceData, Style
from services.orders.domain.sourcing import (
    Fulfilment,
    cross_region_sources,
    local_source,
    preferred_source,
)

# (warehouse, style) -> units available now; None means "use the initial stock in the data".
StockView = Mapping[tuple[str, str], int]


class OfferKind(StrEnum):
    LOCAL = "local"
    CROSS_REGION = "cross_region"
    UNAVAILABLE = "unavailable"


class UnavailableReason(StrEnum):
    RESTRICTED = "restricted_material"
    NOT_SHIPPED = "not_shipped_to_region"


@dataclass(frozen=True, slots=True)
class Offer:
    style: Style
    region: str
    kind: OfferKind
    fulfilment: Fulfilment | None = None
    landed: LandedCost | None = None  # for one unit
    available: int = 0
    reason_code: UnavailableReason | None = None
    reason: str | None = None

    @property
    def price(self) -> Money | None:
        """What one unit costs the customer in their currency (landed for cross-region)."""
        return self.landed.total if self.landed else None

    @property
    def delivery_days(self) -> tuple[int, int] | None:
        if self.fulfilment is None:
            return None
        return self.fulfilment.route.days_min, self.fulfilment.route.days_max


def catalogue_for(ref: ReferenceData, region: str, stock: StockView | None = None) -> list[Offer]:
    """Every style's offer for a customer in `region`, in style order."""
    ref.region(region)
    return [offer_for(ref, code, region, stock) for code in sorted(ref.styles)]


def offer_for(
    ref: ReferenceData, style_code: str, region: str, stock: StockView | None = None
) -> Offer:
    style = ref.style(style_code)
    ref.region(region)
    if region in style.restrictions:
        return Offer(
            style,
            region,
            OfferKind.UNAVAILABLE,
            reason_code=UnavailableReason.RESTRICTED,
            reason=f"Cannot be shipped to {region}: {style.restrictions[region]}",
        )
    local = local_source(ref, style_code, region)
    if local is not None:
        return _priced(ref, style, region, OfferKind.LOCAL, local, stock)
    candidates = [
        _priced(ref, style, region, OfferKind.CROSS_REGION, ful, stock)
        for ful in cross_region_sources(ref, style, region)
    ]
    if not candidates:
        return Offer(
            style,
            region,
            OfferKind.UNAVAILABLE,
            reason_code=UnavailableReason.NOT_SHIPPED,
            reason=f"Not listed in {region} and no warehouse that stocks it ships to {region}; "
            "join the waitlist to hear when it is listed in your region.",
        )
    return preferred_source(candidates)


def require_offer(
    ref: ReferenceData, style_code: str, region: str, stock: StockView | None = None
) -> Offer:
    """The offer, or `NotAvailable` carrying the reason code (for quoting)."""
    offer = offer_for(ref, style_code, region, stock)
    if offer.kind is OfferKind.UNAVAILABLE:
        raise NotAvailable(
            offer.reason or "not available",
            details={"style": style_code, "region": region, "reason_code": str(offer.reason_code)},
        )
    return offer


def _priced(
    ref: ReferenceData,
    style: Style,
    region: str,
    kind: OfferKind,
    ful: Fulfilment,
    stock: StockView | None,
) -> Offer:
    landed = compute_landed_cost(
        ref,
        style=style,
        unit_price=ful.listing_price,
        quantity=1,
        route=ful.route,
        destination=region,
    )
    available = _available(ref, ful.warehouse, style.style, stock)
    return Offer(style, region, kind, ful, landed, available)


def _available(ref: ReferenceData, warehouse: str, style: str, stock: StockView | None) -> int:
    if stock is not None:
        return stock.get((warehouse, style), 0)
    wh = ref.warehouses.get(warehouse)
    return wh.initial_stock.get(style, 0) if wh else 0
