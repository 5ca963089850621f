"""A customer's own settings: channels, quiet hours, contact details and the formats she reads."""

from __future__ import annotations

import random
import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.setup_api import api_client, post
from tests.support.labels import story1_label

pytestmark = pytest.mark.browser


def test_preferences_quiet_hours_and_locale(sign_in):
    me = sign_in(f"cust-{uuid.uuid4().hex[:8]}", locale="en-GB")
    me.get_by_role("link", name="Settings", exact=True).click()
    marketing = me.get_by_role("group", name="News and offers")
    marketing.get_by_label("Email").check()
    me.get_by_label("From").fill("22:00")
    me.get_by_label("To", exact=True).fill("07:00")
    me.get_by_role("button", name="Save preferences").click()
    expect(me.locator(".flash.success")).to_contain_text("Preferences saved")
    me.reload()
    expect(marketing.get_by_label("Email")).to_be_checked()
    expect(me.get_by_label("From")).to_have_value("22:00")

    # The API's rule (transactional keeps email or in-app) comes back readable, with its code.
    transactional = me.get_by_role("group", name=re.compile("About your claims"))
    for channel in ("Email", "In app"):
        transactional.get_by_label(channel).uncheck()
    me.get_by_role("button", name="Save preferences").click()
    expect(me.locator(".flash.error code")).not_to_be_empty()

    me.get_by_label("Language and formats").select_option("en-US")
    me.get_by_role("textbox", name="Email").fill("margaret@example.co.uk")
    me.get_by_role("button", name="Save contact details").click()
    expect(me.locator(".flash.success")).to_contain_text("Contact details saved")
    expect(me.locator("html")).to_have_attribute("lang", "en-US")
    me.get_by_role("link", name="Shop", exact=True).click()
    expect(me.get_by_label("Deliver to")).to_have_value("US")
    expect(me.locator(".price").first).to_contain_text("$")


def test_a_declined_card_says_why_and_what_to_do(sign_in):
    me = sign_in(f"cust-{uuid.uuid4().hex[:8]}", locale="en-GB")
    me.get_by_role("link", name="Shop", exact=True).click()
    me.locator(".offer", has_text="TC11").get_by_role(
        "button", name=re.compile("Get a quote")
    ).click()
    me.get_by_label("Payment").select_option("tok_declined")
    me.get_by_role("button", name=re.compile(r"^Pay £")).click()
    failure = me.locator("#live .flash.error")
    expect(failure).to_contain_text("Your card was declined", timeout=20_000)
    expect(failure.locator("code")).to_have_text("payment_declined")
    failure.get_by_role("link", name="Back to the shop").click()
    expect(me.get_by_label("Deliver to")).to_have_value("UK")


def test_customer_cancels_a_claim_while_allowed(sign_in, console):
    customer = f"cust-{uuid.uuid4().hex[:8]}"
    label = story1_label(random.randrange(10_000, 99_999))
    with api_client(console.api, customer) as api:
        claim = post(
            api, "/v1/claims", {"region": "UK", "label_code": label, "components": ["zips"]}
        )
    me = sign_in(customer)
    me.goto(f"/claims/{claim['id']}")
    me.get_by_label("Why (optional)").fill("Fixed it myself.")
    # Final: the form asks for its box first (a click without it sends nothing).
    me.get_by_role("button", name="Cancel this claim").click()
    expect(me.locator("#status-title")).not_to_contain_text("Cancelled")
    me.get_by_label(f"Yes, cancel claim {claim['id']}").check()
    me.get_by_role("button", name="Cancel this claim").click()
    expect(me.locator(".flash.success")).to_contain_text("Claim cancelled")
    expect(me.locator("#status-title")).to_contain_text("Cancelled")
    expect(me.get_by_role("button", name="Cancel this claim")).to_have_count(0)


def test_a_live_page_that_stops_following_says_so(sign_in):
    """The relay tells the page of a final refusal (here: played by the route, as a signed-out
    stream would be); the page says where it stopped instead of going quiet."""
    me = sign_in(f"cust-{uuid.uuid4().hex[:8]}")
    me.route("**/live/inbox", lambda route: route.fulfill(
        status=200, headers={"Content-Type": "text/event-stream"},
        body="retry: 3000\n\nevent: problem\ndata: token_expired\n\n"))  # fmt: skip
    me.get_by_role("link", name="Inbox", exact=True).click()
    notice = me.locator(".live-stopped")
    expect(notice).to_contain_text("no longer updates by itself (token_expired)")
    expect(notice).to_have_count(1)
