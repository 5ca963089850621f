"""Screen readers hear one short line when a live part changes (its status, or the unread
count), not the whole part swapped in on every refresh: the claim pages, the agent's claim page
and the inbox, as the order page already does."""

from __future__ import annotations

import httpx
import pytest

from tests.support.web.console import StubConsole
from tests.unit.web.test_claim_pages_plan import serving

FRAGMENT = {"HX-Request": "true"}
MESSAGE = {"id": "m1", "title": "Your claim is being inspected", "body": "We have your bag.",
           "created_at": "2026-12-05T10:00:00Z", "read_at": None, "claim_id": "CLM-1",
           "order_id": None, "kind": "claim_received"}  # fmt: skip


def inbox(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"items": [MESSAGE], "next_cursor": None})


def live_attributes(page: str) -> str:
    return page.split('id="live"')[1].split(">")[0]


@pytest.mark.parametrize(("role", "path", "summary"), [
    ("customer", "/claims/CLM-1", "claim-summary"),
    ("agent", "/agent/claims/CLM-1", "claim-summary"),
])  # fmt: skip
def test_a_claim_page_announces_its_status_line_only(stub_console: StubConsole, role: str,
                                                     path: str, summary: str) -> None:  # fmt: skip
    me = stub_console(serving(), role=role)
    page = me.get(path).text
    assert "aria-live" not in live_attributes(page)
    assert f'data-live-summary="{summary}"' in live_attributes(page)
    assert f'<p id="{summary}" class="sr-only" role="status">Claim CLM-1: ' in page
    assert "<span hidden data-summary>Claim CLM-1: " in me.get(path, headers=FRAGMENT).text


def test_the_inbox_announces_its_unread_count_only(stub_console: StubConsole) -> None:
    me = stub_console(inbox, role="customer")
    page = me.get("/inbox").text
    assert "aria-live" not in live_attributes(page)
    assert 'role="status">1 unread message on this page</p>' in page
    assert (
        "<span hidden data-summary>1 unread message on this page</span>"
        in me.get("/inbox", headers=FRAGMENT).text
    )
