"""The turnaround alarm in an agent's menu, in a real browser against the real stack: on a page
that is not the queue, htmx fills the menu's entry in after the page (no count was kept yet for
this agent), and it leads to the repair centre; without JavaScript it stays a plain link there;
a customer has no such entry."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
COUNTED = re.compile(r"^(Turnaround on track|Turnaround: \S+ late · \S+ at risk)$")


def open_as_agent(browser, console, first_page: str, javascript: bool = True):  # type: ignore[no-untyped-def]
    """A new agent signed in straight onto `first_page` (not the queue, which reads the counts
    itself), so the menu has no counts kept for this agent yet."""
    context = browser.new_context(base_url=console.url, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"/sign-in?next={first_page}")
    page.get_by_label("Customer or agent id").fill(f"agent-alarm-{uuid.uuid4().hex[:6]}")
    page.get_by_label("Agent", exact=True).check()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{first_page}")
    return context, page


def test_the_menu_loads_the_turnaround_count_after_the_page(browser, console):
    context, agent = open_as_agent(browser, console, "/agent/ops")
    try:
        entry = agent.locator("#nav-alarm")
        # Loaded by htmx from /agent/alarm: the placeholder's request is gone, the count is in.
        expect(entry).not_to_have_attribute("hx-get", re.compile(".*"))
        expect(entry).to_have_text(COUNTED)
        entry.get_by_role("link").click()
        expect(agent).to_have_url(re.compile(r"/agent\?tab=centre"))
        centre = agent.get_by_role("heading", name="At the repair centre, most urgent first")
        expect(centre).to_be_visible()
    finally:
        context.close()


def test_without_javascript_the_menu_links_to_the_repair_centre(browser, console):
    context, agent = open_as_agent(browser, console, "/warranty", javascript=False)
    try:
        link = agent.locator("#nav-alarm").get_by_role("link", name="Turnaround")
        expect(link).to_have_attribute("href", "/agent?tab=centre")
    finally:
        context.close()


def test_a_customer_has_no_turnaround_entry(sign_in, console):
    customer = sign_in(f"cust-{uuid.uuid4().hex[:8]}")
    customer.goto("/warranty")
    expect(customer.get_by_role("navigation", name="Main")).to_be_visible()
    expect(customer.locator("#nav-alarm")).to_have_count(0)
