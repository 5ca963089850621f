"""Returns from the console: a customer sends a delivered item back from the order page and
sees the refund breakdown, then the refund once the carrier scans the parcel in; an agent starts
a return for a customer from the customer's order page. This module runs its own stack whose
sandbox carrier scans return parcels in within seconds."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pypdf
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import FAST_CARRIER, Console, console_stack
from tests.browser.setup_api import api_client, post
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
    # No reload: the return's own events (picked up, scanned in, refunded) refresh the page.
    expect(returns).to_contain_text("Refunded", timeout=30_000)
    # Nothing is left to send back, so no second return is offered.
    expect(me.get_by_role("button", name="Start a return")).to_have_count(0)
    expect(me.locator("#live")).to_contain_text("already being sent back")
    # The label to stick on the parcel, by the warehouse's name (it prints for her records
    # after the refund too: the same label).
    expect(returns).to_contain_text("New Jersey, United States")
    number = returns.locator("[data-return]").first.get_attribute("data-return")
    with me.expect_download() as download:
        returns.get_by_role(
            "link", name=re.compile(r"^Print the return label to .+ \(PDF\)$")
        ).click()
    pdf = download.value
    assert pdf.suggested_filename.startswith(f"return-label-{number}")
    with open(pdf.path(), "rb") as f:
        body = f.read()
    assert body.startswith(b"%PDF-")
    text = pypdf.PdfReader(io.BytesIO(body)).pages[0].extract_text()
    assert number and number in text and "Edison" in text and "returned goods" in text


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


def test_a_mixed_cart_shows_one_parcel_per_warehouse_and_each_can_be_returned(sign_in, console):
    """A UK-listed item and a US-only item: two parcels, each with its own tax treatment and
    tracking; the return form offers both lines."""
    me = sign_in("cust-cart-parcels")
    with api_client(console.api, "cust-cart-parcels") as api:
        lines = [{"style": "JR01", "quantity": 1}, {"style": "VT02", "quantity": 1}]
        cart = post(api, "/v1/quotes", {"region": "UK", "lines": lines})
        order = post(api, "/v1/orders", {"quote_id": cart["quote_id"], "payment_token": "tok_ok"})
    me.goto(f"/orders/{order['order_id']}")
    expect(me.locator("p.lead").first).to_contain_text("in 2 parcels")
    local, imported = me.locator("[data-parcel='UK-LON']"), me.locator("[data-parcel='US-NJ']")
    expect(local).to_contain_text("JR01")
    expect(local).to_contain_text("Sent within your region")
    expect(imported).to_contain_text("VT02")
    expect(imported).to_contain_text("delivered duty paid")
    expect(me.locator("#order-status")).to_contain_text("Delivered", timeout=30_000)
    for parcel in (local, imported):
        expect(parcel).to_contain_text("Delivered")
    options = me.locator("select[name='style'] option")
    expect(options).to_have_count(2)
