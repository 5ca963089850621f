"""Where an order ships from: the local listing, or the cross-region sourcing decision.

A style listed in the customer's region ships from that region's home warehouse at the local
price. Otherwise every warehouse in a region that lists the style, ships to the customer's
region and carries the style is a candidate, priced as a landed cost in the customer's currency;
`preferred_source` picks one: stock on hand first, then the lowest landed price, then the
fastest delivery.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from services.orders.domain.money import Money
from services.orders.domain.reference import Listing, ReferenceData, ShippingRoute, Style


@dataclass(frozen=True, slots=True)
class Fulfilment:
    warehouse: str
    source_region: str  # region whose listing sets the price
    destination: str
    listing_price: Money  # unit price in the source region's currency
    route: ShippingRoute


def local_source(ref: ReferenceData, style_code: str, region: str) -> Fulfilment | None:
    """The region's own listing, shipped from its home warehouse (None if not listed there)."""
    local = ref.listing(style_code, region)
    if local is None:
        return None
    route = ref.route(region, region)
    if route is None:
        return None
    return Fulfilment(ref.region(region).home_warehouse, region, region, local.price, route)


def cross_region_sources(ref: ReferenceData, style: Style, region: str) -> list[Fulfilment]:
    """Every warehouse elsewhere that may ship the style to `region`, one per listing region."""
    out = []
    for listing in ref.listings_for(style.style):
        if listing.region == region:
            continue
        out.extend(_from_listing(ref, listing, region))
    return out


def _from_listing(ref: ReferenceData, listing: Listing, region: str) -> list[Fulfilment]:
    route = ref.route(listing.region, region)
    if route is None:
        return []
    return [
        Fulfilment(w.code, listing.region, region, listing.price, route)
        for w in ref.warehouses.values()
        if w.region == listing.region and region in w.ships_to and w.carries(listing.style)
    ]


class Candidate(Protocol):
    """A priced source: what the sourcing decision compares."""

    @property
    def available(self) -> int: ...

    @property
    def price(self) -> Money | None: ...

    @property
    def delivery_days(self) -> tuple[int, int] | None: ...


C = TypeVar("C", bound=Candidate)


def preferred_source(candidates: Sequence[C]) -> C:
    """The cross-region decision: stock on hand, then the lowest landed price, then speed."""
    return min(
        candidates,
        key=lambda o: (o.available <= 0, o.price.amount if o.price else 0, o.delivery_days),
    )
