"""Landed-cost arithmetic (../shared/domain/cross-border.md), one line at a time.

Every line is rounded half-up to the minor unit before it feeds the next one, so the customer can
re-add the lines they see and get the total. A unit price is converted and rounded first, then
multiplied by the quantity.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from services.orders.domain.errors import InvalidQuantity
from services.orders.domain.money import FxRate, Money
from services.orders.domain.reference import ReferenceData, ShippingRoute, Style
from shared.errors import DomainError


class LineKind(StrEnum):
    GOODS = "goods"
    SHIPPING = "shipping"
    DUTY = "duty"
    VAT = "vat"
    VAT_INCLUDED = "vat_included"  # informational: already inside the goods price


class TaxTreatment(StrEnum):
    NONE = "none"  # e.g. US: prices before tax, sales tax out of scope
    PRICES_INCLUDE_VAT = "prices_include_vat"  # local UK/EU listing
    LOW_VALUE_VAT = "low_value_vat"  # goods <= threshold: VAT at checkout, no duty
    DUTY_AND_IMPORT_VAT = "duty_and_import_vat"  # goods > threshold: duty + import VAT (DDP)


@dataclass(frozen=True, slots=True)
class QuoteLine:
    kind: LineKind
    amount: Money
    description: str
    unit_price: Money | None = None
    quantity: int | None = None
    rate: Decimal | None = None  # duty or VAT rate applied
    base: Money | None = None  # the amount the rate was applied to

    @property
    def adds_to_total(self) -> bool:
        return self.kind is not LineKind.VAT_INCLUDED


@dataclass(frozen=True, slots=True)
class LandedCost:
    currency: str
    lines: tuple[QuoteLine, ...]
    total: Money
    fx: FxRate | None
    tax_treatment: TaxTreatment

    def line(self, kind: LineKind) -> QuoteLine | None:
        return next((x for x in self.lines if x.kind is kind), None)

    @property
    def goods(self) -> Money:
        line = self.line(LineKind.GOODS)
        return line.amount if line else Money.zero(self.currency)


class TariffMissing(DomainError):
    code = "quote_tariff_missing"


def compute_landed_cost(
    ref: ReferenceData,
    *,
    style: Style,
    unit_price: Money,
    quantity: int,
    route: ShippingRoute,
    destination: str,
) -> LandedCost:
    """Price `quantity` units of `style` (listed at `unit_price`) delivered to `destination`."""
    if quantity < 1:
        raise InvalidQuantity("quantity must be at least 1", details={"quantity": quantity})
    region = ref.region(destination)
    currency = region.currency
    goods_fx = ref.fx.rate(unit_price.currency, currency)
    unit, goods = goods_fx.convert_unit(unit_price, quantity)
    shipping = ref.fx.rate(route.price.currency, currency).convert(route.price)
    lines = [
        QuoteLine(LineKind.GOODS, goods, f"{style.name} x {quantity}", unit, quantity),
        QuoteLine(LineKind.SHIPPING, shipping, f"Shipping {route.from_region} to {destination}"),
    ]
    cross_border = route.from_region != destination
    if cross_border:
        treatment, tax_lines = _import_taxes(ref, style, destination, goods, shipping)
    else:
        treatment, tax_lines = _local_taxes(ref, destination, goods + shipping)
    lines.extend(tax_lines)
    total = Money.zero(currency)
    for line in lines:
        if line.adds_to_total:
            total = total + line.amount
    fx = goods_fx if unit_price.currency != currency else None
    return LandedCost(currency, tuple(lines), total, fx, treatment)


def _local_taxes(
    ref: ReferenceData, destination: str, gross: Money
) -> tuple[TaxTreatment, list[QuoteLine]]:
    region = ref.region(destination)
    rule = ref.tax.get(destination)
    if not region.prices_include_tax or rule is None or rule.vat == 0:
        return TaxTreatment.NONE, []
    # VAT inside a tax-inclusive price: gross x vat / (1 + vat), shown but not added again.
    included = gross.times(rule.vat / (1 + rule.vat))
    line = QuoteLine(
        LineKind.VAT_INCLUDED, included, f"Includes VAT {_pct(rule.vat)}", rate=rule.vat, base=gross
    )
    return TaxTreatment.PRICES_INCLUDE_VAT, [line]


def _import_taxes(
    ref: ReferenceData, style: Style, destination: str, goods: Money, shipping: Money
) -> tuple[TaxTreatment, list[QuoteLine]]:
    rule = ref.tax.get(destination)
    if rule is None or rule.vat == 0:
        return TaxTreatment.NONE, []
    base = goods + shipping
    if goods.amount <= rule.low_value_threshold:
        vat = base.times(rule.vat)
        line = QuoteLine(LineKind.VAT, vat, f"VAT {_pct(rule.vat)}", rate=rule.vat, base=base)
        return TaxTreatment.LOW_VALUE_VAT, [line]
    duty_rate = ref.duty_rate(destination, style.hs_code)
    if duty_rate is None:
        raise TariffMissing(
            f"no duty rate for HS {style.hs_code} into {destination}",
            details={"hs_code": style.hs_code, "destination": destination},
        )
    duty = base.times(duty_rate)
    vat_base = base + duty
    vat = vat_base.times(rule.vat)
    return TaxTreatment.DUTY_AND_IMPORT_VAT, [
        QuoteLine(
            LineKind.DUTY,
            duty,
            f"Import duty {_pct(duty_rate)} (HS {style.hs_code})",
            rate=duty_rate,
            base=base,
        ),
        QuoteLine(LineKind.VAT, vat, f"Import VAT {_pct(rule.vat)}", rate=rule.vat, base=vat_base),
    ]


def _pct(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"
