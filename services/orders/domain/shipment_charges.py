"""The charges of one shipment (carts-and-returns.md, "A cart is split into shipments").

Works in the customer's currency only: the goods arrive already converted and rounded per unit,
so a return can reprice the lines a customer keeps with exactly the figures of the original
quote (same FX, same shipping charge, same tax terms) by calling `price_items` again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from services.orders.domain.landed_cost import TariffMissing
from services.orders.domain.money import Money, money_sum
from services.orders.domain.reference import ReferenceData


class ShipmentTreatment(StrEnum):
    LOCAL = "local"  # the region's own listing and warehouse: its prices, no customs
    LOW_VALUE_VAT = "low_value_vat"  # goods at or under the threshold: seller VAT, no duty
    DDP_IMPORT = "ddp_import"  # over it: duty + import VAT collected at checkout, paid on import
    UNTAXED_IMPORT = "untaxed_import"  # into a region whose tax is out of scope (US sales tax)


@dataclass(frozen=True, slots=True)
class TaxTerms:
    """The tax facts a shipment was priced with, kept so a return reprices with the same ones."""

    destination: str
    vat_rate: Decimal  # 0 where tax is out of scope
    low_value_threshold: Decimal
    duty_rates: Mapping[str, Decimal]  # hs_code -> rate, for the lines of this shipment

    @classmethod
    def for_destination(cls, ref: ReferenceData, destination: str, hs_codes: set[str]) -> TaxTerms:
        rule = ref.tax.get(destination)
        rates = {hs: r for hs in hs_codes if (r := ref.duty_rate(destination, hs)) is not None}
        if rule is None:
            return cls(destination, Decimal(0), Decimal(0), rates)
        return cls(destination, rule.vat, rule.low_value_threshold, rates)


@dataclass(frozen=True, slots=True)
class Item:
    """A line to price: `unit_price` is already in the customer's currency, rounded.

    `origin` (the style's country of manufacture, never the warehouse's region) and
    `description` (the catalogue's "category: name", never the bare style code) are what every
    parcel declares for the line, local or cross-border, as a single-style quote does
    (reference.StyleDeclaration). `name` is the product's name as the customer sees it.
    """

    style: str
    hs_code: str
    unit_price: Money
    quantity: int
    origin: str
    description: str
    name: str

    @property
    def shown_name(self) -> str:
        """What the customer reads for the line: the product's name, else its style code (a
        line whose quote was stored before quotes kept the name)."""
        return self.name or self.style

    @property
    def goods(self) -> Money:
        return self.unit_price.times(self.quantity)


@dataclass(frozen=True, slots=True)
class PricedLine:
    item: Item
    goods: Money
    shipping_share: Money  # its part of the shipping charge (DDP only; zero otherwise)
    duty_rate: Decimal | None
    duty: Money


@dataclass(frozen=True, slots=True)
class ShipmentCharges:
    currency: str
    treatment: ShipmentTreatment
    lines: tuple[PricedLine, ...]
    shipping: Money
    vat_rate: Decimal
    vat: Money  # VAT added on top: seller VAT (low value) or import VAT (DDP)
    vat_included: Money  # informational: VAT already inside a local tax-inclusive price

    @property
    def goods(self) -> Money:
        return money_sum([line.goods for line in self.lines], self.currency)

    @property
    def duty(self) -> Money:
        return money_sum([line.duty for line in self.lines], self.currency)

    @property
    def total(self) -> Money:
        return self.goods + self.shipping + self.duty + self.vat


def apportion(amount: Money, weights: Sequence[Money]) -> list[Money]:
    """Split `amount` pro rata to `weights`, each share rounded half-up, the last taking the
    remainder so the shares add up to `amount` exactly (with no weight, the last takes all)."""
    if not weights:
        return []
    whole = sum((w.amount for w in weights), Decimal(0))
    shares = [
        amount.times(w.amount / whole) if whole else Money.zero(amount.currency)
        for w in weights[:-1]
    ]
    return [*shares, amount - money_sum(shares, amount.currency)]


def price_items(
    items: Sequence[Item],
    *,
    shipping: Money,
    cross_border: bool,
    terms: TaxTerms,
    prices_include_vat: bool,
) -> ShipmentCharges:
    """Goods, shipping, duty and VAT of one shipment by the rules; an empty shipment costs its
    shipping charge and the seller VAT on it (what a customer keeping nothing still pays)."""
    zero = Money.zero(shipping.currency)
    untaxed = [PricedLine(item, item.goods, zero, None, zero) for item in items]
    goods = money_sum([item.goods for item in items], shipping.currency)
    if not cross_border:
        included = zero
        if prices_include_vat and terms.vat_rate:
            # VAT inside a tax-inclusive price is shown, not added again (as landed_cost shows
            # it for a single line): gross x vat / (1 + vat).
            included = (goods + shipping).times(terms.vat_rate / (1 + terms.vat_rate))
        return _charges(ShipmentTreatment.LOCAL, untaxed, shipping, terms, vat_included=included)
    if terms.vat_rate == 0:
        return _charges(ShipmentTreatment.UNTAXED_IMPORT, untaxed, shipping, terms)
    if goods.amount <= terms.low_value_threshold:
        vat = (goods + shipping).times(terms.vat_rate)
        return _charges(ShipmentTreatment.LOW_VALUE_VAT, untaxed, shipping, terms, vat=vat)
    return _ddp_import(items, shipping, terms)


def _ddp_import(items: Sequence[Item], shipping: Money, terms: TaxTerms) -> ShipmentCharges:
    shares = apportion(shipping, [item.goods for item in items])
    lines = []
    for item, share in zip(items, shares, strict=True):
        rate = terms.duty_rates.get(item.hs_code)
        if rate is None:
            raise TariffMissing(
                f"no duty rate for HS {item.hs_code} into {terms.destination}",
                details={"hs_code": item.hs_code, "destination": terms.destination},
            )
        # Duty is rounded per line: each line is its own entry on the customs declaration.
        lines.append(PricedLine(item, item.goods, share, rate, (item.goods + share).times(rate)))
    goods = money_sum([line.goods for line in lines], shipping.currency)
    duty = money_sum([line.duty for line in lines], shipping.currency)
    # Import VAT is assessed once on the whole consignment, so it is rounded once.
    vat = (goods + shipping + duty).times(terms.vat_rate)
    return _charges(ShipmentTreatment.DDP_IMPORT, lines, shipping, terms, vat=vat)


def _charges(
    treatment: ShipmentTreatment,
    lines: Sequence[PricedLine],
    shipping: Money,
    terms: TaxTerms,
    *,
    vat: Money | None = None,
    vat_included: Money | None = None,
) -> ShipmentCharges:
    zero = Money.zero(shipping.currency)
    return ShipmentCharges(
        currency=shipping.currency,
        treatment=treatment,
        lines=tuple(lines),
        shipping=shipping,
        vat_rate=terms.vat_rate,
        vat=vat or zero,
        vat_included=vat_included or zero,
    )
