"""One shipment's charges, rule by rule (carts-and-returns.md "A cart is split into shipments",
cross-border.md "Regions"): the low-value test at its boundary, a local tax-inclusive price, an
import into a region whose tax is out of scope, a missing tariff, and the tax terms a shipment is
priced with (kept so a return reprices with the same ones)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.orders.domain.landed_cost import TariffMissing
from services.orders.domain.money import Money
from services.orders.domain.reference import ReferenceData
from services.orders.domain.shipment_charges import (
    Item,
    ShipmentTreatment,
    TaxTerms,
    apportion,
    price_items,
)

HANDBAG, SLEEVE = "4202.21", "4202.32"
TOTE = "handbag: Voyager travel tote"  # what a parcel declares (no bearing on the charges)


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


UK = TaxTerms("UK", Decimal("0.20"), Decimal("135.00"), {HANDBAG: Decimal("0.03")})


def test_the_tax_terms_of_a_destination_come_from_its_rows(ref: ReferenceData) -> None:
    """UK: VAT 20%, threshold £135, the duty rate of each HS code the tariff has (none for an
    HS code it lacks)."""
    terms = TaxTerms.for_destination(ref, "UK", {HANDBAG, SLEEVE, "9999.99"})
    assert terms == TaxTerms(
        "UK",
        Decimal("0.20"),
        Decimal("135.00"),
        {HANDBAG: Decimal("0.03"), SLEEVE: Decimal("0.027")},
    )


def test_a_destination_without_a_tax_row_is_priced_untaxed(ref: ReferenceData) -> None:
    terms = TaxTerms.for_destination(ref, "CA", {HANDBAG})
    assert terms == TaxTerms("CA", Decimal(0), Decimal(0), {})
    assert (terms.destination, terms.vat_rate, terms.low_value_threshold) == ("CA", 0, 0)


def test_goods_of_exactly_the_threshold_pay_seller_vat_and_no_duty() -> None:
    """At or under £135 (goods, shipping excluded): seller VAT 20% on goods plus shipping."""
    items = [Item("VT02", HANDBAG, gbp("135.00"), 1, "US", TOTE, "")]
    charges = price_items(
        items, shipping=gbp("19.38"), cross_border=True, terms=UK, prices_include_vat=False
    )
    assert charges.treatment is ShipmentTreatment.LOW_VALUE_VAT
    assert charges.vat == gbp("30.88")  # 20% x 154.38 = 30.876
    assert charges.duty == gbp("0.00")
    assert charges.total == gbp("185.26")


def test_a_penny_over_the_threshold_is_a_ddp_import() -> None:
    items = [Item("VT02", HANDBAG, gbp("135.01"), 1, "US", TOTE, "")]
    charges = price_items(
        items, shipping=gbp("19.38"), cross_border=True, terms=UK, prices_include_vat=False
    )
    assert charges.treatment is ShipmentTreatment.DDP_IMPORT
    assert charges.duty == gbp("4.63")  # 3% x 154.39 = 4.6317
    assert charges.vat == gbp("31.80")  # 20% x (135.01 + 19.38 + 4.63) = 31.804


def test_a_local_tax_inclusive_price_shows_the_vat_inside_it() -> None:
    """A local shipment adds nothing: the VAT inside goods plus shipping is shown,
    gross x 20 / 120."""
    items = [Item("VT01", HANDBAG, gbp("60.00"), 2, "US", TOTE, "")]
    charges = price_items(
        items, shipping=gbp("6.00"), cross_border=False, terms=UK, prices_include_vat=True
    )
    assert charges.treatment is ShipmentTreatment.LOCAL
    assert charges.vat_included == gbp("21.00")  # 126.00 / 6
    assert (charges.vat, charges.duty) == (gbp("0.00"), gbp("0.00"))
    assert charges.total == gbp("126.00")


def test_a_price_before_tax_has_no_vat_inside_it() -> None:
    items = [Item("VT01", HANDBAG, gbp("60.00"), 1, "US", TOTE, "")]
    charges = price_items(
        items, shipping=gbp("6.00"), cross_border=False, terms=UK, prices_include_vat=False
    )
    assert charges.vat_included == gbp("0.00")
    assert charges.total == gbp("66.00")


def test_an_import_into_a_region_whose_tax_is_out_of_scope_adds_no_tax(
    ref: ReferenceData,
) -> None:
    """US sales tax is out of scope: goods and shipping only, whatever the goods' value."""
    terms = TaxTerms.for_destination(ref, "US", {HANDBAG})
    items = [
        Item("JR01", HANDBAG, usd("178.00"), 2, "IT", "handbag: Juniper crossbody", ""),
        Item("CC01", "4202.31", usd("68.00"), 1, "ES", "small_leather_goods: Card case", ""),
    ]
    charges = price_items(
        items, shipping=usd("12.00"), cross_border=True, terms=terms, prices_include_vat=False
    )
    assert charges.treatment is ShipmentTreatment.UNTAXED_IMPORT
    assert charges.currency == "USD"
    assert [(line.item.style, line.goods) for line in charges.lines] == [
        ("JR01", usd("356.00")),
        ("CC01", usd("68.00")),
    ]
    assert {(line.shipping_share, line.duty, line.duty_rate) for line in charges.lines} == {
        (usd("0.00"), usd("0.00"), None)
    }
    assert charges.shipping == usd("12.00")
    assert (charges.vat, charges.duty, charges.vat_rate) == (usd("0.00"), usd("0.00"), 0)
    assert charges.total == usd("436.00")


def test_an_import_with_no_duty_rate_for_a_line_is_refused_naming_it() -> None:
    items = [
        Item("PC15", "4820.10", gbp("200.00"), 1, "CN", "tech_accessory: Glitter phone case", "")
    ]
    with pytest.raises(TariffMissing) as raised:
        price_items(
            items, shipping=gbp("19.38"), cross_border=True, terms=UK, prices_include_vat=False
        )
    assert raised.value.code == "quote_tariff_missing"
    assert raised.value.details == {"hs_code": "4820.10", "destination": "UK"}


def test_with_no_weight_the_last_share_takes_the_whole_amount() -> None:
    assert apportion(gbp("19.38"), [gbp("0.00"), gbp("0.00")]) == [gbp("0.00"), gbp("19.38")]
    assert apportion(gbp("19.38"), []) == []
