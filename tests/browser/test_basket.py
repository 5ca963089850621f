"""Story 2 with a basket, through the console only: the UK customer picks a UK-listed jewellery
roll and the two US-only pieces of the worked example, changes her mind about the units, quotes
the basket as one cart (a local parcel from London and a duties-paid parcel from New Jersey whose
figures are the worked example's, 383.99 GBP), pays once and follows both parcels to delivery."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.support.browser.shop import pay

pytestmark = pytest.mark.browser


def add_to_basket(page, style: str) -> None:
    page.locator(".offer", has_text=style).get_by_role(
        "button", name=re.compile("to the basket")
    ).click()
    expect(page.locator(".flash.success")).to_contain_text(f"{style} added to the basket")


def test_uk_customer_orders_a_basket_from_two_warehouses(sign_in):
    me = sign_in(f"cust-uk-{uuid.uuid4().hex[:8]}", locale="en-GB")
    me.get_by_role("link", name="Shop", exact=True).click()
    for style in ("JR01", "TC11", "VT02", "TC11"):
        add_to_basket(me, style)
    expect(me.locator(".basket-link")).to_contain_text("4 units for UK")

    me.locator(".basket-link a").click()
    me.get_by_label("Units of TC11").fill("1")
    me.get_by_label("Units of TC11").press("Enter")  # updates the units, removes nothing
    expect(me.get_by_label("Units of TC11")).to_have_value("1")
    expect(me.locator("tr[data-style]")).to_have_count(3)
    me.get_by_role("button", name=re.compile(r"^Remove .*JR01$")).click()
    expect(me.locator("tr[data-style]")).to_have_count(2)
    me.get_by_role("link", name="Keep shopping").click()
    add_to_basket(me, "JR01")
    me.locator(".basket-link a").click()
    me.get_by_role("button", name="Quote the basket").click()
    # The customer reads product names, not style codes (the code stays beside each line).
    expect(me.locator("h1")).to_contain_text("Juniper crossbody × 1")

    local = me.locator(".parcel", has_text="from London, United Kingdom")
    imported = me.locator(".parcel", has_text="from New Jersey, United States")
    expect(local).to_contain_text("VAT included")
    expect(local).to_contain_text("of which VAT, included in the prices")
    expect(local.locator(".parcel-total")).to_have_text("£159.00")
    expect(imported).to_contain_text("duty and import VAT paid at checkout")
    expect(imported.locator(".parcel-total")).to_have_text("£383.99")
    expect(me.locator(".grand-total .total")).to_have_text("£542.99")
    order_id = pay(me)

    expect(me.locator("#order-status")).to_contain_text("Delivered", timeout=60_000)
    expect(me.locator(".parcel")).to_have_count(2)
    expect(me.locator(".lead")).to_contain_text("Juniper crossbody × 1")
    me.get_by_role("link", name="Shop", exact=True).click()
    expect(me.locator(".basket-link")).to_contain_text("(empty)")
    assert order_id
