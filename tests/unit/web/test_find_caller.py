"""Queue > Search finds the customer on the phone by what she can give: her email address or her
phone number (`GET /v1/customers`), not a customer id she does not know. One match opens her
page; a shared address lists each customer to choose from; none, or a malformed address or
number, says so and keeps what was typed. The search is posted (with the session's CSRF token),
so what was typed is in no address: the page's, the browser history's or a proxy's log."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient

from tests.support.web.console import StubConsole, csrf, problem

SEARCH_PAGE = "/agent?tab=search"


def search(client: TestClient, token_from: str = SEARCH_PAGE, **fields: str) -> httpx.Response:
    """The search form posted as the page at `token_from` would post it."""
    token = csrf(client.get(token_from).text)
    return client.post("/agent/search", data={"csrf_token": token, **fields},
                       follow_redirects=False)  # fmt: skip


def match(customer_id: str, name: str) -> dict:
    return {"customer_id": customer_id, "name": name, "email": "family@example.co.uk",
            "phone": "+447700900123", "locale": "en-GB",
            "updated_at": "2026-12-01T10:00:00Z"}  # fmt: skip


def found(*matches: dict):  # type: ignore[no-untyped-def]
    """The stub gateway: these matches for the search, empty lists for anything else."""

    def answer(request: httpx.Request) -> httpx.Response:
        items = list(matches) if request.url.path == "/v1/customers" else []
        return httpx.Response(200, json={"items": items, "next_cursor": None})

    return answer


def test_one_customer_with_that_email_opens_her_page(
    stub_console: StubConsole, gateway_calls: list
) -> None:
    agent = stub_console(found(match("cust-margaret", "Margaret Hale")), role="agent")
    r = search(agent, kind="email", q=" Margaret@Example.co.uk ")
    assert r.status_code == 303 and r.headers["location"] == "/agent/customers/cust-margaret"
    [call] = [c for c in gateway_calls if c.url.path == "/v1/customers"]
    assert call.url.params["email"] == "Margaret@Example.co.uk"


def test_a_shared_phone_number_lists_every_customer_to_choose_from(
    stub_console: StubConsole, gateway_calls: list
) -> None:
    agent = stub_console(found(match("cust-a", "Ann"), match("cust-b", "Bea")), role="agent")
    r = search(agent, kind="phone", q="+44 7700 900123")
    assert r.status_code == 200
    # The POST's answer names the search tab as its address: a reload asks for the form.
    assert f'data-page="{SEARCH_PAGE}"' in r.text.replace("&amp;", "&")
    assert '<a href="/agent?tab=search" aria-current="page">Search</a>' in r.text
    assert "2 customers have this phone number" in r.text
    for customer_id, name in (("cust-a", "Ann"), ("cust-b", "Bea")):
        assert f'<a href="/agent/customers/{customer_id}">{customer_id}</a>' in r.text
        assert name in r.text
    [call] = [c for c in gateway_calls if c.url.path == "/v1/customers"]
    assert call.url.params["phone"] == "+44 7700 900123"


def test_no_customer_or_a_malformed_address_says_so_and_keeps_it(stub_console: StubConsole) -> None:
    agent = stub_console(found(), role="agent")
    r = search(agent, kind="email", q="nobody@example.co.uk")
    assert r.status_code == 404
    assert "No customer has the email address nobody@example.co.uk." in r.text
    assert 'value="nobody@example.co.uk"' in r.text and 'value="email" checked' in r.text
    agent = stub_console(lambda r: problem(422, "validation_error"), role="agent")
    r = search(agent, kind="phone", q="07700 900123")
    assert r.status_code == 422
    assert "Type the number with its country code, like +44 7700 900123." in r.text
    assert 'value="07700 900123"' in r.text and 'value="phone" checked' in r.text


def test_customers_cannot_search_for_customers(
    stub_console: StubConsole, gateway_calls: list
) -> None:
    me = stub_console(found(match("cust-a", "Ann")), role="customer")
    r = search(me, "/warranty", kind="email", q="family@example.co.uk")
    assert r.status_code in (303, 403, 404)
    assert not [c for c in gateway_calls if c.url.path == "/v1/customers"]


def test_the_search_form_is_posted_with_its_csrf_token(
    stub_console: StubConsole, gateway_calls: list
) -> None:
    agent = stub_console(found(match("cust-a", "Ann")), role="agent")
    form = re.search(r'<form [^>]*action="/agent/search"[^>]*>', agent.get(SEARCH_PAGE).text)
    assert form is not None and 'method="post"' in form.group(0)
    refused = agent.post("/agent/search", data={"kind": "email", "q": "family@example.co.uk"})
    assert refused.status_code == 403 and "csrf_token_missing" in refused.text
    assert not [c for c in gateway_calls if c.url.path == "/v1/customers"]


def test_the_old_search_address_searches_nothing(
    stub_console: StubConsole, gateway_calls: list
) -> None:
    """A bookmark or a link to the GET form of old finds the form, empty: what its query held
    is neither searched for nor echoed."""
    agent = stub_console(found(match("cust-a", "Ann")), role="agent")
    r = agent.get("/agent/search", params={"kind": "email", "q": "family@example.co.uk"},
                  follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == SEARCH_PAGE
    assert not [c for c in gateway_calls if c.url.path == "/v1/customers"]


def test_every_kind_is_searched_by_post_and_answers_with_ids_only(
    stub_console: StubConsole,
) -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/orders/ord-1":
            return httpx.Response(200, json={"customer_id": "cust-a"})
        if request.url.path == "/v1/claims":  # by RMA number, or the queue's alarm
            items = [{"id": "CLM-7"}] if request.url.params.get("rma") else []
            return httpx.Response(200, json={"items": items, "next_cursor": None})
        return httpx.Response(200, json={"id": "CLM-7"})

    agent = stub_console(gateway, role="agent")
    for kind, q, where in (("claim", "CLM-7", "/agent/claims/CLM-7"),
                           ("rma", "rma-20261201-abc123", "/agent/claims/CLM-7"),
                           ("customer", "cust-a", "/agent/customers/cust-a"),
                           ("order", "ord-1", "/agent/customers/cust-a/orders/ord-1")):  # fmt: skip
        r = search(agent, kind=kind, q=q)
        assert (r.status_code, r.headers["location"]) == (303, where), kind
