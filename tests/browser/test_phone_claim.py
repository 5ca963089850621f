"""Story 1 on the phone: the agent finds the caller by the email address she gives, then, from
her page, checks the label she reads out for her (her id and region carried along, nothing
copied by hand), sees whose claim it opens (her name and email beside Open claim) and opens it;
a customer with no contact details is a warning before anything is opened. The email address or
phone number searched for stays out of every address and of the console's log."""

from __future__ import annotations

import random
import re
import uuid
from urllib.parse import quote, quote_plus

import pytest
from playwright.sync_api import expect

from tests.browser.setup_api import api_client
from tests.support.labels import story1_label

pytestmark = pytest.mark.browser


def test_an_agent_opens_a_claim_from_the_customers_page(sign_in, console):
    customer = f"cust-{uuid.uuid4().hex[:8]}"
    save_contact(console, customer, "Margaret Hale", f"{customer}@example.co.uk", None)
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


def find_caller(agent, typed: str, kind: str = "Customer's email") -> None:  # type: ignore[no-untyped-def]
    agent.goto("/agent?tab=search")
    agent.get_by_label(kind).check()
    agent.get_by_label("Id, email or phone").fill(typed)
    agent.get_by_role("button", name="Find").click()


def test_a_callers_email_and_phone_stay_out_of_addresses_and_logs(sign_in, console):
    """The search is posted: a family sharing an address and a number is listed on the POST's
    answer, whose address is the search tab's; the browser's history holds neither, nor does
    the console's log, and a reload shows the search form, empty (not the post sent again)."""
    family = f"family-{uuid.uuid4().hex[:8]}@example.co.uk"
    phone = f"+44 7700 900{random.randrange(200, 999)}"
    for name in ("Ann Hale", "Bea Hale"):
        save_contact(console, f"cust-{uuid.uuid4().hex[:8]}", name, family, phone)
    agent = sign_in("agent-phone-private", role="agent")
    for kind, typed in (("Customer's email", family), ("Customer's phone", phone)):
        find_caller(agent, typed, kind)
        expect(agent.get_by_role("heading", name=re.compile("customers have this"))).to_be_visible()
        for name in ("Ann Hale", "Bea Hale"):
            expect(agent.get_by_role("cell", name=name)).to_be_visible()
        expect(agent.get_by_label("Id, email or phone")).to_have_value(typed)  # kept
        expect(agent).to_have_url(f"{console.url}/agent?tab=search")
    expect(agent.get_by_role("search")).to_have_attribute("method", "post")
    history = agent.context.new_cdp_session(agent).send("Page.getNavigationHistory")
    addresses = " ".join(entry["url"] for entry in history["entries"])
    log = console.log("web")
    for value in (family, phone):
        for written in (value, quote(value), quote_plus(value), value.replace(" ", "")):
            assert written not in addresses and written not in log, written
    agent.reload()
    expect(agent.get_by_label("Id, email or phone")).to_have_value("")
    expect(agent.get_by_role("heading", name=re.compile("customers have this"))).to_have_count(0)


def save_contact(console, customer: str, name: str, email: str, phone: str | None) -> None:  # type: ignore[no-untyped-def]
    with api_client(console.api, customer) as me:
        saved = me.put("/v1/me/contact", json={
            "name": name, "email": email, "phone": phone, "push_tokens": [],
            "locale": "en-GB", "time_zone": None,
        }, headers={"Idempotency-Key": uuid.uuid4().hex})  # fmt: skip
        assert saved.status_code == 200, saved.text


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


# Where the focused element's middle is, and whether it is the element seen there (not covered
# by the alarm pinned over the menu's end, nor off the screen).
IN_SIGHT = """() => { const a = document.activeElement, r = a.getBoundingClientRect();
    const seen = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    return { name: a.textContent.trim(), seen: !!seen && a.contains(seen),
             left: r.left, right: r.right }; }"""


def test_the_header_on_a_phone_leaves_the_screen_to_the_call(sign_in, console):
    """At 390 × 844 the header took 194 px (the menu on two lines, the account on two more):
    now the menu is one line that scrolls sideways with the turnaround alarm pinned in sight,
    each entry reachable by the keyboard and scrolled clear of the alarm, the current one still
    marked; the customer's header is as short. The desktop keeps its wrapping header."""
    agent = sign_in("agent-phone-header", role="agent", viewport=(390, 844))
    agent.goto(f"/agent/customers/cust-{uuid.uuid4().hex[:8]}")
    menu = agent.get_by_role("navigation", name="Main")
    # The alarm's entry, which htmx loads after the page: measured at its full width.
    expect(menu.locator("#nav-alarm a")).to_have_text(re.compile("on track|late"))
    assert agent.locator("header.top").bounding_box()["height"] <= 120
    assert agent.evaluate("document.documentElement.scrollWidth") <= 390
    middles = [box["y"] + box["height"] / 2 for box in _boxes(menu.get_by_role("link"))]
    assert max(middles) - min(middles) < 8, middles  # one line (a second is 30 px lower)
    alarm_box = menu.locator("#nav-alarm a").bounding_box()
    assert alarm_box["x"] >= 0 and alarm_box["x"] + alarm_box["width"] <= 390
    agent.get_by_role("link", name="Skip to content").focus()
    entries = menu.get_by_role("link").all_text_contents()
    for name in ["Concierge Agent console", *entries]:
        agent.keyboard.press("Tab")
        focused = agent.evaluate(IN_SIGHT)
        assert " ".join(focused["name"].split()) == " ".join(name.split()), focused
        assert focused["seen"] and focused["left"] >= 0 and focused["right"] <= 390, focused
    agent.goto("/agent?tab=search")
    expect(menu.get_by_role("link", name="Search")).to_have_attribute("aria-current", "page")

    customer = sign_in(f"cust-{uuid.uuid4().hex[:8]}", viewport=(390, 844))
    customer.goto("/claims")
    assert customer.locator("header.top").bounding_box()["height"] <= 120
    assert customer.evaluate("document.documentElement.scrollWidth") <= 390

    desk = sign_in("agent-phone-header", role="agent")  # 1280 wide
    desk.goto("/agent")
    expect(desk.locator(".who")).to_have_text(re.compile("^Signed in as agent-phone-header"))
    overflow = desk.locator("header.top nav ul").evaluate("e => getComputedStyle(e).overflowX")
    assert overflow == "visible"  # it wraps there, as before


def _boxes(links) -> list[dict]:  # type: ignore[no-untyped-def]
    return [links.nth(i).bounding_box() for i in range(links.count())]
