"""Landed-cost quotes, checked against hand computations (cross-border.md)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from services.orders.adapters.wire import payload, to_cloud_event
from services.orders.domain.catalogue import OfferKind
from services.orders.domain.errors import InvalidQuantity, NotAvailable, QuoteExpired
from services.orders.domain.events import QuoteCreated
from services.orders.domain.landed_cost import LineKind, TaxTreatment
from services.orders.domain.money import Money
from services.orders.domain.quotes import create_quote
from services.orders.domain.reference import ReferenceData


def gbp(value: str) -> Money:
    return Money.of(value, "GBP")


def amounts(quote) -> dict[str, Money]:
    return {str(line.kind): line.amount for line in quote.lines}


def quote(ref: ReferenceData, now: datetime, style: str, region: str = "UK", qty: int = 1):
    return create_quote(ref, quote_id="q-1", style=style, region=region, quantity=qty, now=now)


def test_tc11_uk_below_threshold_vat_on_goods_and_shipping_no_duty(ref, now) -> None:
    q = quote(ref, now, "TC11")
    # 78 USD x 0.7752 = 60.4656 -> 60.47; shipping 25 x 0.7752 = 19.38;
    # VAT 20% x (60.47 + 19.38 = 79.85) = 15.97; total 60.47 + 19.38 + 15.97 = 95.82
    assert amounts(q) == {
        "goods": gbp("60.47"),
        "shipping": gbp("19.38"),
        "vat": gbp("15.97"),
    }
    assert q.total == gbp("95.82")
    assert q.landed.tax_treatment is TaxTreatment.LOW_VALUE_VAT
    goods = q.landed.line(LineKind.GOODS)
    assert goods is not None and goods.unit_price == gbp("60.47") and goods.quantity == 1
    assert q.fx is not None
    assert q.fx.rate == Decimal("0.7752")
    assert q.fx.as_of.isoformat() == "2026-11-20"
    assert q.offer_kind is OfferKind.CROSS_REGION and q.warehouse == "US-NJ"


def test_vt02_uk_above_threshold_duty_and_import_vat(ref, now) -> None:
    q = quote(ref, now, "VT02")
    # 298 x 0.7752 = 231.0096 -> 231.01; shipping 19.38; duty 3% x 250.39 = 7.5117 -> 7.51;
    # VAT 20% x (250.39 + 7.51 = 257.90) = 51.58; total 231.01 + 19.38 + 7.51 + 51.58 = 309.48
    assert amounts(q) == {
        "goods": gbp("231.01"),
        "shipping": gbp("19.38"),
        "duty": gbp("7.51"),
        "vat": gbp("51.58"),
    }
    assert q.total == gbp("309.48")
    assert q.landed.tax_treatment is TaxTreatment.DUTY_AND_IMPORT_VAT
    duty = q.landed.line(LineKind.DUTY)
    assert duty is not None and duty.rate == Decimal("0.03") and duty.base == gbp("250.39")


def test_threshold_is_on_goods_value_so_two_tc11_cross_it(ref, now) -> None:
    q = quote(ref, now, "TC11", qty=2)
    # goods 2 x 60.47 = 120.94 <= 135: still low value
    assert amounts(q)["goods"] == gbp("120.94")
    assert q.landed.tax_treatment is TaxTreatment.LOW_VALUE_VAT
    q3 = quote(ref, now, "TC11", qty=3)
    # goods 3 x 60.47 = 181.41 > 135: duty 2.7% x (181.41 + 19.38 = 200.79) = 5.42133 -> 5.42;
    # VAT 20% x (200.79 + 5.42 = 206.21) = 41.242 -> 41.24; total 247.45
    assert amounts(q3) == {
        "goods": gbp("181.41"),
        "shipping": gbp("19.38"),
        "duty": gbp("5.42"),
        "vat": gbp("41.24"),
    }
    assert q3.total == gbp("247.45")


def test_exactly_at_threshold_counts_as_low_value(ref, now) -> None:
    from dataclasses import replace

    from services.orders.domain.reference import Listing

    # 174.15 USD x 0.7752 = 135.0011 -> 135.00 exactly at the threshold
    listings = tuple(
        replace(x, price=Money.of("174.15", "USD")) if x.style == "TC11" else x
        for x in ref.listings
    )
    assert all(isinstance(x, Listing) for x in listings)
    q = quote(replace(ref, listings=listings), now, "TC11")
    assert amounts(q)["goods"] == gbp("135.00")
    assert q.landed.tax_treatment is TaxTreatment.LOW_VALUE_VAT
    assert "duty" not in amounts(q)


def test_local_uk_order_shows_vat_included(ref, now) -> None:
    q = quote(ref, now, "VT01")
    # 259.00 includes VAT: 259 x 0.2 / 1.2 = 43.1666 -> 43.17, shown, not added
    assert amounts(q) == {
        "goods": gbp("259.00"),
        "shipping": gbp("0.00"),
        "vat_included": gbp("43.17"),
    }
    assert q.total == gbp("259.00")
    assert q.fx is None
    assert q.landed.tax_treatment is TaxTreatment.PRICES_INCLUDE_VAT


def test_us_local_order_has_no_tax(ref, now) -> None:
    q = quote(ref, now, "TC11", region="US", qty=2)
    assert amounts(q) == {"goods": Money.of("156.00", "USD"), "shipping": Money.of("0", "USD")}
    assert q.landed.tax_treatment is TaxTreatment.NONE


def test_lines_add_up_to_total(ref, now) -> None:
    for style, region in [("TC11", "UK"), ("VT02", "UK"), ("VT02", "EU"), ("DJ27", "EU")]:
        q = quote(ref, now, style, region)
        added = sum((x.amount.amount for x in q.lines if x.adds_to_total), Decimal(0))
        assert added == q.total.amount


def test_quote_expires_after_30_minutes(ref, now) -> None:
    q = quote(ref, now, "TC11")
    assert q.expires_at == now + timedelta(minutes=30)
    q.ensure_valid(now + timedelta(minutes=29, seconds=59))
    with pytest.raises(QuoteExpired) as err:
        q.ensure_valid(now + timedelta(minutes=30))
    assert err.value.code == "quote_expired"


def test_customs_declaration(ref, now) -> None:
    q = quote(ref, now, "VT02")
    assert q.customs.hs_code == "4202.21"
    assert q.customs.origin_country == "US"
    assert q.customs.declared_value == gbp("231.01")
    assert q.customs.incoterm == "DDP"


def test_unavailable_and_bad_quantity_are_refused(ref, now) -> None:
    with pytest.raises(NotAvailable):
        quote(ref, now, "PY01")
    with pytest.raises(InvalidQuantity):
        quote(ref, now, "TC11", qty=0)


def test_quote_created_event_carries_no_personal_data(ref, now) -> None:
    q = create_quote(
        ref, quote_id="q-9", style="TC11", region="UK", quantity=1, now=now, customer_id="c-1"
    )
    event = q.created_event()
    assert isinstance(event, QuoteCreated)
    assert to_cloud_event(event).type == "orders.quote.created"
    data = payload(event)
    assert data["total"] == "95.82" and data["fx_rate"] == "0.7752"
    assert data["customer_id"] == "c-1"
