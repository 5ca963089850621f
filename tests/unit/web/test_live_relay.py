"""The live relay: a final refusal (signed out, not allowed, gone) is told to the page, which
stops following; anything else (the gateway restarting or down, a 5xx, a 429) just ends the
response, so the browser reconnects and the page keeps following."""

from __future__ import annotations

import httpx
import pytest

from tests.support.web.console import StubConsole, problem


def relayed(stub_console: StubConsole, stream_answer) -> str:  # type: ignore[no-untyped-def]
    def gateway(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/stream"):
            return stream_answer()
        return httpx.Response(200, json={"items": [], "next_cursor": None})

    return stub_console(gateway, role="customer").get("/live/inbox").text


def unreachable() -> httpx.Response:
    raise httpx.ConnectError("connection refused")


@pytest.mark.parametrize(
    "answer",
    [
        unreachable,
        lambda: problem(503, "upstream_unavailable"),
        lambda: problem(429, "rate_limited"),
    ],
)
def test_a_passing_failure_ends_the_stream_for_the_browser_to_retry(stub_console, answer) -> None:
    body = relayed(stub_console, answer)
    assert body.startswith("retry: 3000")
    assert "event: problem" not in body


@pytest.mark.parametrize("status", [401, 403, 404])
def test_a_final_refusal_is_told_to_the_page(stub_console, status: int) -> None:
    body = relayed(stub_console, lambda: problem(status, "claim_not_found"))
    assert "event: problem\ndata: claim_not_found" in body


def test_upstream_events_are_relayed_as_updates(stub_console) -> None:
    text = "event: ready\ndata: {}\n\n: ping\n\nevent: message.delivered\ndata: {}\n\n"
    body = relayed(stub_console, lambda: httpx.Response(200, text=text))
    assert "event: update\ndata: ready" in body and ": heartbeat" in body
    assert "event: update\ndata: message.delivered" in body


def test_an_order_page_follows_its_returns_on_the_orders_stream(
    stub_console, gateway_calls
) -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/stream"):
            return httpx.Response(200, text="event: orders.return.refunded\ndata: {}\n\n")
        return httpx.Response(200, json={"items": [], "next_cursor": None})

    agent = stub_console(gateway)
    body = agent.get("/live/orders/ord-1?customer_id=c-1").text
    assert "event: update\ndata: orders.return.refunded" in body
    asked = [r.url for r in gateway_calls if r.url.path.endswith("/stream")][-1]
    assert asked.path == "/v1/orders/ord-1/stream"
    assert asked.params["returns"] == "true" and asked.params["customer_id"] == "c-1"


class _DropsMidStream(httpx.AsyncByteStream):
    async def __aiter__(self):  # type: ignore[no-untyped-def]
        yield b"event: ready\ndata: {}\n\n"
        raise httpx.ReadError("the gateway went away")


def test_a_gateway_gone_mid_stream_ends_it_quietly(stub_console) -> None:
    body = relayed(stub_console, lambda: httpx.Response(200, stream=_DropsMidStream()))
    assert "event: update\ndata: ready" in body and "event: problem" not in body


def test_a_lost_console_session_tells_the_live_part_it_is_signed_out(stub_console) -> None:
    """An EventSource would follow a redirect to the sign-in page and stop silently: the relay
    answers an event instead, and the page's refresh then goes to sign in (HX-Redirect)."""
    client = stub_console(lambda request: httpx.Response(404), role="customer")
    client.cookies.clear()
    answer = client.get("/live/inbox", follow_redirects=False)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/event-stream")
    assert "event: problem\ndata: signed_out" in answer.text
    part = client.get("/inbox", headers={"HX-Request": "true"}, follow_redirects=False)
    assert part.status_code == 401 and part.headers["HX-Redirect"].startswith("/sign-in")
