"""Where a cross-region order ships from (cross-border.md, carts-and-returns.md): every warehouse
in another region that lists the style, ships to the customer's region and carries the style is a
candidate; the choice is stock on hand first, then the lowest landed price, then the fastest
delivery.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.orders.domain.money import Money
from services.orders.domain.sourcing import cross_region_sources, local_source, preferred_source


@dataclass(frozen=True)
class Source:
    name: str
    available: int
    price: Money | None
    delivery_days: tuple[int, int] | None


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


def test_every_other_region_listing_is_a_candidate_never_the_customers_own(ref):
    """VT01 is listed in the US, the UK and the EU: a UK customer may be sourced from the US and
    the EU warehouses, whatever order the listings come in."""
    sources = cross_region_sources(ref, ref.style("VT01"), "UK")
    assert sorted((s.warehouse, s.source_region, s.destination) for s in sources) == [
        ("EU-AMS", "EU", "UK"),
        ("US-NJ", "US", "UK"),
    ]
    assert {s.source_region: s.listing_price for s in sources} == {
        "US": Money.of("298.00", "USD"),
        "EU": Money.of("289.00", "EUR"),
    }


def test_stock_on_hand_comes_before_a_lower_price():
    """One unit on hand is stock on hand; none is not."""
    cheap_but_empty = Source("empty", 0, gbp("10.00"), (2, 3))
    dearer_with_one = Source("one", 1, gbp("99.00"), (9, 12))
    assert preferred_source([cheap_but_empty, dearer_with_one]).name == "one"
    assert preferred_source([dearer_with_one, cheap_but_empty]).name == "one"


def test_among_sources_with_stock_the_lowest_price_wins():
    dear = Source("dear", 5, gbp("99.00"), (2, 3))
    cheap = Source("cheap", 5, gbp("98.99"), (9, 12))
    assert preferred_source([dear, cheap]).name == "cheap"
    assert preferred_source([cheap, dear]).name == "cheap"


def test_among_sources_without_stock_the_lowest_price_wins():
    dear = Source("dear", 0, gbp("99.00"), (2, 3))
    cheap = Source("cheap", 0, gbp("50.00"), (9, 12))
    assert preferred_source([dear, cheap]).name == "cheap"


def test_at_the_same_price_the_fastest_delivery_wins():
    slow = Source("slow", 3, gbp("50.00"), (5, 8))
    fast = Source("fast", 3, gbp("50.00"), (3, 8))
    assert preferred_source([slow, fast]).name == "fast"
    assert preferred_source([fast, slow]).name == "fast"


def test_a_warehouse_that_does_not_ship_to_the_customers_region_is_no_candidate(ref):
    """PC15 is listed in the UK only, and UK-LON ships within the UK only."""
    assert cross_region_sources(ref, ref.style("PC15"), "US") == []
    assert cross_region_sources(ref, ref.style("PC15"), "EU") == []


def test_a_local_listing_ships_from_the_regions_home_warehouse_at_the_local_price(ref):
    source = local_source(ref, "CC01", "UK")
    assert source is not None
    assert (source.warehouse, source.source_region, source.destination) == ("UK-LON", "UK", "UK")
    assert source.listing_price == Money.of("59.00", "GBP")
    assert local_source(ref, "TC11", "UK") is None  # listed in the US only
