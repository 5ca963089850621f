"""The offer rules of cross-border.md "Offers", field by field: an unavailable offer has no
price, no delivery estimate and a reason; a region must exist even for one style; the units
available come from the live stock view when there is one (a warehouse or style it does not
list has none), else from the initial stock in the data."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.orders.domain.catalogue import (
    OfferKind,
    UnavailableReason,
    catalogue_for,
    offer_for,
    require_offer,
)
from services.orders.domain.errors import NotAvailable, UnknownRegion
from services.orders.domain.money import Money
from services.orders.domain.reference import Listing, ReferenceData


def test_an_unavailable_offer_has_no_price_no_estimate_and_a_reason(ref: ReferenceData) -> None:
    restricted = offer_for(ref, "PY01", "EU")
    assert (restricted.kind, restricted.region, restricted.style.style) == (
        OfferKind.UNAVAILABLE,
        "EU",
        "PY01",
    )
    assert (restricted.price, restricted.delivery_days, restricted.fulfilment) == (None, None, None)
    assert restricted.available == 0
    assert restricted.reason == "Cannot be shipped to EU: exotic skin: CITES permit required"
    not_shipped = offer_for(ref, "PC15", "EU")
    assert not_shipped.reason_code is UnavailableReason.NOT_SHIPPED
    assert (not_shipped.price, not_shipped.delivery_days) == (None, None)


def test_refusing_to_quote_names_the_style_the_region_and_why(ref: ReferenceData) -> None:
    with pytest.raises(NotAvailable) as raised:
        require_offer(ref, "PC15", "US")
    assert raised.value.details == {
        "style": "PC15",
        "region": "US",
        "reason_code": "not_shipped_to_region",
    }
    assert "waitlist" in str(raised.value)
    with pytest.raises(NotAvailable) as raised:
        require_offer(ref, "PY01", "UK")
    assert raised.value.details == {
        "style": "PY01",
        "region": "UK",
        "reason_code": "restricted_material",
    }


def test_an_available_offer_is_returned_as_is(ref: ReferenceData) -> None:
    offer = require_offer(ref, "TC11", "UK")
    assert offer == offer_for(ref, "TC11", "UK")
    assert offer.kind is OfferKind.CROSS_REGION


def test_an_unknown_region_is_refused_for_a_single_style_too(ref: ReferenceData) -> None:
    with pytest.raises(UnknownRegion):
        offer_for(ref, "TC11", "JP")
    with pytest.raises(UnknownRegion):
        offer_for(ref, "PY01", "JP")


def test_units_available_come_from_the_stock_view_or_the_initial_stock(
    ref: ReferenceData,
) -> None:
    assert offer_for(ref, "VT01", "UK").available == 10  # UK-LON's initial stock
    assert offer_for(ref, "VT01", "UK", stock={("UK-LON", "VT01"): 4}).available == 4
    # a view that does not list the pair has none of it
    assert offer_for(ref, "VT01", "UK", stock={("US-NJ", "VT01"): 9}).available == 0
    assert offer_for(ref, "VT01", "UK", stock={}).available == 0


def test_the_units_are_those_of_the_warehouse_the_offer_ships_from(ref: ReferenceData) -> None:
    """UK-LON's data stocks 50 PC15; TC11 ships to the UK from US-NJ, which stocks 18."""
    assert offer_for(ref, "PC15", "UK").available == 50
    assert offer_for(ref, "TC11", "UK").available == 18


def test_every_region_lists_every_style_once_in_style_order(ref: ReferenceData) -> None:
    offers = catalogue_for(ref, "EU")
    assert [o.style.style for o in offers] == [
        "CC01",
        "DJ27",
        "JR01",
        "PC15",
        "PY01",
        "TC11",
        "VT01",
        "VT02",
    ]
    with pytest.raises(UnknownRegion):
        catalogue_for(ref, "JP")


def test_the_whole_catalogue_reads_the_live_stock_view(ref: ReferenceData) -> None:
    offers = {o.style.style: o for o in catalogue_for(ref, "UK", {("UK-LON", "VT01"): 2})}
    assert offers["VT01"].available == 2
    assert offers["TC11"].available == 0  # the view does not list US-NJ's TC11


def test_a_local_listing_the_home_warehouse_does_not_stock_has_no_units(
    ref: ReferenceData,
) -> None:
    """VT02 newly listed in the UK: offered locally from UK-LON, which has none of it yet; and
    a home warehouse missing from the data has no stock at all."""
    listed = replace(ref, listings=(*ref.listings, Listing("VT02", "UK", Money.of("249", "GBP"))))
    offer = offer_for(listed, "VT02", "UK")
    assert (offer.kind, offer.available) == (OfferKind.LOCAL, 0)
    assert offer.fulfilment is not None and offer.fulfilment.warehouse == "UK-LON"
    moved = replace(
        ref, regions={**ref.regions, "UK": replace(ref.regions["UK"], home_warehouse="UK-NEW")}
    )
    offer = offer_for(moved, "VT01", "UK")
    assert (offer.kind, offer.available) == (OfferKind.LOCAL, 0)
