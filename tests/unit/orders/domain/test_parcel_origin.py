"""The same goods declare the same country of origin and description, however they are ordered.

cross-border.md: the order saga creates "the shipment with customs data (HS code, country of
origin, ...)"; a style's country of origin is where it was made (the catalogue's `origin`), not
the warehouse it leaves from, and its goods are described as the catalogue's "category: name",
not by the style code. A single-style quote and a cross-border cart shipment declare both; a
local cart parcel, which tells the carrier its contents without customs, must declare them too.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from services.orders.domain.order_shipments import cart_parcel_plans, headline_quote
from services.orders.domain.orders import Order
from services.orders.domain.quotes import create_quote
from services.orders.domain.reference import ReferenceData
from tests.unit.orders.domain.conftest import QuoteOf

JR01 = "handbag: Juniper crossbody"  # the catalogue's "category: name" of the style

# Local offers whose style was made outside the region it is sold and shipped from.
LOCAL = [
    pytest.param("UK", "JR01", id="UK-LON ships an Italian JR01"),
    pytest.param("UK", "VT01", id="UK-LON ships a US-made VT01"),
    pytest.param("US", "TC11", id="US-NJ ships a Vietnamese TC11"),
    pytest.param("EU", "CC01", id="EU-AMS ships a Spanish CC01"),
]


@pytest.mark.parametrize(("region", "style"), LOCAL)
def test_a_local_cart_parcel_declares_what_a_single_style_order_declares(
    quote_of: QuoteOf, ref: ReferenceData, now: datetime, region: str, style: str
) -> None:
    cart = quote_of(region, **{style: 1})
    single = create_quote(ref, quote_id="q-1", style=style, region=region, quantity=1, now=now)
    (shipment,) = cart.shipments
    assert not shipment.is_cross_border and shipment.warehouse == single.warehouse
    (cart_plan,) = cart_parcel_plans("o-1", cart)
    order = Order.place(order_id="o-2", quote=single, customer_id="c-1", payment_token="tok_ok",
                        now=now)  # fmt: skip
    (single_plan,) = order.parcel_plans
    made_in, described = ref.style(style).origin, single.customs.description
    assert made_in != shipment.source_region  # else the warehouse's region would pass too
    assert described != style and ref.style(style).name in described  # not the style code
    assert [(c.origin_country, c.description) for c in single_plan.customs] == [
        (made_in, described)
    ]
    assert [(c.origin_country, c.description) for c in cart_plan.customs] == [(made_in, described)]
    headline = headline_quote(cart).customs
    assert (headline.origin_country, headline.description) == (made_in, described)


def test_each_line_of_a_mixed_cart_declares_its_own_styles_origin_and_description(
    quote_of: QuoteOf, ref: ReferenceData
) -> None:
    """JR01 (IT) and CC01 (ES) leave UK-LON together, VT02 (US) leaves US-NJ: every line of
    every parcel declares where its style was made and the catalogue's description of it; the
    headline, its first line's."""
    cart = quote_of("UK", JR01=1, CC01=2, VT02=1)
    plans = cart_parcel_plans("o-1", cart)
    declared = {
        p.warehouse: [(c.quantity, c.origin_country, c.description) for c in p.customs]
        for p in plans
    }
    assert declared == {
        "UK-LON": [(1, "IT", JR01), (2, "ES", "small_leather_goods: Card case")],
        "US-NJ": [(1, "US", "handbag: Voyager travel tote, luggage brown")],
    }
    assert [ref.style(s).origin for s in ("JR01", "CC01", "VT02")] == ["IT", "ES", "US"]
    headline = headline_quote(cart).customs
    assert (headline.origin_country, headline.description) == ("IT", JR01)
