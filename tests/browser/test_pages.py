"""Every page of the console, for a customer and for an agent, with real data behind it: axe-core
(bundled with axe-playwright-python, no network) reports no serious or critical violation, the
keyboard reaches the content with a visible focus, and no page shows a stack trace.

With CONCIERGE_SCREENSHOTS=1 the same walk saves the main pages to docs/screenshots/.
"""

from __future__ import annotations

import os
import random
import re
import uuid
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.setup_api import api_client, post
from tests.support.labels import story1_label

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SHOOT = os.environ.get("CONCIERGE_SCREENSHOTS") == "1"
AXE = Axe()
# An element's height less its padding and borders, in line heights.
LINES = """e => { const s = getComputedStyle(e);
    const inner = e.getBoundingClientRect().height - parseFloat(s.paddingTop)
        - parseFloat(s.paddingBottom) - parseFloat(s.borderTopWidth)
        - parseFloat(s.borderBottomWidth);
    return inner / parseFloat(s.lineHeight); }"""


@pytest.fixture(scope="module")
def world(console) -> dict[str, str]:
    """A customer with a claim at the repair centre, one flagged for review, an order, inbox
    messages; a webhook endpoint with deliveries (set up through the API, quickly)."""
    customer = f"cust-pages-{uuid.uuid4().hex[:6]}"
    serials = random.sample(range(10_000, 99_999), 2)
    at_centre, reviewed = story1_label(serials[0]), story1_label(serials[1])
    with api_client(console.api, customer) as me, api_client(console.api, "cust-other") as other, \
            api_client(console.api, "agent-pages", "agent") as agent:  # fmt: skip
        hook = post(agent, "/v1/webhooks", {"url": "http://127.0.0.1:9/hook",
                                             "event_types": ["warranty.claim.*"]})  # fmt: skip
        claim = post(me, "/v1/claims", {"region": "UK", "label_code": at_centre,
                                         "components": ["handles", "piping"]})  # fmt: skip
        post(agent, f"/v1/claims/{claim['id']}/receipt", status=200)
        post(agent, f"/v1/claims/{claim['id']}/inspection", status=200)
        first = post(other, "/v1/claims", {"region": "UK", "label_code": reviewed,
                                            "components": ["zips"]})  # fmt: skip
        post(other, f"/v1/claims/{first['id']}/cancel", {"reason": "wrong bag"}, status=200)
        flagged = post(me, "/v1/claims", {"region": "UK", "label_code": reviewed,
                                           "components": ["zips"]})  # fmt: skip
        assert flagged["status"] == "needs_review", flagged
        quote = post(me, "/v1/quotes", {"style": "TC11", "region": "UK"})
        order = post(me, "/v1/orders", {"quote_id": quote["quote_id"], "payment_token": "tok_ok"})
        cart = post(me, "/v1/quotes", {"region": "UK", "lines": [
            {"style": s, "quantity": 1} for s in ("JR01", "TC11", "VT02")]})  # fmt: skip
    return {"cart": cart["quote_id"], "customer": customer, "claim": claim["id"], "flagged": flagged["id"],
            "order": order["order_id"], "quote": quote["quote_id"], "hook": hook["id"],
            "label": at_centre}  # fmt: skip


def _check(page, path: str, shot: str | None = None) -> None:
    response = page.goto(path)
    assert response is not None and response.status < 500, (path, response and response.status)
    page.wait_for_load_state("networkidle") if "live" not in page.content() else None
    assert "Traceback" not in page.content()
    violations = [v for v in AXE.run(page).response["violations"]
                  if v["impact"] in ("serious", "critical")]  # fmt: skip
    assert not violations, (path, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                                   for v in violations])  # fmt: skip
    if SHOOT and shot:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{shot}.png"), full_page=True)


def test_every_customer_page(sign_in, world):
    page = sign_in(world["customer"], locale="en-GB")
    pages = [
        ("/start", "customer-start"), ("/warranty", None),
        (f"/warranty?code={world['label']}&region=UK", "customer-warranty-check"),
        ("/warranty?code=XX-0000&region=UK", None),
        ("/claims", "customer-claims"), (f"/claims/{world['claim']}", "customer-claim"),
        ("/shop?region=UK", "customer-catalogue"), (f"/quotes/{world['quote']}", "customer-quote"),
        ("/orders", None), (f"/orders/{world['order']}", "customer-order"),
        ("/inbox", "customer-inbox"), ("/settings", "customer-settings"), ("/policy", "policy"),
        ("/claims/CLM-none", "error-page"), ("/basket", None),
        (f"/quotes/{world['cart']}", "customer-cart-quote"),
    ]  # fmt: skip
    for path, shot in pages:
        _check(page, path, shot)
    page.goto("/shop?region=UK")
    page.get_by_role("button", name=re.compile("Add .* to the basket")).first.click()
    _check(page, "/basket", "customer-basket")


def test_customer_pages_on_a_phone(sign_in, world):
    """Mobile-first: the customer's main pages on a 390 px wide screen, nothing wider than it
    (the published policy's table scrolls in its own region)."""
    page = sign_in(world["customer"], locale="en-GB", viewport=(390, 844))
    for path, shot in [(f"/claims/{world['claim']}", "mobile-customer-claim"),
                       (f"/quotes/{world['quote']}", "mobile-customer-quote"),
                       (f"/quotes/{world['cart']}", "mobile-customer-cart-quote"),
                       (f"/warranty?code={world['label']}&region=UK", None),
                       ("/shop?region=UK", None), (f"/orders/{world['order']}", None),
                       ("/policy", "mobile-policy")]:  # fmt: skip
        _check(page, path, shot)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    page.goto("/shop?region=UK")
    page.get_by_role("button", name=re.compile("Add .* to the basket")).first.click()
    _check(page, "/basket")
    assert _lines(page.get_by_role("button", name=re.compile("^Remove")).first) == 1


def test_agent_pages_on_a_phone(sign_in, world):
    """Story 1 is an agent on the phone: the pages of that call on a 390 px wide screen, nothing
    wider than it; a list too wide for it scrolls in its own box, where an id stays whole on
    one line (not broken into pieces of four letters to read out)."""
    page = sign_in("agent-pages", role="agent", locale="en-GB", viewport=(390, 844))
    for path, shot in [("/agent", None), ("/agent?tab=centre", "mobile-agent-queue-centre"),
                       (f"/agent/customers/{world['customer']}", "mobile-agent-customer"),
                       (f"/warranty?code={world['label']}&region=UK&customer_id="
                        f"{world['customer']}", None),
                       (f"/agent/claims/{world['claim']}", "mobile-agent-claim")]:  # fmt: skip
        _check(page, path, shot)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    page.goto("/agent?tab=centre")
    assert _lines(page.locator("table.list").get_by_role("link", name=world["claim"])) == 1


def _lines(element) -> int:
    """How many lines of text an element takes (its height less padding, in line heights)."""
    return round(element.evaluate(LINES))


def test_every_agent_page(sign_in, world):
    page = sign_in("agent-pages", role="agent", locale="en-GB")
    customer = world["customer"]
    pages = [
        ("/agent", "agent-queue-review"), ("/agent?tab=centre", "agent-queue-centre"),
        ("/agent?tab=held", None), ("/agent?tab=search", None),
        (f"/agent/claims/{world['claim']}", "agent-claim"),
        (f"/agent/claims/{world['flagged']}", "agent-claim-review"),
        (f"/agent/customers/{customer}", "agent-customer"),
        (f"/agent/customers/{customer}/shop?region=UK", None),
        (f"/agent/customers/{customer}/quotes/{world['quote']}", None),
        (f"/agent/customers/{customer}/quotes/{world['cart']}", None),
        (f"/agent/customers/{customer}/basket", None),
        (f"/agent/customers/{customer}/orders/{world['order']}", None),
        ("/agent/ops", "agent-operations"), ("/agent/ops/webhooks/new", None),
        (f"/agent/ops/webhooks/{world['hook']}", "agent-deliveries"),
        ("/agent/analytics", None), ("/agent/analytics?week_from=2025-W99", None),
        (f"/warranty?code={world['label']}&region=UK", None),
    ]  # fmt: skip
    for path, shot in pages:
        _check(page, path, shot)
    page.goto("/agent")
    expect(page.locator("main")).to_contain_text(world["flagged"])
    expect(page.locator("main")).to_contain_text("claimed by another customer")


def test_sign_in_page_and_keyboard_focus(browser, console):
    context = browser.new_context(base_url=console.url)
    page = context.new_page()
    _check(page, "/sign-in", "sign-in")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    assert skip.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    assert skip.bounding_box()["x"] >= 0  # shown on screen when focused
    # The form is reachable and usable by keyboard alone.
    page.keyboard.press("Enter")
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "subject":
            break
    assert page.evaluate("document.activeElement.id") == "subject"
    page.keyboard.type("-kbd")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="How can we help?")).to_be_visible()
    context.close()
