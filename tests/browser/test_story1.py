"""Story 1 through the console only: the gift handbag with no receipt.

The agent decodes the label as the customer reads it aloud (with look-alike mistakes), the
customer checks her warranty and opens a claim, downloads a real RMA form, the repair centre
takes the bag through receipt, inspection, repair, shipment and delivery, and the customer's
claim page, left open, shows each step live and ends with the thank-you card.
"""

from __future__ import annotations

import io
import re
import uuid

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

pytestmark = pytest.mark.browser

READ_ALOUD = "sd 2S51 vto2 0o12o z"
CODE = "SD-2551-VT02-00120Z"


def _pdf_text(download) -> str:
    return PdfReader(io.BytesIO(open(download.path(), "rb").read())).pages[0].extract_text()


def test_handbag_without_receipt_through_the_console(sign_in):
    agent = sign_in("agent-phone-uk", role="agent")
    agent.get_by_role("link", name="Label check").click()
    agent.get_by_label("Label code").fill(READ_ALOUD)
    agent.get_by_label("Where the customer lives").select_option("UK")
    agent.get_by_role("button", name="Check").click()
    verdict = agent.locator(".verdict")
    expect(verdict).to_contain_text(CODE)
    expect(verdict.get_by_role("heading")).to_contain_text("Covered until")
    expect(agent.locator(".correction")).to_contain_text("“O” → “0”")
    expect(verdict).to_contain_text("San Diego")

    customer = sign_in(f"cust-{uuid.uuid4().hex[:8]}", locale="en-GB")
    customer.get_by_role("link", name="Warranty", exact=True).click()
    customer.get_by_label("Label code").fill(READ_ALOUD)
    customer.get_by_role("button", name="Check").click()
    expect(customer.locator(".verdict")).to_contain_text(CODE)
    customer.get_by_label("Handles").check()
    customer.get_by_label("Piping").check()
    customer.get_by_label("Describe the problem").fill("The piping on both handles broke.")
    customer.get_by_role("button", name="Open claim").click()

    expect(customer.get_by_role("heading", level=1)).to_contain_text("Claim ")
    claim_id = customer.get_by_role("heading", level=1).inner_text().split()[-1]
    expect(customer.locator("#live")).to_contain_text("RMA issued")
    rma = re.search(r"RMA-[A-Z0-9-]+", customer.locator("#live").inner_text()).group(0)
    with customer.expect_download() as download:
        customer.get_by_role("link", name="Download the RMA form (PDF)").click()
    assert rma in _pdf_text(download.value)

    # The parcel reaches the repair centre with the printed form: found by its RMA number.
    centre = sign_in("agent-repair-uk", role="agent")
    centre.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    centre.get_by_label("RMA number").check()
    centre.get_by_label("Id, email or phone", exact=True).fill(rma.lower())
    centre.get_by_role("button", name="Find").click()
    expect(centre.get_by_role("heading", level=1)).to_have_text(f"Claim {claim_id}")
    expect(centre.locator("#evidence-title")).to_be_visible()
    expect(centre.get_by_text("San Diego workshop")).to_be_visible()
    for button, state, customer_words in [
        ("Record receipt", "Received", "Arrived at our repair centre"),
        ("Start inspection", "Inspecting", "Being inspected"),
        ("Repair with parts", "Repairing", "Repair has started"),
    ]:
        centre.get_by_role("button", name=button).click()
        expect(centre.locator("#state-title")).to_contain_text(state)
        # the customer's open page follows without a reload (SSE relayed by the console)
        expect(customer.locator("#status-title")).to_contain_text(customer_words)

    # The promised return date, in the customer's locale (en-GB: "12 December 2026").
    expect(customer.locator(".promise")).to_have_text(re.compile(r"^\d{1,2} [A-Z][a-z]+ \d{4}$"))

    # A refused step shows the API's problem detail with its code.
    centre.get_by_label("Tracking number").fill("RM 12 34")
    centre.get_by_role("button", name="Ship back with tracking").click()
    expect(centre.locator(".flash.error")).to_contain_text("validation")
    centre.get_by_label("Tracking number").fill("RM123456785GB")
    centre.get_by_role("button", name="Ship back with tracking").click()
    expect(centre.locator("#state-title")).to_contain_text("Shipped back")
    centre.get_by_role("button", name="Record delivery").click()
    expect(centre.locator("#state-title")).to_contain_text(re.compile("Delivered|Closed"))

    card = customer.get_by_role("link", name="Download your thank-you card (PDF)")
    expect(card).to_be_visible()
    expect(customer.locator(".thanks")).to_contain_text("Thank you")
    with customer.expect_download() as download:
        card.click()
    assert open(download.value.path(), "rb").read().startswith(b"%PDF")
