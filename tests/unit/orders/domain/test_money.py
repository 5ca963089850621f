from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.orders.domain.money import CurrencyMismatch, FxSnapshot, Money, UnknownCurrency

SNAPSHOT = FxSnapshot(
    date(2026, 11, 20),
    "USD",
    {"USD": Decimal("1"), "GBP": Decimal("0.7600"), "EUR": Decimal("0.8650")},
    Decimal("0.02"),
)

amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=4)
prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=2)
rates = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("200"), places=4)


def test_rounds_half_up_to_minor_unit() -> None:
    assert Money.of("60.4656", "GBP").amount == Decimal("60.47")
    assert Money.of("0.005", "GBP").amount == Decimal("0.01")
    assert Money.of("0.0049", "GBP").amount == Decimal("0.00")
    assert Money.of("2.675", "USD").amount == Decimal("2.68")  # float would give 2.67
    assert Money.of("-0.005", "EUR").amount == Decimal("-0.01")  # half away from zero


def test_float_is_refused() -> None:
    with pytest.raises(TypeError):
        Money(0.1, "USD")  # type: ignore[arg-type]


def test_currencies_do_not_mix() -> None:
    with pytest.raises(CurrencyMismatch):
        Money.of(1, "USD") + Money.of(1, "GBP")


def test_reference_rate_is_snapshot_times_one_plus_margin() -> None:
    rate = SNAPSHOT.rate("USD", "GBP")
    assert rate.rate == Decimal("0.7752")
    assert rate.snapshot_rate == Decimal("0.7600")
    assert rate.as_of == date(2026, 11, 20)


def test_same_currency_has_no_margin() -> None:
    rate = SNAPSHOT.rate("GBP", "GBP")
    assert rate.rate == 1
    assert rate.convert(Money.of("12.34", "GBP")) == Money.of("12.34", "GBP")


def test_cross_rate_goes_through_the_base() -> None:
    # EUR -> GBP: 0.76 / 0.865 = 0.878612716..., x 1.02 = 0.896184971... -> 6 places
    assert SNAPSHOT.rate("EUR", "GBP").rate == Decimal("0.896185")


def test_unknown_currency() -> None:
    with pytest.raises(UnknownCurrency):
        SNAPSHOT.rate("USD", "CHF")


def test_unit_is_converted_and_rounded_before_quantity() -> None:
    rate = SNAPSHOT.rate("USD", "GBP")
    unit, total = rate.convert_unit(Money.of("78.00", "USD"), 3)
    assert unit == Money.of("60.47", "GBP")
    assert total == Money.of("181.41", "GBP")  # not round(234 x 0.7752) = 181.40


@given(amounts)
def test_money_is_always_at_minor_units(value: Decimal) -> None:
    m = Money(value, "GBP")
    assert m.amount == m.amount.quantize(Decimal("0.01"))
    assert abs(m.amount - value) <= Decimal("0.005")


@given(prices, prices)
def test_addition_of_rounded_amounts_is_exact(a: Decimal, b: Decimal) -> None:
    assert (Money(a, "USD") + Money(b, "USD")).amount == a + b
    assert (Money(a, "USD") + Money(b, "USD") - Money(b, "USD")).amount == a


@given(prices, st.integers(min_value=1, max_value=50))
def test_times_quantity_is_exact_for_rounded_units(unit: Decimal, qty: int) -> None:
    assert Money(unit, "EUR").times(qty).amount == unit * qty


@given(prices, rates)
def test_conversion_within_half_a_penny_of_exact(price: Decimal, rate: Decimal) -> None:
    snap = FxSnapshot(date(2026, 1, 1), "USD", {"USD": Decimal(1), "GBP": rate}, Decimal(0))
    converted = snap.rate("USD", "GBP").convert(Money(price, "USD"))
    assert abs(converted.amount - price * rate) <= Decimal("0.005")


@given(prices, st.integers(min_value=1, max_value=20))
def test_converted_line_is_quantity_times_shown_unit(price: Decimal, qty: int) -> None:
    unit, total = SNAPSHOT.rate("USD", "GBP").convert_unit(Money(price, "USD"), qty)
    assert total.amount == unit.amount * qty
    assert total.currency == "GBP"


@given(prices, prices)
def test_conversion_is_monotonic(a: Decimal, b: Decimal) -> None:
    rate = SNAPSHOT.rate("USD", "EUR")
    lo, hi = sorted((a, b))
    assert rate.convert(Money(lo, "USD")).amount <= rate.convert(Money(hi, "USD")).amount
