from __future__ import annotations

from decimal import Decimal

import pytest

from services.orders.domain.catalogue import (
    OfferKind,
    UnavailableReason,
    catalogue_for,
    offer_for,
    require_offer,
)
from services.orders.domain.errors import NotAvailable, UnknownRegion, UnknownStyle
from services.orders.domain.money import Money
from services.orders.domain.reference import ReferenceData


def test_tc11_is_a_cross_region_offer_to_uk_from_us_nj(ref: ReferenceData) -> None:
    offer = offer_for(ref, "TC11", "UK")
    assert offer.kind is OfferKind.CROSS_REGION
    assert offer.fulfilment is not None
    assert offer.fulfilment.warehouse == "US-NJ"
    assert offer.fulfilment.source_region == "US"
    assert offer.delivery_days == (5, 8)
    assert offer.price == Money.of("95.82", "GBP")  # landed, one unit
    assert offer.available == 18


def test_python_skin_satchel_is_unavailable_to_uk_with_cites_reason(ref: ReferenceData) -> None:
    offer = offer_for(ref, "PY01", "UK")
    assert offer.kind is OfferKind.UNAVAILABLE
    assert offer.reason_code is UnavailableReason.RESTRICTED
    assert offer.reason is not None and "CITES" in offer.reason
    assert offer.price is None
    with pytest.raises(NotAvailable) as err:
        require_offer(ref, "PY01", "UK")
    assert err.value.details["reason_code"] == "restricted_material"


def test_restricted_style_is_still_local_where_allowed(ref: ReferenceData) -> None:
    assert offer_for(ref, "PY01", "US").kind is OfferKind.LOCAL


def test_vt01_is_local_in_uk_at_the_uk_price(ref: ReferenceData) -> None:
    offer = offer_for(ref, "VT01", "UK")
    assert offer.kind is OfferKind.LOCAL
    assert offer.fulfilment is not None and offer.fulfilment.warehouse == "UK-LON"
    assert offer.price == Money.of("259.00", "GBP")  # VAT included, nothing added
    assert offer.delivery_days == (1, 3)


def test_uk_only_item_with_no_route_is_unavailable_in_us(ref: ReferenceData) -> None:
    offer = offer_for(ref, "PC15", "US")
    assert offer.kind is OfferKind.UNAVAILABLE
    assert offer.reason_code is UnavailableReason.NOT_SHIPPED
    assert offer.reason and "waitlist" in offer.reason


def test_any_region_can_be_browsed(ref: ReferenceData) -> None:
    for region in ("US", "UK", "EU"):
        offers = catalogue_for(ref, region)
        assert [o.style.style for o in offers] == sorted(ref.styles)
        assert all(o.region == region for o in offers)
    uk = {o.style.style: o.kind for o in catalogue_for(ref, "UK")}
    assert uk["TC11"] is OfferKind.CROSS_REGION and uk["VT02"] is OfferKind.CROSS_REGION
    assert uk["PY01"] is OfferKind.UNAVAILABLE


def test_cross_region_into_eu_is_priced_in_euros(ref: ReferenceData) -> None:
    offer = offer_for(ref, "VT02", "EU")
    assert offer.kind is OfferKind.CROSS_REGION
    assert offer.price is not None and offer.price.currency == "EUR"
    assert offer.delivery_days == (5, 9)


def test_stock_view_overrides_initial_stock(ref: ReferenceData) -> None:
    offer = offer_for(ref, "TC11", "UK", stock={("US-NJ", "TC11"): 0})
    assert offer.kind is OfferKind.CROSS_REGION
    assert offer.available == 0


def test_unknown_codes(ref: ReferenceData) -> None:
    with pytest.raises(UnknownStyle):
        offer_for(ref, "XX99", "UK")
    with pytest.raises(UnknownRegion):
        catalogue_for(ref, "JP")


def test_landed_price_includes_uk_vat(ref: ReferenceData) -> None:
    offer = offer_for(ref, "TC11", "UK")
    assert offer.landed is not None
    assert offer.landed.fx is not None and offer.landed.fx.rate == Decimal("0.7752")
