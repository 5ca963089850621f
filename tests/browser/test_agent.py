"""The agent console's own work: decide a flagged claim, replay a webhook delivery, refuse what
the claim's state does not allow."""

from __future__ import annotations

import random
import re
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from tests.browser.setup_api import api_client, post
from tests.support.labels import story1_label

pytestmark = pytest.mark.browser


class _Accept(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def partner() -> Iterator[str]:
    """A partner endpoint that accepts every delivery."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Accept)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


def test_agent_approves_a_flagged_claim_and_replays_a_delivery(sign_in, console, partner):
    label = story1_label(random.randrange(10_000, 99_999))
    customer = f"cust-{uuid.uuid4().hex[:8]}"
    with api_client(console.api, "cust-first-owner") as first, api_client(console.api, customer) as me, \
            api_client(console.api, "agent-ops", "agent") as api:  # fmt: skip
        hook = post(api, "/v1/webhooks", {"url": partner,
                                           "event_types": ["warranty.claim.*"]})  # fmt: skip
        earlier = post(first, "/v1/claims", {"region": "UK", "label_code": label,
                                              "components": ["zips"]})  # fmt: skip
        post(first, f"/v1/claims/{earlier['id']}/cancel", {}, status=200)
        flagged = post(me, "/v1/claims", {"region": "UK", "label_code": label,
                                           "components": ["zips"]})  # fmt: skip

    agent = sign_in("agent-review", role="agent")
    agent.get_by_role("link", name=flagged["id"]).click()
    expect(agent.locator("#evidence-title")).to_be_visible()
    expect(agent.locator("main")).to_contain_text("claimed by another customer")
    # Exactly what the state allows: a decision or a cancellation, no repair-centre step.
    expect(agent.get_by_role("button", name="Record receipt")).to_have_count(0)
    # exact: the cancellation's reason is read by the customer too, and says so
    decision = agent.get_by_label("Reason (the customer reads it)", exact=True)
    decision.fill("Bought second-hand; label checked.")
    agent.get_by_role("button", name="Approve").click()
    expect(agent.locator(".flash.success")).to_contain_text("now awaiting item")
    expect(agent.get_by_role("button", name="Approve")).to_have_count(0)
    expect(agent.get_by_role("button", name="Record receipt")).to_be_visible()

    agent.get_by_role("link", name="Operations").click()
    agent.locator("tr", has_text=hook["id"]).get_by_role("link", name="all").click()
    agent.get_by_role("link", name="Delivered").click()
    replay = agent.get_by_role("button", name=re.compile("Replay delivery"))
    deadline = time.monotonic() + 30
    while replay.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.5)
        agent.reload()
    replay.first.click()
    expect(agent.locator(".flash.success")).to_contain_text("1 deliveries will be sent again")


def test_agent_opens_a_claim_for_the_customer_on_the_phone(sign_in):
    label = story1_label(random.randrange(10_000, 99_999))
    customer = f"cust-{uuid.uuid4().hex[:8]}"
    me = sign_in(customer)
    me.get_by_role("link", name="Inbox", exact=True).click()
    expect(me.locator("main")).to_contain_text("Nothing yet")
    agent = sign_in("agent-phone", role="agent")
    agent.get_by_role("link", name="Label check").click()
    agent.get_by_label("Label code").fill(label.lower().replace("0", "o"))
    agent.get_by_role("button", name="Check").click()
    expect(agent.locator(".verdict")).to_contain_text(label)
    agent.get_by_role("button", name="Open claim for this customer").click()
    expect(agent.get_by_label("Customer id")).to_be_focused()  # required: the browser asks first
    agent.get_by_label("Customer id").fill(customer)
    agent.get_by_label("Stitching").check()
    agent.get_by_role("button", name="Open claim for this customer").click()
    expect(agent.locator(".flash.success")).to_contain_text("Claim opened")
    expect(agent.locator(".lead")).to_contain_text(customer)
    claim_id = agent.get_by_role("heading", level=1).inner_text().split()[-1]

    # Her inbox, open all along, shows the news without a reload (the console relays the SSE).
    expect(me.locator(".inbox")).to_contain_text(f"We've received your claim {claim_id}",
                                                 timeout=20_000)  # fmt: skip
    me.get_by_role("link", name="My claims", exact=True).click()
    expect(me.get_by_role("link", name=claim_id)).to_be_visible()


def test_two_agents_and_a_stale_button(sign_in, browser, console):
    """A page left open without live updates offers a step another agent already took: the
    API refuses it and the page shows the problem with its code."""
    with api_client(console.api, f"cust-{uuid.uuid4().hex[:8]}") as me:
        claim = post(me, "/v1/claims", {"region": "UK", "components": ["zips"],
                                        "label_code": story1_label(random.randrange(10_000, 99_999))})  # fmt: skip
    first = sign_in("agent-one", role="agent")
    first.goto(f"/agent/claims/{claim['id']}")
    stale = browser.new_context(base_url=console.url, java_script_enabled=False)
    second = stale.new_page()
    second.goto("/sign-in")
    second.get_by_label("Customer or agent id").fill("agent-two")
    second.get_by_label("Agent", exact=True).check()
    second.get_by_role("button", name="Sign in").click()
    second.goto(f"/agent/claims/{claim['id']}")
    first.get_by_role("button", name="Record receipt").click()
    expect(first.locator("#state-title")).to_contain_text("Received")
    second.get_by_role("button", name="Record receipt").click()
    problem = second.locator(".flash.error")
    expect(problem).to_contain_text("cannot")
    expect(problem.locator("code")).to_have_text(re.compile(r"\w+"))
    expect(second.get_by_role("button", name="Start inspection")).to_be_visible()
    stale.close()


def test_agent_finds_an_order_by_its_id_alone(sign_in, console):
    customer = f"cust-{uuid.uuid4().hex[:8]}"
    with api_client(console.api, customer) as me:
        quote = post(me, "/v1/quotes", {"style": "TC11", "region": "UK"})
        order = post(me, "/v1/orders", {"quote_id": quote["quote_id"], "payment_token": "tok_ok"})
    agent = sign_in("agent-search", role="agent")
    for order_id, found in ((order["order_id"], True), ("ord-nobody-has-this", False)):
        agent.goto("/agent?tab=search")
        agent.get_by_label("Order id").check()
        agent.get_by_label("Id, email or phone", exact=True).fill(order_id)
        agent.get_by_role("button", name="Find").click()
        if found:  # the customer's order page, the customer read from the order itself
            expect(agent).to_have_url(re.compile(f"/agent/customers/{customer}/orders/{order_id}$"))
            expect(agent.locator("main")).to_contain_text(order_id)
        else:
            expect(agent.locator("main")).to_contain_text(f"No order {order_id}.")


def test_a_refused_step_comes_back_filled_in_and_a_live_refresh_keeps_it(sign_in, console):
    """The cancel below is refused (its box left unticked, the browser's own check switched
    off, as a crafted form would): the reason comes back as typed, and a live update of the
    claim goes through (the page keeps following) with the reason carried into it."""
    with api_client(console.api, f"cust-{uuid.uuid4().hex[:8]}") as me:
        claim = post(me, "/v1/claims", {"region": "UK", "components": ["zips"],
                                        "label_code": story1_label(random.randrange(10_000, 99_999))})  # fmt: skip
    agent = sign_in("agent-kept", role="agent")
    agent.goto(f"/agent/claims/{claim['id']}")
    agent.get_by_label("Cancellation reason").fill("The customer found the receipt")
    agent.locator("form[action$='/cancel']").evaluate("f => { f.noValidate = true; }")
    agent.get_by_role("button", name="Cancel the claim").click()
    expect(agent.locator(".flash.error")).to_contain_text("confirmation_required")
    expect(agent).to_have_url(re.compile(f"/agent/claims/{claim['id']}$"))  # not the POST's
    reason = agent.get_by_label("Cancellation reason")
    expect(reason).to_have_value("The customer found the receipt")
    agent.evaluate(
        "document.addEventListener('htmx:afterSettle', () => { window.settled = true; })"
    )
    refresh = """() => {
        window.settled = false;
        document.getElementById('state-title').dataset.before = 'yes';
        htmx.trigger(document.getElementById('live'), 'live-update');
    }"""
    agent.evaluate(refresh)
    agent.wait_for_function("() => window.settled === true")
    expect(agent.locator("#state-title[data-before]")).to_have_count(0)  # swapped in anew
    expect(agent.get_by_label("Cancellation reason")).to_have_value(
        "The customer found the receipt"
    )
    # The mark is what carried it: without it the same refresh shows the form as the server has it.
    agent.get_by_label("Cancellation reason").evaluate("f => { delete f.dataset.kept; }")
    agent.evaluate(refresh)
    agent.wait_for_function("() => window.settled === true")
    expect(agent.get_by_label("Cancellation reason")).to_have_value("")


def test_a_live_refresh_waits_for_a_pressed_button(sign_in, console):
    """A live update answered while the agent's pointer is down on a step's button is not
    swapped in: swapping would put a copy under the pointer, and the click (down on one button,
    up on another) would be lost. The refresh comes once the click has been sent."""
    with api_client(console.api, f"cust-{uuid.uuid4().hex[:8]}") as me:
        claim = post(me, "/v1/claims", {"region": "UK", "components": ["zips"],
                                        "label_code": story1_label(random.randrange(10_000, 99_999))})  # fmt: skip
    agent = sign_in("agent-press", role="agent")
    agent.goto(f"/agent/claims/{claim['id']}")
    agent.get_by_role("button", name="Record receipt").hover()
    agent.mouse.down()
    agent.evaluate("""() => {
        document.getElementById('state-title').dataset.before = 'yes';
        document.addEventListener('htmx:afterRequest', () => { window.answered = true; });
        htmx.trigger(document.getElementById('live'), 'live-update');
    }""")
    agent.wait_for_function("() => window.answered === true")
    expect(agent.locator("#state-title[data-before]")).to_have_count(1)  # not swapped
    agent.mouse.up()
    expect(agent.locator("#state-title")).to_contain_text("Received")
