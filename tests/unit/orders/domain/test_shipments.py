from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.orders.domain.carts import Cart, CartLine
from services.orders.domain.errors import NotAvailable, QuoteExpired
from services.orders.domain.money import Money, money_sum
from services.orders.domain.reference import ReferenceData
from services.orders.domain.shipment_charges import ShipmentTreatment, apportion
from services.orders.domain.shipments import CartQuote, quote_cart

QuoteOf = Callable[..., CartQuote]


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


def test_worked_example_comes_to_383_99_gbp(worked_example: CartQuote) -> None:
    """TC11 + VT02 to the UK from US-NJ: one DDP shipment totalling 383.99 GBP at FX 0.7752."""
    assert worked_example.total == gbp("383.99")
    assert worked_example.fx is not None
    assert worked_example.fx.rate == Decimal("0.7752")
    (shipment,) = worked_example.shipments
    assert shipment.warehouse == "US-NJ"
    assert shipment.treatment is ShipmentTreatment.DDP_IMPORT


def test_worked_example_figures_line_by_line(worked_example: CartQuote) -> None:
    """Goods 60.47 + 231.01; shipping 19.38 split 4.02 / 15.36; duty 1.74 + 7.39; VAT 64.00."""
    charges = worked_example.shipments[0].charges
    tc11, vt02 = charges.lines
    assert (tc11.item.style, vt02.item.style) == ("TC11", "VT02")
    assert (tc11.goods, vt02.goods) == (gbp("60.47"), gbp("231.01"))
    assert charges.shipping == gbp("19.38")
    assert (tc11.shipping_share, vt02.shipping_share) == (gbp("4.02"), gbp("15.36"))
    assert (tc11.duty_rate, vt02.duty_rate) == (Decimal("0.027"), Decimal("0.03"))
    assert (tc11.duty, vt02.duty) == (gbp("1.74"), gbp("7.39"))
    assert charges.duty == gbp("9.13")
    assert charges.vat == gbp("64.00")


def test_a_ddp_shipment_carries_customs_data_per_style(worked_example: CartQuote) -> None:
    """Each style of a cross-border shipment is declared: HS code, origin, units, value paid."""
    customs = worked_example.shipments[0].customs
    assert [(c.hs_code, c.origin_country, c.quantity, c.declared_value) for c in customs] == [
        ("4202.32", "VN", 1, gbp("60.47")),
        ("4202.21", "US", 1, gbp("231.01")),
    ]
    assert {c.incoterm for c in customs} == {"DDP"}


def test_mixed_cart_becomes_a_local_and_an_import_shipment(quote_of: QuoteOf) -> None:
    """A UK-listed item (from UK-LON, local) and a US-only one (from US-NJ) are two shipments."""
    quote = quote_of("UK", JR01=1, VT02=1)
    local, imported = quote.shipments
    assert (local.warehouse, local.treatment) == ("UK-LON", ShipmentTreatment.LOCAL)
    assert local.styles == ("JR01",)
    assert local.customs == ()
    assert local.charges.goods == gbp("159.00")  # the UK's own tax-inclusive price
    assert local.charges.vat_included == gbp("26.50")  # 159 x 0.2 / 1.2, shown, not added
    assert local.total == gbp("159.00")
    assert (imported.warehouse, imported.treatment) == ("US-NJ", ShipmentTreatment.DDP_IMPORT)
    assert imported.styles == ("VT02",)
    assert [c.hs_code for c in imported.customs] == ["4202.21"]
    # VT02 alone: 231.01 + 19.38, duty 3% = 7.51, VAT 20% x 257.90 = 51.58.
    assert imported.total == gbp("309.48")
    assert quote.total == gbp("468.48")


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ({"PC15": 1, "TC11": 1}, [("UK-LON", "local"), ("US-NJ", "low_value_vat")]),
        ({"VT02": 1, "CC01": 2}, [("US-NJ", "ddp_import"), ("UK-LON", "local")]),
        ({"DJ27": 3, "VT02": 1, "TC11": 1}, [("UK-LON", "local"), ("US-NJ", "ddp_import")]),
    ],
)
def test_each_shipment_gets_its_own_treatment(
    quote_of: QuoteOf, lines: dict[str, int], expected: list[tuple[str, str]]
) -> None:
    """Shipments follow the cart's order; each is local, low-value VAT or DDP on its own goods."""
    quote = quote_of("UK", **lines)
    assert [(s.warehouse, str(s.treatment)) for s in quote.shipments] == expected


def test_goods_at_or_under_the_threshold_pay_seller_vat_and_no_duty(quote_of: QuoteOf) -> None:
    """TC11 alone (60.47 <= 135): VAT 20% on goods plus shipping, no duty, still declared."""
    (shipment,) = quote_of("UK", TC11=1).shipments
    assert shipment.treatment is ShipmentTreatment.LOW_VALUE_VAT
    assert shipment.charges.duty == gbp("0")
    assert shipment.charges.vat == gbp("15.97")  # 20% x (60.47 + 19.38) = 15.97
    assert shipment.total == gbp("95.82")
    assert len(shipment.customs) == 1


def test_the_low_value_test_applies_to_the_shipment_not_the_line(quote_of: QuoteOf) -> None:
    """Two TC11 (2 x 60.47 = 120.94) stay under £135; three (181.41) go over it."""
    (two,) = quote_of("UK", TC11=2).shipments
    (three,) = quote_of("UK", TC11=3).shipments
    assert two.treatment is ShipmentTreatment.LOW_VALUE_VAT
    assert three.treatment is ShipmentTreatment.DDP_IMPORT
    assert three.charges.goods == gbp("181.41")


def test_shipping_is_charged_once_per_shipment(quote_of: QuoteOf) -> None:
    """Three units from US-NJ still pay one US-to-UK shipping charge (25 USD = 19.38 GBP)."""
    (shipment,) = quote_of("UK", TC11=1, VT02=2).shipments
    assert shipment.charges.shipping == gbp("19.38")
    assert sum(line.item.quantity for line in shipment.charges.lines) == 3


def test_a_local_us_cart_has_no_fx_and_no_tax(quote_of: QuoteOf) -> None:
    """A US cart is priced in USD before tax, one local shipment, no FX rate."""
    quote = quote_of("US", TC11=2, VT02=1)
    (shipment,) = quote.shipments
    assert shipment.treatment is ShipmentTreatment.LOCAL
    assert quote.fx is None
    assert quote.total == Money.of("454.00", "USD")


def test_an_unavailable_line_refuses_the_cart(ref: ReferenceData, now: datetime) -> None:
    """A style that cannot ship to the region (exotic skin to the UK) refuses the whole cart."""
    cart = Cart("UK", (CartLine("TC11", 1), CartLine("PY01", 1)))
    with pytest.raises(NotAvailable) as err:
        quote_cart(ref, cart, quote_id="q", now=now)
    assert err.value.details["style"] == "PY01"


def test_the_quote_expires_after_thirty_minutes(worked_example: CartQuote, now: datetime) -> None:
    """A cart quote is locked for 30 minutes like a single-style quote, then refused."""
    worked_example.ensure_valid(now + timedelta(minutes=29, seconds=59))
    with pytest.raises(QuoteExpired) as err:
        worked_example.ensure_valid(now + timedelta(minutes=30))
    assert err.value.code == "quote_expired"


@given(
    amount=st.integers(min_value=0, max_value=10**7),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=20),
)
def test_apportioned_shares_add_up_to_the_amount(amount: int, weights: list[int]) -> None:
    """Shares rounded half-up with the last taking the remainder add up to the charge exactly."""
    total = Money(Decimal(amount) / 100, "GBP")
    shares = apportion(total, [Money(Decimal(w) / 100, "GBP") for w in weights])
    assert len(shares) == len(weights)
    assert money_sum(shares, "GBP") == total


UK_STYLES = ["TC11", "VT02", "VT01", "JR01", "CC01", "PC15", "DJ27"]


@settings(max_examples=60, deadline=None)
@given(
    picks=st.dictionaries(
        st.sampled_from(UK_STYLES), st.integers(min_value=1, max_value=5), min_size=1
    )
)
def test_shipments_add_up_to_the_quote_total(ref: ReferenceData, picks: dict[str, int]) -> None:
    """Any UK cart: the quote total is the sum of its shipments, each the sum of its parts."""
    cart = Cart("UK", tuple(CartLine(s, q) for s, q in picks.items()))
    quote = quote_cart(ref, cart, quote_id="q", now=datetime(2026, 11, 23, tzinfo=UTC))
    assert money_sum([s.total for s in quote.shipments], "GBP") == quote.total
    assert sorted(st_ for s in quote.shipments for st_ in s.styles) == sorted(picks)
    assert len({s.warehouse for s in quote.shipments}) == len(quote.shipments)
    for shipment in quote.shipments:
        c = shipment.charges
        assert c.total == c.goods + c.shipping + c.duty + c.vat
        assert money_sum([line.shipping_share for line in c.lines], "GBP") in (
            c.shipping,
            Money.zero("GBP"),
        )
