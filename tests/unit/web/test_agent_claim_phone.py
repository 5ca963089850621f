"""Story 1 on the phone: the label check tells an agent how to ask for the label and names
where the customer lives; once the RMA is issued, the agent's claim page says what to tell the
customer, in words to read out: where she downloads the form (her claim page; a message with it
was sent too), where and by when to post the item, and how long the repair takes. Only while
the item is awaited, and only to agents. Over a stub gateway."""

from __future__ import annotations

import re

import httpx

from tests.support.web.console import StubConsole, problem
from tests.unit.web.test_claim_pages_plan import serving


def told(html: str) -> str:
    """The "What to tell the customer" box, as text ('' when there is none)."""
    if 'id="tell-title"' not in html:
        return ""
    box = html.split('id="tell-title"')[1].split("</section>")[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", box))


def test_with_the_rma_issued_the_agent_is_told_what_to_say(stub_console: StubConsole) -> None:
    page = stub_console(serving(status="awaiting_item")).get("/agent/claims/CLM-1").text
    words = told(page)
    assert "My claims" in words and "CLM-1" in words and "Download the RMA form" in words
    assert "RMA-20261201-ABC123" in words
    assert "London repair centre, 1 Mill Lane, London E1 1AA" in words
    assert "by 31 December 2026" in words
    assert "within one week of its arrival" in words


def test_no_such_box_once_the_item_arrived(stub_console: StubConsole) -> None:
    page = stub_console(serving(status="received")).get("/agent/claims/CLM-1").text
    assert told(page) == ""


def test_the_customer_reads_her_own_page_not_the_agents_lines(stub_console: StubConsole) -> None:
    page = stub_console(serving(status="awaiting_item"), role="customer").get("/claims/CLM-1")
    assert page.status_code == 200 and told(page.text) == ""


def test_the_label_check_speaks_to_the_agent_about_the_customer(stub_console: StubConsole) -> None:
    """The check page tells the customer where the label is; an agent reads how to ask for it,
    and chooses where the customer lives, not where "you" live."""
    agent = stub_console(serving()).get("/warranty", params={"customer_id": "cust-7"}).text
    assert "Where the customer lives" in agent and "Where you live" not in agent
    assert "Ask the customer to find the small label sewn into the lining" in agent
    customer = stub_console(serving(), role="customer").get("/warranty").text
    assert "Where you live" in customer and "Ask the customer" not in customer


def _customer_page(stub_console: StubConsole, claims: list[dict]) -> str:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/me/contact":
            return problem(404, "contact_not_found")
        items = claims if request.url.path == "/v1/claims" else []
        return httpx.Response(200, json={"items": items, "next_cursor": None})

    return stub_console(answer).get("/agent/customers/cust-9b5bc").text


def test_an_id_with_nothing_on_record_is_a_warning_not_an_empty_customer(
    stub_console: StubConsole,
) -> None:
    """Found by the id she read out: one wrong character shows an empty customer, and a claim
    opened from there would reach nobody. Nothing on record says so first."""
    page = _customer_page(stub_console, [])
    warning = page.split('id="nothing-on-record"')[1].split("</div>")[0]
    assert "Nothing on record for cust-9b5bc" in warning and 'href="/agent?tab=search"' in warning


def test_a_customer_with_a_claim_but_no_contact_is_no_such_warning(
    stub_console: StubConsole,
) -> None:
    claim = {"id": "CLM-1", "status": "awaiting_item", "submitted_at": "2026-12-01T10:00:00Z",
             "item": {"label_code": "VT01"}}  # fmt: skip
    assert 'id="nothing-on-record"' not in _customer_page(stub_console, [claim])
