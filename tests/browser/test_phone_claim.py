"""Story 1 on the phone: the agent finds the caller by the email address she gives, then, from
her page, checks the label she reads out for her (her id and region carried along, nothing
copied by hand), sees whose claim it opens (her name and email beside Open claim) and opens it;
a customer with no contact details is a warning before anything is opened."""

from __future__ import annotations

import random
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.setup_api import api_client
from tests.support.labels import story1_label

pytestmark = pytest.mark.browser


def test_an_agent_opens_a_claim_from_the_customers_page(sign_in, console):
    customer = f"cust-{uuid.uuid4().hex[:8]}"
    with api_client(console.api, customer) as me:
        saved = me.put("/v1/me/contact", json={
            "name": "Margaret Hale", "email": f"{customer}@example.co.uk", "phone": None,
            "push_tokens": [], "locale": "en-GB", "time_zone": None,
        }, headers={"Idempotency-Key": uuid.uuid4().hex})  # fmt: skip
        assert saved.status_code == 200, saved.text
    label = story1_label(random.randrange(10_000, 99_999))

    # A US agent (her own formats would pick US), the UK customer on the line: she gives her
    # email address (not her customer id, which she does not know), as she says it.
    agent = sign_in("agent-phone-us", role="agent", locale="en-US")
    find_caller(agent, f"{customer.upper()}@Example.co.uk")
    expect(agent).to_have_url(f"{console.url}/agent/customers/{customer}")
    agent.get_by_label("Label code (as the customer reads it out)").fill(label.lower())
    agent.get_by_role("button", name="Check a label for this customer").click()

    expect(agent.locator(".verdict")).to_contain_text(label)
    # Her region, not the agent's.
    expect(agent.get_by_label("Where the customer lives")).to_have_value("UK")
    whose = agent.locator("#whose")
    expect(whose).to_contain_text("Margaret Hale")
    expect(whose).to_contain_text(f"{customer}@example.co.uk")
    expect(agent.get_by_label("Customer id")).to_have_count(0)  # nothing to copy by hand
    agent.get_by_label("Stitching").check()
    agent.get_by_role("button", name="Open claim for this customer").click()
    expect(agent.locator(".flash.success")).to_contain_text("Claim opened")
    expect(agent.locator(".lead")).to_contain_text(customer)


def find_caller(agent, email: str) -> None:  # type: ignore[no-untyped-def]
    agent.goto("/agent?tab=search")
    agent.get_by_label("Customer's email").check()
    agent.get_by_label("Id, email or phone").fill(email)
    agent.get_by_role("button", name="Find").click()


def test_a_customer_without_contact_details_is_a_warning(sign_in):
    stranger = f"cust-{uuid.uuid4().hex[:8]}"
    agent = sign_in("agent-phone", role="agent")
    agent.goto(f"/agent/customers/{stranger}")
    # A mistyped id looks like this: the page says so before anything is opened for it.
    nothing = agent.locator("#nothing-on-record")
    expect(nothing).to_contain_text(f"Nothing on record for {stranger}")
    expect(nothing.get_by_role("link", name="Search again")).to_have_attribute(
        "href", "/agent?tab=search"
    )
    agent.get_by_label("Label code (as the customer reads it out)").fill(story1_label(4242))
    agent.get_by_role("button", name="Check a label for this customer").click()
    warning = agent.locator("#whose")
    expect(warning).to_have_attribute("role", "alert")
    expect(warning).to_contain_text("no contact details")
    expect(warning.get_by_role("link", name="Another customer")).to_be_visible()


def test_an_agent_records_a_callers_contact_details(sign_in):
    """A caller with nothing on record: the agent takes her details on the phone, and her page
    then names her (and a claim opened for her reaches her)."""
    caller = f"cust-{uuid.uuid4().hex[:8]}"
    agent = sign_in("agent-phone", role="agent")
    agent.goto(f"/agent/customers/{caller}")
    details = agent.locator("#contact-details")
    details.locator("summary").click()  # closed until asked for: often a misheard id
    details.get_by_label("Name").fill("Margaret Hale")
    details.get_by_label("Email").fill(f"{caller}@example.co.uk")
    details.get_by_label("Mobile (with its country code)").fill("07700 900123")  # no +44
    details.get_by_label(f"Yes, {caller} is the caller's customer id (checked with her)").check()
    details.get_by_role("button", name="Save contact details").click()
    expect(agent.locator(".flash.error")).to_be_visible()
    expect(details.get_by_label("Email")).to_have_value(f"{caller}@example.co.uk")  # kept
    details.get_by_label("Mobile (with its country code)").fill("+44 (0)7700 900123")
    details.get_by_label(f"Yes, {caller} is the caller's customer id (checked with her)").check()
    details.get_by_role("button", name="Save contact details").click()
    expect(agent.locator(".flash.success")).to_contain_text(f"Contact details saved for {caller}")
    expect(agent.locator(".lead")).to_contain_text("Margaret Hale")
    expect(agent.locator(".lead")).to_contain_text("+447700900123")
    expect(agent.locator("#nothing-on-record")).to_have_count(0)
