"""Console steps shared by the browser stories: get a landed-cost quote, then pay for it."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def quote(page, style: str) -> None:
    offer = page.locator(".offer", has_text=style)
    offer.get_by_role("button", name=re.compile("Get a quote")).click()
    expect(page.get_by_role("heading", name="Landed cost in GBP")).to_be_visible()


def pay(page) -> str:
    page.get_by_label("Payment").select_option("tok_ok")
    page.get_by_role("button", name=re.compile(r"^Pay £")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Order ")
    return page.get_by_role("heading", level=1).inner_text().split()[-1]
