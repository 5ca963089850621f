"""Repair or replace, with the reason each plan gives (warranty-policy.md "How a covered claim is
resolved", and "every claim decision must say ... which rule decided it"): the reason names the
step taken and why the earlier ones could not be; refusals name what was wrong."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.warranty.domain.errors import ResolutionError
from services.warranty.domain.reference import Catalogue, PartStock
from services.warranty.domain.resolution import (
    PartUse,
    ResolutionKind,
    plan_resolution,
    reserve_parts,
    store_credit,
)

K = ResolutionKind


def plan(catalogue: Catalogue, style: str, region: str, components: list[str], stock=None, **kw):  # type: ignore[no-untyped-def]
    return plan_resolution(
        catalogue=catalogue, style_code=style, region=region, components=components,
        region_stock=stock or {}, **kw,
    )  # fmt: skip


def test_a_repair_says_where_and_with_which_parts(catalogue: Catalogue) -> None:
    assert plan(catalogue, "VT02", "US", ["handles"]).reasons == (
        "Repair at the US repair centre using HANDLE-PAIR.",
    )
    assert plan(catalogue, "CC01", "EU", ["stitching"]).reasons == (
        "Repair at the EU repair centre using no parts (workshop consumables).",
    )


def test_two_parts_the_more_specific_first_and_a_last_unit_is_used(catalogue: Catalogue) -> None:
    """JR01's handles and zip: one handle pair left in the US, zip pulls in stock."""
    stock = [
        PartStock("HANDLE-PAIR", "JR01", "navy", {"US": 1}),
        PartStock("ZIP-PULL", "JR01", "navy", {"US": 30}),
    ]
    result = plan(catalogue, "JR01", "US", ["handles", "zips"], part_stock=stock)
    assert result.kind is K.REPAIR
    assert result.parts == (
        PartUse("ZIP-PULL", "JR01", "navy", "US"),
        PartUse("HANDLE-PAIR", "JR01", "navy", "US"),
    )
    assert result.reasons == ("Repair at the US repair centre using ZIP-PULL, HANDLE-PAIR.",)


def test_a_part_with_no_stock_row_for_the_region_is_not_in_stock(catalogue: Catalogue) -> None:
    stock = [PartStock("HANDLE-PAIR", "VT02", "brown", {"US": 6})]
    result = plan(catalogue, "VT02", "UK", ["handles"], {"VT02": 1}, part_stock=stock)
    assert result.kind is K.REPLACE_SAME


def test_replacing_with_the_same_style_says_why_not_a_repair(catalogue: Catalogue) -> None:
    result = plan(catalogue, "VT02", "EU", ["handles"], {"VT02": 1})
    assert result.reasons == (
        "No matching parts for VT02 in EU. Replace with the same style from EU stock.",
    )


def test_the_customer_chooses_among_equal_or_dearer_styles_in_stock(
    catalogue: Catalogue,
) -> None:
    """VT02 (US 298.00) out of stock and no brown handle pair: VT01 costs the same, one left."""
    no_parts: list[PartStock] = []
    stock = {"VT02": 0, "VT01": 1, "JR01": 5}
    waiting = plan(catalogue, "VT02", "US", ["handles"], stock, part_stock=no_parts)
    assert (waiting.kind, waiting.options) == (K.AWAITING_CHOICE, ("VT01",))
    assert waiting.reasons == (
        "No matching parts for VT02 in US. VT02 is out of stock in US: "
        "the customer chooses a replacement.",
    )
    chosen = plan(catalogue, "VT02", "US", ["handles"], stock, part_stock=no_parts,
                  customer_choice="VT01")  # fmt: skip
    assert (chosen.kind, chosen.replacement_style, chosen.options) == (
        K.REPLACE_OTHER,
        "VT01",
        ("VT01",),
    )
    assert chosen.reasons == (
        "No matching parts for VT02 in US. Replace VT02 with VT01, chosen by the customer.",
    )


def test_a_choice_outside_the_options_is_refused_naming_them(catalogue: Catalogue) -> None:
    with pytest.raises(ResolutionError) as refused:
        plan(catalogue, "JR01", "US", ["handles"], {"VT01": 3}, customer_choice="CC01")
    assert refused.value.details == {"choice": "CC01", "options": ["VT01"]}


def test_store_credit_says_why_and_how_much(catalogue: Catalogue) -> None:
    result = plan(catalogue, "JR01", "UK", ["handles"], {})
    assert result.reasons == (
        "No matching parts for JR01 in UK. No replacement available: store credit of 159.00 GBP.",
    )
    assert result.to_dict() == {
        "kind": "store_credit",
        "parts": [],
        "replacement_style": None,
        "options": [],
        "credit_amount": "159.00",
        "credit_currency": "GBP",
    }
    assert result.credit_amount == Decimal("159.00")


def test_an_unknown_style_is_named(catalogue: Catalogue) -> None:
    with pytest.raises(ResolutionError) as refused:
        plan(catalogue, "ZZ99", "US", ["handles"])
    assert refused.value.details == {"style": "ZZ99"}


def test_a_part_gone_meanwhile_is_refused_naming_it() -> None:
    use = PartUse("HANDLE-PAIR", "VT02", "brown", "UK")
    with pytest.raises(ResolutionError) as refused:
        reserve_parts({("HANDLE-PAIR", "VT02", "brown", "UK"): 0}, [use])
    assert refused.value.details == {"part": "HANDLE-PAIR", "style": "VT02", "region": "UK"}


def test_a_repair_plan_as_the_claim_records_it(catalogue: Catalogue) -> None:
    assert plan(catalogue, "VT02", "US", ["handles"]).to_dict() == {
        "kind": "repair",
        "parts": [{"part": "HANDLE-PAIR", "style": "VT02", "colour": "brown", "quantity": 1}],
        "replacement_style": None,
        "options": [],
        "credit_amount": None,
        "credit_currency": None,
    }


def test_a_part_the_levels_do_not_list_cannot_be_reserved() -> None:
    with pytest.raises(ResolutionError):
        reserve_parts({}, [PartUse("HANDLE-PAIR", "VT02", "brown", "UK")])


def test_store_credit_alone_and_without_a_regional_price(catalogue: Catalogue) -> None:
    jr01 = catalogue.style("JR01")
    assert jr01 is not None
    assert store_credit(jr01, "UK", catalogue.currencies).reasons == (
        "No replacement available: store credit of 159.00 GBP.",
    )
    assert plan(catalogue, "VT02", "EU", ["hardware"], {}).reasons == (
        "No matching parts for VT02 in EU. No replacement available; VT02 has no EU price: "
        "an agent sets the credit.",
    )
