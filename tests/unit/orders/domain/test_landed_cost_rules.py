"""Which taxes a quote carries, decided by the destination's rule, and the errors it can raise."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from services.orders.domain.errors import InvalidQuantity
from services.orders.domain.landed_cost import (
    LineKind,
    QuoteLine,
    TariffMissing,
    TaxTreatment,
    compute_landed_cost,
)
from services.orders.domain.money import Money
from services.orders.domain.reference import ReferenceData, ShippingRoute


def gbp(value: str) -> Money:
    return Money.of(value, "GBP")


def route(src: str, dst: str, price: Money) -> ShippingRoute:
    return ShippingRoute(src, dst, price, 3, 5)


def landed(ref: ReferenceData, destination: str, unit: Money, via: ShippingRoute, style="VT01"):
    return compute_landed_cost(ref, style=ref.style(style), unit_price=unit, quantity=1,
                               route=via, destination=destination)  # fmt: skip


def test_cross_border_into_a_destination_without_vat_adds_no_tax(ref):
    # UK -> US: the US rule has VAT 0 (sales tax is out of scope): no duty, no VAT, no tariff needed.
    cost = landed(ref, "US", gbp("100.00"), route("UK", "US", gbp("10.00")))
    assert cost.tax_treatment is TaxTreatment.NONE
    assert [line.kind for line in cost.lines] == [LineKind.GOODS, LineKind.SHIPPING]
    assert cost.line(LineKind.VAT) is None and cost.line(LineKind.DUTY) is None


def test_cross_border_into_a_destination_with_no_tax_rule_adds_no_tax(ref):
    no_rule = replace(ref, tax={k: v for k, v in ref.tax.items() if k != "UK"})
    cost = landed(
        no_rule, "UK", Money.of("298.00", "USD"), route("US", "UK", Money.of("25", "USD"))
    )
    assert cost.tax_treatment is TaxTreatment.NONE
    assert [line.kind for line in cost.lines] == [LineKind.GOODS, LineKind.SHIPPING]


@pytest.mark.parametrize("vat", [None, Decimal("0")])
def test_a_local_price_without_vat_to_show_has_no_vat_line(ref, vat):
    tax = {k: v for k, v in ref.tax.items() if k != "UK"}
    if vat is not None:
        tax["UK"] = replace(ref.tax["UK"], vat=vat)
    cost = landed(replace(ref, tax=tax), "UK", gbp("259.00"), route("UK", "UK", gbp("0")))
    assert cost.tax_treatment is TaxTreatment.NONE
    assert [line.kind for line in cost.lines] == [LineKind.GOODS, LineKind.SHIPPING]


def test_a_region_whose_prices_exclude_tax_shows_no_included_vat(ref):
    us_with_vat = {**ref.tax, "US": replace(ref.tax["US"], vat=Decimal("0.08"))}
    cost = landed(replace(ref, tax=us_with_vat), "US", Money.of("78.00", "USD"),
                  route("US", "US", Money.of("0", "USD")), style="TC11")  # fmt: skip
    assert cost.tax_treatment is TaxTreatment.NONE and len(cost.lines) == 2


def test_included_vat_covers_a_local_shipping_charge(ref):
    # 259.00 + 4.99 = 263.99 includes VAT: 263.99 x 0.2 / 1.2 = 43.9983 -> 44.00
    cost = landed(ref, "UK", gbp("259.00"), route("UK", "UK", gbp("4.99")))
    assert cost.lines[2] == QuoteLine(
        LineKind.VAT_INCLUDED, gbp("44.00"), "Includes VAT 20%", rate=Decimal("0.20"),
        base=gbp("263.99"),
    )  # fmt: skip
    assert cost.total == gbp("263.99")


def test_a_missing_tariff_is_an_error_naming_it(ref):
    no_tariff = replace(ref, tariff={})
    with pytest.raises(TariffMissing) as exc:
        landed(no_tariff, "UK", Money.of("298.00", "USD"), route("US", "UK", Money.of("25", "USD")),
               style="VT02")  # fmt: skip
    assert exc.value.code == "quote_tariff_missing"
    assert exc.value.details == {"hs_code": "4202.21", "destination": "UK"}


@pytest.mark.parametrize("quantity", [0, -1])
def test_quantity_below_one_is_refused(ref, quantity):
    with pytest.raises(InvalidQuantity) as exc:
        compute_landed_cost(ref, style=ref.style("VT01"), unit_price=gbp("1"), quantity=quantity,
                            route=route("UK", "UK", gbp("0")), destination="UK")  # fmt: skip
    assert exc.value.details == {"quantity": quantity}


def test_the_goods_figure_is_the_goods_line_in_the_quotes_currency(ref):
    """The goods a quote declares (customs value, refunds' base) is its goods line: the unit
    price times the units, before shipping and taxes (cross-border.md)."""
    cost = compute_landed_cost(ref, style=ref.style("VT01"), unit_price=gbp("259.00"), quantity=3,
                               route=route("UK", "UK", gbp("4.99")), destination="UK")  # fmt: skip
    assert cost.goods == gbp("777.00") == cost.line(LineKind.GOODS).amount
