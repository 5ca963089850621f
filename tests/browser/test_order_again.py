"""Story 2 when the card is declined, in a real browser: the failed order is told once to a
screen reader (its short summary, not the whole live part), she orders the same items again on
a fresh quote and pays with another card; paying the first quote again says it was ordered
before; and a session that ends while the page follows the order sends the whole page to sign
in, not into the live part."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect


def test_after_a_declined_card_she_orders_the_same_items_again(sign_in):
    me = sign_in(f"cust-{uuid.uuid4().hex[:8]}", locale="en-GB")
    me.get_by_role("link", name="Shop", exact=True).click()
    offer = me.locator(".offer", has_text="TC11")
    offer.get_by_label("Quantity").fill("2")
    offer.get_by_role("button", name=re.compile("Get a quote")).click()
    first_quote = me.url
    me.get_by_label("Payment").select_option("tok_declined")
    me.get_by_role("button", name=re.compile(r"^Pay £")).click()
    failure = me.locator("#live .flash.error")
    expect(failure).to_contain_text("declined", timeout=20_000)
    expect(failure).not_to_have_attribute("role", "alert")
    expect(me.locator("#order-summary")).to_contain_text("declined")
    expect(me.locator("#live")).not_to_have_attribute("aria-live", re.compile(".*"))
    failed_order = me.url

    failure.get_by_role("button", name="Order the same items again").click()
    expect(me.get_by_role("heading", level=1)).to_contain_text("× 2")
    assert me.url != first_quote
    me.get_by_label("Payment").select_option("tok_ok")
    me.get_by_role("button", name=re.compile(r"^Pay £")).click()
    expect(me.locator("main > .flash")).to_contain_text("Order placed")
    expect(me.locator("#order-summary")).not_to_contain_text("Failed")

    me.goto(first_quote)  # the declined quote, paid again
    me.get_by_label("Payment").select_option("tok_ok")
    me.get_by_role("button", name=re.compile(r"^Pay £")).click()
    expect(me.locator("main > .flash")).to_contain_text("already ordered, and that order failed")
    assert me.url.endswith(failed_order.rsplit("/", 1)[1])


def test_a_session_that_ends_during_a_live_refresh_goes_to_sign_in(sign_in):
    me = sign_in(f"cust-{uuid.uuid4().hex[:8]}", locale="en-GB")
    me.get_by_role("link", name="Shop", exact=True).click()
    me.locator(".offer", has_text="TC11").get_by_role(
        "button", name=re.compile("Get a quote")
    ).click()
    me.get_by_role("button", name=re.compile(r"^Pay £")).click()
    expect(me.locator("#live")).to_contain_text("Status")
    order_path = me.url.split("://", 1)[1].split("/", 1)[1]
    me.context.clear_cookies()  # the session ends
    try:  # the order's next event may refresh the live part first: the same path, on its own
        me.evaluate("htmx.trigger(document.getElementById('live'), 'live-update')")
    except PlaywrightError as exc:
        assert "navigation" in str(exc)
    expect(me).to_have_url(re.compile(r"/sign-in\?next=/" + re.escape(order_path)))
    expect(me.get_by_role("heading", level=1)).to_have_count(1)
