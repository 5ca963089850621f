"""Held messages (a hand-over broke off, so nobody knows whether it went out) are listed for
agents and settled from the queue. A real held message needs a killed SMTP exchange (the
notifications service's own tests make one); here the API answers from a stub transport."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from services.web.app import create_app
from services.web.settings import WebSettings

HELD = {"message_id": "msg_1", "kind": "claim_rma_issued", "channel": "email", "status": "held",
        "attempts": 1, "subject": "Your return authorisation RMA-20261205-KZX6H3",
        "created_at": "2026-12-05T10:00:00Z", "send_at": "2026-12-05T10:00:00Z",
        "customer_id": "cust-1", "address": "margaret@example.co.uk"}  # fmt: skip


@pytest.fixture
def calls() -> list[httpx.Request]:
    return []


@pytest.fixture
def agent(calls: list[httpx.Request]) -> Iterator[TestClient]:
    def gateway(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if request.url.path == "/v1/messages/held":
            return httpx.Response(200, json={"items": [HELD], "next": None})
        if request.url.path == "/v1/messages/held/msg_1/resolve":
            return httpx.Response(200, json={**HELD, "status": "sent"})
        return httpx.Response(404, json={"code": "not_found", "title": "Not Found"})

    app = create_app(WebSettings(_env_file=None))
    with TestClient(app) as client:
        app.state.http = httpx.AsyncClient(transport=httpx.MockTransport(gateway),
                                           base_url="http://gateway")  # fmt: skip
        page = client.get("/sign-in").text
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        client.post("/sign-in/local", data={"csrf_token": token, "subject": "agent-1",
                                            "role": "agent", "locale": "en-GB"})  # fmt: skip
        yield client


def test_held_messages_are_listed_and_settled(agent: TestClient, calls: list) -> None:
    page = agent.get("/agent?tab=held")
    assert page.status_code == 200
    assert "margaret@example.co.uk" in page.text and "5 Dec 2026, 10:00" in page.text
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    done = agent.post("/agent/ops/held/msg_1", data={"csrf_token": token, "outcome": "resend"})
    assert done.status_code == 200 and "It will be sent again" in done.text
    resolve = next(r for r in calls if r.url.path.endswith("/resolve"))
    assert json.loads(resolve.content) == {"outcome": "resend"}
    assert resolve.headers["Idempotency-Key"] and resolve.headers["Authorization"].startswith(
        "Bearer "
    )


def test_a_live_read_does_not_eat_the_message_meant_for_the_page(agent: TestClient) -> None:
    """A live-update read that overlaps a form post (an event of the same action arrives first)
    renders the fragment only: the post's message stays for the page the browser goes to."""
    page = agent.get("/agent?tab=held")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    agent.post("/agent/ops/held/msg_1", data={"csrf_token": token, "outcome": "sent",
                                              "confirm": "yes"}, follow_redirects=False)  # fmt: skip
    fragment = agent.get("/agent?tab=held", headers={"HX-Request": "true"})
    assert "set-cookie" not in fragment.headers  # the session is left as the post made it
    assert "Recorded as sent" in agent.get("/agent?tab=held").text


def test_past_the_first_page_older_held_messages_are_one_link_away(stub_console,
                                                                   gateway_calls) -> None:  # fmt: skip
    def gateway(request: httpx.Request) -> httpx.Response:
        if request.url.path != "/v1/messages/held":
            return httpx.Response(200, json={"items": [], "next_cursor": None})
        item = {**HELD, "last_error": "SMTPServerDisconnected: Unexpected EOF received"}
        return httpx.Response(200, json={"items": [item], "next_cursor": "c1+/="})

    agent = stub_console(gateway)
    page = agent.get("/agent?tab=held")
    assert '/agent?tab=held&amp;cursor=c1%2B/%3D">Older held messages' in page.text
    assert "<code>SMTPServerDisconnected</code>" in page.text
    assert "Unexpected EOF" not in page.text  # the error type only, never what it quotes
    assert 'aria-describedby="held-1">It was sent' in page.text  # says which message
    agent.get("/agent", params={"tab": "held", "cursor": "c1+/="})
    assert gateway_calls[-1].url.params["cursor"] == "c1+/="


def test_it_was_sent_needs_its_box_ticked_and_the_route_checks_it(agent: TestClient,
                                                                  calls: list) -> None:  # fmt: skip
    """Recording a held message as sent cannot be undone (it is never handed over again): the
    page asks for a ticked box, and a post without it (a crafted form, no HTML validation)
    records nothing and comes back at 422 on the same page of the list. Send again needs none."""
    page = agent.get("/agent", params={"tab": "held", "cursor": "c1+/="}).text
    assert 'name="confirm" value="yes" required> Yes, message msg_1 was sent' in page
    form = {"csrf_token": page.split('name="csrf_token" value="')[1].split('"')[0],
            "outcome": "sent", "cursor": "c1+/=", "form_key": "k-1"}  # fmt: skip
    refused = agent.post("/agent/ops/held/msg_1", data=form)
    assert refused.status_code == 422
    assert "Nothing was recorded" in refused.text and "confirmation_required" in refused.text
    assert "Tick “Yes, message msg_1 was sent” to confirm" in refused.text
    assert 'data-page="/agent?tab=held&amp;cursor=c1%2B%2F%3D"' in refused.text  # its own page
    assert "margaret@example.co.uk" in refused.text  # the list is still there to tick and send
    assert not [r for r in calls if r.url.path.endswith("/resolve")]
    done = agent.post("/agent/ops/held/msg_1", data={**form, "confirm": "yes"})
    assert done.status_code == 200 and "Recorded as sent" in done.text
    [resolve] = [r for r in calls if r.url.path.endswith("/resolve")]
    assert json.loads(resolve.content) == {"outcome": "sent"}
