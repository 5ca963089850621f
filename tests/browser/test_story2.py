"""Story 2 through the console only: the UK customer who wants a US-only item.

She browses the UK catalogue (her choice of region, no redirect), sees the US-only floral tablet
sleeve offered from the US, gets a GBP landed-cost quote line by line, orders it and follows it
to delivery live; the CITES-restricted satchel is unavailable with its reason and a waitlist
button. Then a chat agent finds her and places the same order on her behalf.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.support.browser.shop import pay, quote

pytestmark = pytest.mark.browser


def test_uk_customer_buys_a_us_only_item(sign_in):
    customer_id = f"cust-uk-{uuid.uuid4().hex[:8]}"
    me = sign_in(customer_id, locale="en-GB")
    me.get_by_role("link", name="Shop", exact=True).click()
    expect(me.get_by_label("Deliver to")).to_have_value("UK")

    sleeve = me.locator(".offer", has_text="TC11")
    expect(sleeve).to_contain_text("Ships from the US, duties paid")
    expect(sleeve.locator(".price")).to_have_text("£95.82")
    satchel = me.locator(".offer", has_text="PY01")
    expect(satchel).to_contain_text("CITES")
    satchel.get_by_role("button", name=re.compile("Tell me when")).click()
    expect(me.locator(".flash.success")).to_contain_text("waitlist")

    # Over £135: duty with its HS code and import VAT, all paid at checkout.
    quote(me, "VT02")
    _duty_names_its_hs_code_once(me)
    expect(me.locator(".total")).to_have_text("£309.48")
    me.get_by_role("link", name="Shop", exact=True).click()

    quote(me, "TC11")
    lines = me.locator("table.quote tbody")
    expect(lines).to_contain_text("Goods")
    expect(lines).to_contain_text("Shipping")
    expect(lines).to_contain_text("VAT")
    expect(me.locator(".total")).to_have_text("£95.82")
    facts = me.locator(".facts")
    expect(facts).to_contain_text("UK low-value goods")
    expect(facts).to_contain_text(re.compile(r"1 USD = 0\.\d{4} GBP"))
    expect(facts).to_contain_text("Price locked until")
    order_id = pay(me)

    # Followed live to delivery (carrier schedule compressed), with tracking.
    expect(me.locator("#order-status")).to_contain_text("Delivered", timeout=45_000)
    expect(me.locator("#live")).to_contain_text("Tracking")

    agent = sign_in("agent-chat-uk", role="agent")
    agent.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    agent.get_by_label("Customer id", exact=True).check()
    agent.get_by_label("Id, email or phone", exact=True).fill(customer_id)
    agent.get_by_role("button", name="Find").click()
    expect(agent.get_by_role("heading", level=1)).to_have_text(f"Customer {customer_id}")
    expect(agent.locator("section", has_text="Orders")).to_contain_text(order_id)
    agent.get_by_role("link", name="Order on behalf of this customer").click()
    expect(agent.locator(".notice")).to_contain_text(customer_id)
    quote(agent, "TC11")
    expect(agent.locator(".total")).to_have_text("£95.82")
    on_behalf = pay(agent)
    expect(agent.locator("#live")).to_contain_text("agent-chat-uk")

    me.get_by_role("link", name="My orders", exact=True).click()
    expect(me.get_by_role("link", name=on_behalf)).to_be_visible()
    me.get_by_role("link", name=on_behalf).click()
    expect(me.locator(".lead")).to_contain_text("placed for you by our support team")


def _duty_names_its_hs_code_once(me) -> None:
    """The orders service's words name it ("Import duty 3% (HS 4202.21)"): not said twice."""
    duty = me.get_by_role("row", name=re.compile("Import duty"))
    expect(duty).to_contain_text(re.compile(r"\(HS \d{4}\.\d{2}\)"))
    hs_code = re.search(r"HS (\d{4}\.\d{2})", duty.inner_text()).group(1)
    assert duty.inner_text().count(hs_code) == 1, duty.inner_text()
