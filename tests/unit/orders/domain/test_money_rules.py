"""Money and FX by example (cross-border.md "Landed cost": decimal arithmetic, half-up to the
minor unit; the quote's rate is the snapshot rate x (1 + the conversion margin), same currency
converts at exactly 1). The property tests in test_money.py cover the same rules on random
amounts; these pin each figure."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.orders.domain.money import (
    CurrencyMismatch,
    FxSnapshot,
    Money,
    UnknownCurrency,
    money_sum,
)
from shared.errors import DomainError

AS_OF = date(2026, 11, 20)
SNAPSHOT = FxSnapshot(
    AS_OF,
    "USD",
    {
        "USD": Decimal("1"),
        "GBP": Decimal("0.7600"),
        "EUR": Decimal("0.8650"),
        "JPY": Decimal("150"),
    },
    Decimal("0.02"),
)


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


def test_each_currency_rounds_to_its_own_minor_unit() -> None:
    assert Money.of("1234.5", "JPY").amount == Decimal("1235")
    assert str(Money.of("1234.5", "JPY")) == "1235 JPY"
    assert Money.of("10.125", "EUR").amount == Decimal("10.13")
    assert Money.of("10.125", "USD").amount == Decimal("10.13")
    # a currency with no entry rounds to two places
    assert Money.of("1.005", "CHF").amount == Decimal("1.01")
    assert str(Money.of("1.005", "CHF")) == "1.01 CHF"


def test_amounts_are_accepted_as_decimal_int_or_text_never_float() -> None:
    assert Money.of(5, "USD") == Money(Decimal("5.00"), "USD")
    assert Money.of(Decimal("5.004"), "USD").amount == Decimal("5.00")
    assert str(Money.of("7", "GBP")) == "7.00 GBP"
    with pytest.raises(TypeError):
        Money.of(5.0, "USD")  # type: ignore[arg-type]


def test_an_amount_that_is_not_a_number_is_refused_with_a_code() -> None:
    with pytest.raises(DomainError) as raised:
        Money.of("12,50", "GBP")
    assert raised.value.code == "money_invalid_amount"


def test_adding_subtracting_and_multiplying_round_half_up() -> None:
    assert gbp("60.47") + gbp("231.01") == gbp("291.48")
    assert gbp("383.99") - gbp("23.26") == gbp("360.73")
    assert gbp("19.38").times("0.2") == gbp("3.88")  # 3.876
    assert gbp("60.47").times(3) == gbp("181.41")
    assert gbp("10.00").times(Decimal("0.0005")) == gbp("0.01")  # 0.005 rounds up


def test_amounts_of_two_currencies_never_combine() -> None:
    with pytest.raises(CurrencyMismatch) as raised:
        gbp("1") - Money.of("1", "USD")
    assert raised.value.code == "money_currency_mismatch"
    with pytest.raises(CurrencyMismatch):
        money_sum([gbp("1"), Money.of("1", "EUR")], "GBP")


def test_zero_and_sums() -> None:
    assert Money.zero("JPY") == Money(Decimal(0), "JPY")
    assert Money.zero("GBP").is_zero()
    assert not gbp("0.01").is_zero()
    assert money_sum([], "EUR") == Money.of("0", "EUR")
    assert money_sum([gbp("1.10"), gbp("2.20"), gbp("3.30")], "GBP") == gbp("6.60")


def test_the_customer_rate_carries_the_snapshot_and_the_margin() -> None:
    rate = SNAPSHOT.rate("USD", "GBP")
    assert (rate.source, rate.target) == ("USD", "GBP")
    assert (rate.rate, rate.snapshot_rate, rate.margin) == (
        Decimal("0.7752"),
        Decimal("0.7600"),
        Decimal("0.02"),
    )
    assert str(rate.rate) == "0.7752"  # trailing zeros dropped
    assert rate.as_of == AS_OF


def test_a_cross_rate_keeps_its_mid_rate_and_six_places() -> None:
    rate = SNAPSHOT.rate("GBP", "EUR")
    # 0.8650 / 0.7600 = 1.138157894..., x 1.02 = 1.160921052... -> 1.160921
    assert rate.snapshot_rate == Decimal("0.8650") / Decimal("0.7600")
    assert rate.rate == Decimal("1.160921")


def test_a_whole_rate_is_written_as_a_whole_number() -> None:
    """150 x 1.02 = 153: shown as 153, not 1.53E+2 or 153.000000."""
    rate = SNAPSHOT.rate("USD", "JPY")
    assert str(rate.rate) == "153"
    no_margin = FxSnapshot(AS_OF, "USD", {"USD": Decimal(1), "JPY": Decimal(150)}, Decimal(0))
    assert str(no_margin.rate("USD", "JPY").rate) == "150"  # not 1.5E+2
    assert rate.convert(Money.of("10.00", "USD")) == Money.of("1530", "JPY")


def test_the_same_currency_converts_at_one_with_no_margin() -> None:
    rate = SNAPSHOT.rate("EUR", "EUR")
    assert (rate.source, rate.target, rate.rate, rate.snapshot_rate, rate.margin) == (
        "EUR",
        "EUR",
        Decimal(1),
        Decimal(1),
        Decimal(0),
    )
    assert rate.as_of == AS_OF


def test_an_unknown_currency_is_named_whichever_side_it_is_on() -> None:
    with pytest.raises(UnknownCurrency) as raised:
        SNAPSHOT.rate("CHF", "GBP")
    assert raised.value.details == {"currency": "CHF"}
    assert raised.value.code == "fx_unknown_currency"
    with pytest.raises(UnknownCurrency) as raised:
        SNAPSHOT.rate("GBP", "CHF")
    assert raised.value.details == {"currency": "CHF"}


def test_a_rate_converts_only_its_own_source_currency() -> None:
    rate = SNAPSHOT.rate("USD", "GBP")
    assert rate.convert(Money.of("25.00", "USD")) == gbp("19.38")  # 19.38
    with pytest.raises(CurrencyMismatch):
        rate.convert(gbp("25.00"))


def test_a_line_is_the_rounded_unit_times_the_quantity() -> None:
    rate = SNAPSHOT.rate("USD", "GBP")
    assert rate.convert_unit(Money.of("298.00", "USD"), 2) == (gbp("231.01"), gbp("462.02"))


def test_a_rate_is_kept_to_six_places_rounded_half_up() -> None:
    """A half in the seventh place rounds up, as every figure of a quote does (half-even would
    give 1.000002)."""
    snapshot = FxSnapshot(AS_OF, "USD", {"USD": Decimal(1), "XTS": Decimal("1.0000025")},
                          Decimal(0))  # fmt: skip
    assert snapshot.rate("USD", "XTS").rate == Decimal("1.000003")
