import json
from datetime import UTC, datetime

import httpx
from standardwebhooks.webhooks import Webhook

from services.notifications.adapters.ssrf import TargetPolicy
from services.notifications.adapters.webhook_sender import WebhookSender
from services.notifications.adapters.webhook_signing import generate_secret, signed_headers
from services.notifications.domain.webhooks import NextStep, RetrySchedule, classify, decide

PUBLIC = {"partner.example": ["93.184.216.34"], "loop.example": ["127.0.0.1"]}


async def resolver(host, port):
    return PUBLIC[host]


def _sender(handler, policy=TargetPolicy()) -> WebhookSender:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler), follow_redirects=False)
    return WebhookSender(policy=policy, client=client, resolver=resolver)


async def test_posts_signed_body_and_partner_can_verify():
    """The body is posted signed, and the partner can verify it with the library."""
    secret = generate_secret()
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        Webhook(secret).verify(request.content, dict(request.headers))
        return httpx.Response(204)

    body = json.dumps({"type": "orders.order.shipped", "data": {"order_id": "O1"}})
    headers = signed_headers("evt-9", datetime.now(UTC), body, [secret])
    result = await _sender(handler).send("https://partner.example/hook", body.encode(), headers)
    assert result.status_code == 204
    assert seen[0].method == "POST"
    assert seen[0].headers["webhook-id"] == "evt-9"
    assert classify(result.status_code, result.headers, datetime.now(UTC)).kind == "delivered"


async def test_redirects_are_not_followed():
    """Redirects are not followed."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/hook":
            return httpx.Response(302, headers={"location": "http://169.254.169.254/"})
        raise AssertionError("redirect followed")

    result = await _sender(handler).send("https://partner.example/hook", b"{}", {})
    assert result.status_code == 302
    decision = decide(classify(302, {}, datetime.now(UTC)), 1, datetime.now(UTC), RetrySchedule())
    assert decision.step is NextStep.RETRY


async def test_timeout_is_reported_not_raised():
    """A timeout is reported as a result, not raised."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    result = await _sender(handler).send("https://partner.example/hook", b"{}", {})
    assert result.status_code is None and result.error == "timeout"


async def test_connection_error_is_reported():
    """A connection error is reported as a result."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    result = await _sender(handler).send("https://partner.example/hook", b"{}", {})
    assert result.status_code is None and result.error == "transport:ConnectError"


async def test_private_target_is_refused_before_any_request():
    """A private target is refused before any request is made."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("must not be called")

    result = await _sender(handler).send("https://loop.example/hook", b"{}", {})
    assert result.status_code is None
    assert result.error == "target_refused:loopback"


async def test_real_http_timeout_against_a_silent_local_server():
    """A silent server times out within the configured time."""
    import asyncio

    async def silent(reader, writer):
        await asyncio.sleep(5)
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    sender = WebhookSender(policy=TargetPolicy(allow_private=True), timeout_seconds=0.3)
    try:
        result = await sender.send(f"http://127.0.0.1:{port}/hook", b"{}", {})
    finally:
        await sender.aclose()
        server.close()
    assert result.status_code is None and result.error == "timeout"


async def test_dns_rebinding_is_caught_at_connect_time():
    """The name resolves to a public address for the check, then to loopback for the socket."""
    import asyncio

    from services.notifications.adapters.guarded_transport import guarded_transport

    hits = []

    async def handle(reader, writer):
        hits.append(1)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])

    async def rebinding(host, port_):
        return next(answers)

    policy = TargetPolicy()
    client = httpx.AsyncClient(
        transport=guarded_transport(policy, rebinding), follow_redirects=False, trust_env=False
    )
    sender = WebhookSender(policy=policy, client=client, resolver=rebinding)
    try:
        result = await sender.send(f"http://rebind.example:{port}/hook", b"{}", {})
    finally:
        await client.aclose()
        server.close()
    assert result.status_code is None
    assert result.error == "target_refused:loopback"
    assert hits == []


async def test_guarded_transport_connects_to_the_vetted_address_when_allowed():
    """The guarded transport connects to the address it vetted."""
    import asyncio

    from services.notifications.adapters.guarded_transport import guarded_transport

    async def handle(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]

    async def resolve(host, port_):
        return ["127.0.0.1"]

    policy = TargetPolicy(allow_private=True)
    client = httpx.AsyncClient(transport=guarded_transport(policy, resolve), trust_env=False)
    sender = WebhookSender(policy=policy, client=client, resolver=resolve)
    try:
        result = await sender.send(f"http://partner.test:{port}/hook", b"{}", {})
    finally:
        await client.aclose()
        server.close()
    assert result.status_code == 204
