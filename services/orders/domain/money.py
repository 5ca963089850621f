"""Money in minor units and FX conversion at a locked, margin-adjusted rate.

Every amount a customer sees is rounded half-up to the currency's minor unit; arithmetic on
`Money` always re-rounds, so a line can never carry fractions of a penny into the next line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from shared.errors import DomainError

# ISO 4217 minor units for the currencies we sell in; anything else defaults to 2.
MINOR_UNITS: dict[str, int] = {"USD": 2, "GBP": 2, "EUR": 2, "JPY": 0}
# Effective rates are kept to 6 places: enough for any cross rate, and exact for base rates
# such as 0.7600 x 1.02 = 0.7752.
RATE_PLACES = Decimal("0.000001")


class CurrencyMismatch(DomainError):
    code = "money_currency_mismatch"


class UnknownCurrency(DomainError):
    code = "fx_unknown_currency"


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-MINOR_UNITS.get(currency, 2))


def round_half_up(value: Decimal, currency: str) -> Decimal:
    return value.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def to_decimal(value: Decimal | int | str) -> Decimal:
    if isinstance(value, float):  # floats would smuggle binary noise into prices
        raise TypeError("use Decimal or str for money, never float")
    try:
        return value if isinstance(value, Decimal) else Decimal(value)
    except InvalidOperation as exc:
        raise DomainError(f"not a decimal amount: {value!r}", code="money_invalid_amount") from exc


@dataclass(frozen=True, slots=True)
class Money:
    """An amount rounded to the minor unit of its currency (ROUND_HALF_UP)."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", round_half_up(to_decimal(self.amount), self.currency))

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        return cls(to_decimal(amount), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def times(self, factor: Decimal | int | str) -> Money:
        """Multiply (by a quantity or a rate) and round half-up to the minor unit."""
        return Money(self.amount * to_decimal(factor), self.currency)

    def is_zero(self) -> bool:
        return self.amount == 0

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def money_sum(items: list[Money], currency: str) -> Money:
    total = Money.zero(currency)
    for item in items:
        total = total + item
    return total


@dataclass(frozen=True, slots=True)
class FxSnapshot:
    """Units of each currency per one unit of `base`, as published on `as_of`."""

    as_of: date
    base: str
    rates: dict[str, Decimal]
    conversion_margin: Decimal

    def rate(self, source: str, target: str) -> FxRate:
        """The customer rate from `source` to `target`: cross rate x (1 + margin).

        Same-currency conversion is exactly 1 and carries no margin.
        """
        if source == target:
            return FxRate(source, target, Decimal(1), Decimal(1), Decimal(0), self.as_of)
        for code in (source, target):
            if code not in self.rates:
                raise UnknownCurrency(f"no FX rate for {code}", details={"currency": code})
        mid = self.rates[target] / self.rates[source]
        effective = (mid * (1 + self.conversion_margin)).quantize(RATE_PLACES, ROUND_HALF_UP)
        return FxRate(source, target, _trim(effective), mid, self.conversion_margin, self.as_of)


def _trim(value: Decimal) -> Decimal:
    """Drop trailing zeros (0.775200 -> 0.7752) without switching to exponent notation."""
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


@dataclass(frozen=True, slots=True)
class FxRate:
    """A locked conversion rate: `rate` units of `target` per unit of `source`."""

    source: str
    target: str
    rate: Decimal
    snapshot_rate: Decimal
    margin: Decimal
    as_of: date

    def convert(self, money: Money) -> Money:
        if money.currency != self.source:
            raise CurrencyMismatch(f"rate converts {self.source}, got {money.currency}")
        return Money(money.amount * self.rate, self.target)

    def convert_unit(self, unit_price: Money, quantity: int) -> tuple[Money, Money]:
        """Convert one unit and round it first, then multiply: the customer pays the shown unit."""
        unit = self.convert(unit_price)
        return unit, unit.times(quantity)
