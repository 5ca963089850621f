"""Cancelling an order while it is allowed. The shared test stack's carrier ships within a
second, so a cancellation there would race the parcel: this module runs its own stack (about
20 s more on one worker) whose sandbox carrier keeps the parcel at the depot for ten minutes."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import FAST_CARRIER, Console, console_stack
from tests.support.browser.shop import pay, quote

pytestmark = pytest.mark.browser

LATE_CARRIER = {
    **FAST_CARRIER,
    "ORDERS_CARRIER_IN_TRANSIT_AFTER": "600",
    "ORDERS_CARRIER_DELIVERED_AFTER": "1200",
}


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[Console]:
    """Overrides the session's stack for this module only (`sign_in` uses this one)."""
    with console_stack(tmp_path_factory.mktemp("late-carrier-stack"), LATE_CARRIER) as stack:
        yield stack


def test_a_customer_cancels_an_order_before_it_ships(sign_in):
    me = sign_in("cust-cancels")
    me.goto("/shop?region=UK")
    quote(me, "TC11")
    pay(me)
    expect(me.locator("#order-status")).to_contain_text("Confirmed", timeout=30_000)
    expect(me.locator("main")).to_contain_text("Tracking")  # booked, still at the depot

    me.get_by_label(re.compile(r"Yes, cancel order o")).check()
    me.get_by_role("button", name="Cancel this order").click()
    expect(me.locator(".flash.success")).to_contain_text("Order cancelled")
    expect(me.locator("#order-status")).to_contain_text("Cancelled", timeout=30_000)
    expect(me.get_by_role("button", name="Cancel this order")).to_have_count(0)


def test_a_keyboard_user_keeps_their_place_through_a_live_refresh(sign_in):
    """An update to the live part replaces its buttons; the one a keyboard user was on takes
    the focus back (focus would otherwise fall to the top of the page)."""
    me = sign_in("cust-keyboard")
    me.goto("/shop?region=UK")
    quote(me, "TC11")
    pay(me)
    expect(me.locator("#order-status")).to_contain_text("Confirmed", timeout=30_000)
    button = me.get_by_role("button", name="Cancel this order")
    button.focus()
    button.evaluate("b => { b.dataset.before = 'yes'; }")
    me.evaluate("document.addEventListener('htmx:afterSettle', () => { window.settled = true; })")
    me.evaluate("htmx.trigger(document.getElementById('live'), 'live-update')")
    me.wait_for_function("() => window.settled === true")
    expect(me.locator("#live button[data-before]")).to_have_count(0)  # replaced by the refresh
    assert me.evaluate("document.activeElement.textContent") == "Cancel this order"
