"""Small things an agent meets on the phone: ordering for a customer starts in her region (from
her saved formats, not the agent's), and a thank-you card asked for before its facts arrived
says when it will be ready, not only that it is missing."""

from __future__ import annotations

import httpx

from tests.support.web.console import StubConsole, problem

CONTACT = {"customer_id": "cust-ie", "name": "Aoife", "email": "aoife@example.ie", "phone": None,
           "push_tokens": [], "locale": "en-IE"}  # fmt: skip


def gateway(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path == "/v1/me/contact":
        return httpx.Response(200, json=CONTACT)
    if path.endswith("/thank-you-card.pdf"):
        return problem(404, "notifications_card_not_found")
    return httpx.Response(200, json={"items": [], "next_cursor": None})


def test_ordering_for_an_irish_customer_starts_in_the_eu(stub_console: StubConsole) -> None:
    page = stub_console(gateway, role="agent").get("/agent/customers/cust-ie").text
    assert 'href="/agent/customers/cust-ie/shop?region=EU"' in page


def test_a_card_not_ready_yet_says_so(stub_console: StubConsole) -> None:
    answer = stub_console(gateway, role="agent").get("/claims/CLM-1/thank-you-card.pdf")
    assert answer.status_code == 404
    assert "ready a minute after the repair" in answer.text
    assert "notifications_card_not_found" in answer.text
