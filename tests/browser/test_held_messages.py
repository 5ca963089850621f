"""Held messages on the real stack: the customer's emails reach an SMTP relay that reads each
message and then drops the connection without a reply, so the notifications service cannot know
whether they went out and holds them. The agent sees them in the queue and settles them: one
recorded as sent (never sent twice), one sent again once the relay works (it arrives).

This module runs its own stack (about 20 s more on one worker) whose notifications service
sends through that relay."""

from __future__ import annotations

import os
import random
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import FAST_CARRIER, Console, CuttingSmtp, console_stack, cutting_smtp
from tests.browser.setup_api import api_client, post
from tests.support.labels import story1_label

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SHOOT = os.environ.get("CONCIERGE_SCREENSHOTS") == "1"


@pytest.fixture(scope="module")
def relay() -> Iterator[tuple[CuttingSmtp, dict[str, str]]]:
    with cutting_smtp() as server:
        yield server


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory, chromium_path: str,
            relay: tuple[CuttingSmtp, dict[str, str]]) -> Iterator[Console]:  # fmt: skip
    """Overrides the session's stack for this module only (`sign_in` uses this one)."""
    _, smtp_env = relay
    with console_stack(tmp_path_factory.mktemp("cut-smtp-stack"),
                       {**FAST_CARRIER, **smtp_env}) as stack:  # fmt: skip
        yield stack


@pytest.fixture(scope="module")
def customer(console: Console) -> str:
    """A customer with an email address who opens a claim: its messages are held."""
    customer_id = f"cust-held-{uuid.uuid4().hex[:6]}"
    with api_client(console.api, customer_id) as me:
        contact = {"name": "Margaret", "email": f"{customer_id}@example.co.uk", "locale": "en-GB"}
        answer = me.put("/v1/me/contact", json=contact)
        assert answer.status_code == 200, answer.text
        post(me, "/v1/claims", {"region": "UK", "components": ["handles"],
                                "label_code": story1_label(random.randrange(10_000, 99_999))})  # fmt: skip
    return customer_id


def _held_rows(page, customer_id: str, at_least: int):
    rows = page.get_by_role("row").filter(has_text=customer_id)
    for _ in range(60):  # the delivery worker holds each message within a moment
        if rows.count() >= at_least:
            break
        page.wait_for_timeout(500)
        page.reload()
    assert rows.count() >= at_least, page.locator("main").inner_text()
    return rows


def test_an_agent_settles_held_messages_on_the_real_stack(sign_in, customer, relay):
    server, _ = relay
    agent = sign_in("agent-held", role="agent")
    rows = _all_three_held(agent, customer, server)
    sent_id = _one_recorded_as_sent_after_its_box(agent, rows)
    _one_sent_again_once_the_relay_works(agent, rows, server, sent_id)


def _all_three_held(agent, customer: str, server: CuttingSmtp):
    """Received, approved, return authorisation: all three cut off after the dot, all held and
    listed in the queue's Held messages tab (axe-core over the list)."""
    agent.goto("/agent")
    tabs = agent.get_by_role("navigation", name="Queue tabs")
    tabs.get_by_role("link", name="Held messages").click()
    rows = _held_rows(agent, customer, at_least=3)
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text(f"{customer}@example.co.uk")
    expect(agent.locator("main")).to_contain_text("Your return authorisation RMA-")
    assert len(server.cut) == 3 and not server.received
    _no_serious_violation(agent)
    if SHOOT:
        agent.screenshot(path=str(SCREENSHOTS / "agent-queue-held.png"), full_page=True)
    return rows


def _one_recorded_as_sent_after_its_box(agent, rows) -> str:
    """The provider's records show it went out: recorded as sent, never handed over again.
    That cannot be undone, so it asks first: without the box ticked the browser does not send
    the form, and a form sent anyway (the browser's check off, as a crafted one would) is
    refused by the console, which records nothing and shows the same list again. Its id."""
    sent_id = rows.first.locator("code").first.inner_text()
    sent = agent.get_by_role("row").filter(has_text=sent_id)
    sent.get_by_role("button", name="It was sent").click()
    box = sent.get_by_label(f"Yes, message {sent_id} was sent")
    assert box.evaluate("b => b.validity.valueMissing")
    sent.get_by_role("button", name="It was sent").evaluate("b => { b.form.noValidate = true; }")
    sent.get_by_role("button", name="It was sent").click()
    expect(agent.locator(".flash.error")).to_contain_text("confirmation_required")
    expect(agent.locator(".flash.error")).to_contain_text("Nothing was recorded")
    expect(agent).to_have_url(re.compile(r"/agent\?tab=held$"))  # the list's, not the POST's
    expect(rows).to_have_count(3)
    sent.get_by_label(f"Yes, message {sent_id} was sent").check()
    sent.get_by_role("button", name="It was sent").click()
    expect(agent.get_by_role("status")).to_contain_text("Recorded as sent")
    expect(agent.get_by_role("row").filter(has_text=sent_id)).to_have_count(0)
    expect(rows).to_have_count(2)
    return sent_id


def _one_sent_again_once_the_relay_works(agent, rows, server: CuttingSmtp, sent_id: str) -> None:
    """The relay works again; a message that never left is sent again, arrives, and leaves the
    list; the third is still held for a decision; the one recorded as sent never arrives."""
    server.cutting = False
    resend_id = rows.first.locator("code").first.inner_text()
    rows.first.get_by_role("button", name="Send again").click()
    expect(agent.get_by_role("status")).to_contain_text("It will be sent again")
    expect(agent.get_by_role("row").filter(has_text=resend_id)).to_have_count(0)
    expect(rows).to_have_count(1)
    for _ in range(60):
        if _arrived(server, resend_id):
            break
        agent.wait_for_timeout(500)
    assert _arrived(server, resend_id) and not _arrived(server, sent_id)
    assert len(server.received) == 1


def _arrived(server: CuttingSmtp, message_id: str) -> bool:
    return any(message_id in (m["Message-ID"] or "") for m in server.received)


def _no_serious_violation(page) -> None:
    violations = [v for v in Axe().run(page).response["violations"]
                  if v["impact"] in ("serious", "critical")]  # fmt: skip
    assert not violations, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                            for v in violations]  # fmt: skip
