"""A cart order's headline quote, from the published rules.

docs/returns.md: `GET /v1/orders/{id}` of a cart order shows `cart` (the accepted cart quote)
and `quote`, its headline: the cart's totals, its first line's style and warehouse, the total
units. carts-and-returns.md: a single-style quote is the one-line case of a cart, priced by the
same rules, so a one-line cart's headline agrees with the single-style quote of that line on
every figure, the tax treatment, the offer kind, the rate and the delivery estimate.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest

from services.orders.domain.catalogue import OfferKind
from services.orders.domain.landed_cost import LineKind, TaxTreatment
from services.orders.domain.money import Money
from services.orders.domain.order_shipments import (
    StockLine,
    cart_parcel_plans,
    headline_quote,
    reservation_data,
)
from services.orders.domain.quotes import create_quote
from services.orders.domain.reference import ReferenceData
from services.orders.domain.shipment_charges import price_items
from tests.unit.orders.domain.conftest import QuoteOf


def gbp(amount: str) -> Money:
    return Money(Decimal(amount), "GBP")


@pytest.mark.parametrize(
    ("region", "style", "quantity", "treatment"),
    [
        ("UK", "VT01", 2, TaxTreatment.PRICES_INCLUDE_VAT),  # local, VAT in the price
        ("UK", "VT02", 1, TaxTreatment.DUTY_AND_IMPORT_VAT),  # from the US, over £135
        ("UK", "TC11", 1, TaxTreatment.LOW_VALUE_VAT),  # from the US, £135 or less
        ("US", "TC11", 1, TaxTreatment.NONE),  # local, prices before (out of scope) tax
        ("EU", "DJ27", 2, TaxTreatment.LOW_VALUE_VAT),
    ],
)
def test_a_one_line_carts_headline_is_the_single_style_quote_of_that_line(
    quote_of: QuoteOf,
    ref: ReferenceData,
    now: datetime,
    region: str,
    style: str,
    quantity: int,
    treatment: TaxTreatment,
) -> None:
    head = headline_quote(quote_of(region, **{style: quantity}))
    single = create_quote(
        ref, quote_id="q-1", style=style, region=region, quantity=quantity, now=now
    )
    assert head.landed.tax_treatment is single.landed.tax_treatment is treatment
    kinds = OfferKind.LOCAL if single.warehouse.startswith(region) else OfferKind.CROSS_REGION
    assert head.offer_kind is single.offer_kind is kinds
    assert (head.style, head.quantity, head.warehouse, head.source_region) == (
        single.style,
        single.quantity,
        single.warehouse,
        single.source_region,
    )
    assert head.delivery_days == single.delivery_days
    assert [(x.kind, x.amount) for x in head.landed.lines] == [
        (x.kind, x.amount) for x in single.landed.lines
    ]
    assert head.total == single.total
    assert head.fx == single.fx and head.landed.fx == single.landed.fx
    cu = head.customs
    assert (cu.hs_code, cu.origin_country, cu.quantity, cu.declared_value) == (
        single.customs.hs_code,
        single.customs.origin_country,  # where the style was made, local or not
        single.customs.quantity,
        single.customs.declared_value,
    )


def test_the_worked_example_headline_carries_the_carts_totals(
    quote_of: QuoteOf, ref: ReferenceData
) -> None:
    """TC11 x1 and VT02 x1 from US-NJ: goods 291.48, shipping 19.38, duty 9.13, import VAT
    64.00, total 383.99 GBP (carts-and-returns.md)."""
    head = headline_quote(quote_of("UK", TC11=1, VT02=1))
    assert [(x.kind, x.amount) for x in head.landed.lines] == [
        (LineKind.GOODS, gbp("291.48")),
        (LineKind.SHIPPING, gbp("19.38")),
        (LineKind.DUTY, gbp("9.13")),
        (LineKind.VAT, gbp("64.00")),
    ]
    assert head.total == gbp("383.99")
    assert head.landed.tax_treatment is TaxTreatment.DUTY_AND_IMPORT_VAT
    assert head.landed.fx is not None and head.landed.fx.rate == Decimal("0.7752")
    assert (head.style, head.quantity, head.warehouse) == ("TC11", 2, "US-NJ")
    # The headline names its first line's product, as a single-style quote of it does.
    assert head.style_name == ref.style("TC11").name != "TC11"
    assert (head.customs.quantity, head.customs.declared_value) == (2, gbp("291.48"))


def test_a_mixed_carts_headline_spans_its_parcels(quote_of: QuoteOf) -> None:
    """VT01 from UK-LON (1-3 days) and VT02 from US-NJ (5-8 days): the order arrives between
    the first parcel's earliest day and the last parcel's latest."""
    cart = quote_of("UK", VT01=1, VT02=1)
    head = headline_quote(cart)
    assert {s.warehouse: s.delivery_days for s in cart.shipments} == {
        "UK-LON": (1, 3),
        "US-NJ": (5, 8),
    }
    assert head.delivery_days == (1, 8)
    assert head.quantity == 2
    assert head.total == cart.total
    goods, shipping = head.landed.lines[:2]
    assert "2" in goods.description and "2" in shipping.description  # two parcels


def test_an_import_into_a_region_without_vat_is_headlined_untaxed(quote_of: QuoteOf) -> None:
    """US sales tax is out of scope: a parcel into the US from abroad carries no tax."""
    cart = quote_of("US", TC11=1)
    local = cart.shipments[0]
    line = local.charges.lines[0]
    charges = price_items(
        [replace(line.item, quantity=1)],
        shipping=Money(Decimal("12.00"), "USD"),
        cross_border=True,
        terms=local.terms,
        prices_include_vat=False,
    )
    imported = replace(local, charges=charges, source_region="UK", warehouse="UK-LON")
    head = headline_quote(replace(cart, shipments=(imported,)))
    assert head.landed.tax_treatment is TaxTreatment.NONE
    assert head.offer_kind is OfferKind.CROSS_REGION
    assert [x.kind for x in head.landed.lines] == [LineKind.GOODS, LineKind.SHIPPING]


def test_the_headline_names_who_the_cart_was_quoted_for(quote_of: QuoteOf) -> None:
    cart = replace(quote_of("UK", VT01=1), customer_id="c-1", agent_id="agent-7")
    head = headline_quote(cart)
    assert (head.customer_id, head.agent_id) == ("c-1", "agent-7")


def test_a_local_parcel_still_tells_the_carrier_what_is_inside(quote_of: QuoteOf) -> None:
    """No customs for a parcel that stays in the region, but its contents are declared to the
    carrier line by line: HS code, units, value paid and a description."""
    (plan,) = cart_parcel_plans("o-1", quote_of("UK", VT01=2, JR01=1))
    assert plan.warehouse == "UK-LON"
    assert plan.idempotency_key == "o-1:create_shipment:UK-LON"
    assert [(c.quantity, c.declared_value) for c in plan.customs] == [
        (2, gbp("518.00")),
        (1, gbp("159.00")),
    ]
    assert all(isinstance(c.description, str) and c.description for c in plan.customs)


def test_the_reserve_record_names_each_line_held() -> None:
    """The record of the reserve step keeps, for each reservation, what it holds: warehouse,
    style and units (the first line at the top, as a single-style order records it)."""
    held = [
        (StockLine("UK-LON", "VT01", 2, "order:VT01"), "res-1"),
        (StockLine("US-NJ", "VT02", 1, "order:VT02"), "res-2"),
    ]
    assert reservation_data(held, every_line=True) == {
        "reservation_id": "res-1",
        "warehouse": "UK-LON",
        "style": "VT01",
        "quantity": 2,
        "reservations": [
            {"reservation_id": "res-1", "warehouse": "UK-LON", "style": "VT01", "quantity": 2},
            {"reservation_id": "res-2", "warehouse": "US-NJ", "style": "VT02", "quantity": 1},
        ],
    }
    assert reservation_data(held[:1], every_line=False) == {
        "reservation_id": "res-1",
        "warehouse": "UK-LON",
        "style": "VT01",
        "quantity": 2,
    }
