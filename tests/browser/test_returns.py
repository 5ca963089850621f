"""Returns from the console: a customer sends a delivered item back from the order page and
sees the refund breakdown, then the refund once the carrier scans the parcel in; an agent starts
a return for a customer from the customer's order page. This module runs its own stack whose
sandbox carrier scans return parcels in within seconds."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import FAST_CARRIER, Console, console_stack
from tests.support.browser.shop import pay, quote

pytestmark = pytest.mark.browser

FAST_RETURNS = {
    **FAST_CARRIER,
    "ORDERS_CARRIER_RETURN_PICKED_UP_AFTER": "1",
    "ORDERS_CARRIER_RETURN_SCANNED_IN_AFTER": "3",
    "ORDERS_RETURN_SWEEP_INTERVAL": "0.5",
    "ORDERS_RETURN_POLL_INTERVAL": "0.5",
}


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[Console]:
    """Overrides the session's stack for this module only (`sign_in` uses this one)."""
    with console_stack(tmp_path_factory.mktemp("returns-stack"), FAST_RETURNS) as stack:
        yield stack


def delivered_order(page, style: str) -> str:
    page.goto("/shop?region=UK")
    quote(page, style)
    order_id = pay(page)
    expect(page.locator("#order-status")).to_contain_text("Delivered", timeout=30_000)
    return order_id


def start_return(page) -> None:
    page.get_by_label("Reason").select_option("changed_mind")
    page.get_by_role("button", name="Start a return").click()
    expect(page.locator(".flash.success")).to_contain_text("Return R-")


def test_a_customer_returns_a_delivered_item_and_is_refunded(sign_in):
    me = sign_in("cust-returns")
    delivered_order(me, "VT02")
    start_return(me)
    returns = me.locator("#order-returns").locator("..")
    expect(returns).to_contain_text("declared as returned goods")
    expect(returns.locator(".refund-total")).to_have_text("£286.22")
    expect(returns).not_to_contain_text("Reclaimable")  # finance figures are for staff
    deadline = time.monotonic() + 30
    while "Refunded" not in returns.inner_text() and time.monotonic() < deadline:
        time.sleep(0.5)
        me.reload()
    expect(returns).to_contain_text("Refunded")
    expect(me.get_by_role("button", name="Start a return")).to_be_visible()  # nothing left...
    me.get_by_role("button", name="Start a return").click()  # ...so a second one is refused
    expect(me.locator(".flash.error")).to_be_visible()


def test_an_agent_starts_a_return_for_a_customer(sign_in):
    customer = sign_in("cust-agent-return")
    order_id = delivered_order(customer, "TC11")
    agent = sign_in("agent-9", role="agent")
    agent.goto(f"/agent/customers/cust-agent-return/orders/{order_id}")
    start_return(agent)
    returns = agent.locator("#order-returns").locator("..")
    expect(returns).to_contain_text("Started by")
    expect(returns).to_contain_text("agent-9")
    expect(returns).to_contain_text("Reclaimable")
    customer.reload()
    expect(customer.locator("#order-returns").locator("..")).to_contain_text("Return R-")
