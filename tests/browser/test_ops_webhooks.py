"""An agent onboards a partner's webhook endpoint from the Operations page against the running
stack: registers it with two event types, sees its signing secret once (a reload shows the
endpoint's page, without it), rotates the secret and deletes the endpoint; each final step
without its box ticked (the browser's check off) is refused by the console and changes
nothing. axe-core runs over each new page."""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from standardwebhooks.webhooks import Webhook

from tests.browser.setup_api import api_client, post

pytestmark = pytest.mark.browser

AXE = Axe()
TYPES = ("warranty.claim.approved", "orders.order.shipped")


class _Keep(BaseHTTPRequestHandler):
    """A partner's endpoint that keeps each delivery (its headers and body) and accepts it."""

    received: list[tuple[dict[str, str], bytes]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def partner() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    received: list[tuple[dict[str, str], bytes]] = []
    handler = type("Keep", (_Keep,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/{uuid.uuid4().hex[:6]}", received
    server.shutdown()


def _shipped_delivery(console, received) -> tuple[dict[str, str], bytes]:  # type: ignore[no-untyped-def]
    """A customer's order, shipped by the stack's fast sandbox carrier: its delivery."""
    with api_client(console.api, f"cust-hooks-{uuid.uuid4().hex[:6]}") as me:
        quote = post(me, "/v1/quotes", {"style": "TC11", "region": "UK"})
        order = post(me, "/v1/orders", {"quote_id": quote["quote_id"], "payment_token": "tok_ok"})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for headers, body in received:
            if order["order_id"].encode() in body and b"orders.order.shipped" in body:
                return headers, body
        time.sleep(0.3)
    raise AssertionError(f"no orders.order.shipped delivery for {order['order_id']}")


def _accessible(page) -> None:  # type: ignore[no-untyped-def]
    violations = [v for v in AXE.run(page).response["violations"]
                  if v["impact"] in ("serious", "critical")]  # fmt: skip
    assert not violations, (page.url, [(v["id"], v["help"]) for v in violations])


def _unticked_post(page, box: str, button: str) -> None:  # type: ignore[no-untyped-def]
    """Send the form with its box unticked: the browser's own check taken off first."""
    page.locator(box).evaluate("e => e.required = false")
    page.get_by_role("button", name=button).click()


def _partner_key(console, name: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """A partner's API key as `concierge partner create` issues it: (the key, its id)."""
    from concierge_cli.auth_commands import _with_store

    plain, record = _in_thread(_with_store(console.nats_url, lambda store: store.create(
        name, ["warranty.claim.*", "orders.order.*"], ["webhooks.manage"])))  # fmt: skip
    return plain, record.key_id


def _in_thread(coroutine):  # type: ignore[no-untyped-def]
    """Run a coroutine to its end: Playwright's sync API keeps an event loop in this thread."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


async def _gateway_kept_replies(nats_url: str) -> bytes:
    """Everything the gateway's Idempotency-Key bucket holds now: each record, and the reply
    body it keeps (base64 in the record), joined."""
    import nats

    from services.gateway.idempotency import BUCKET

    nc = await nats.connect(nats_url)
    try:
        bucket = await nc.jetstream().key_value(BUCKET)
        try:
            keys = await bucket.keys()
        except nats.js.errors.NoKeysError:
            return b""
        records = [(await bucket.get(k)).value or b"" for k in keys]
    finally:
        await nc.close()
    bodies = [base64.b64decode(json.loads(r).get("body") or "") for r in records if r]
    return b"".join(records + bodies)


def test_an_agent_registers_rotates_and_deletes_an_endpoint(sign_in, console, partner):
    partner, received = partner
    name = f"Leeds workshop {uuid.uuid4().hex[:4]}"
    key, key_id = _partner_key(console, name)
    agent = sign_in("agent-onboarding", role="agent")
    agent.goto("/agent/ops")
    agent.get_by_role("link", name="Register an endpoint").click()
    _accessible(agent)
    agent.get_by_label("For the partner").select_option(key_id)
    agent.get_by_label("The partner's URL").fill(partner)
    agent.get_by_label("Description (optional)").fill("Leeds repair workshop")
    for name in TYPES:
        agent.get_by_role("checkbox", name=re.compile(rf"^{re.escape(name)}\b")).check()
    agent.get_by_role("button", name="Register endpoint").click()

    expect(agent.get_by_role("heading", level=1)).to_contain_text("registered")
    expect(agent.locator("main")).to_contain_text("will not be shown again")
    expect(agent.locator("main")).to_contain_text("webhook-signature")
    secret = agent.locator("#secret").inner_text()
    assert secret.startswith("whsec_")
    _accessible(agent)
    headers, body = _shipped_delivery(console, received)
    Webhook(secret).verify(body, headers)  # the secret shown is the one that signs
    # The address is the endpoint's page, not the POST's: a reload shows it, without the secret.
    assert re.search(r"/agent/ops/webhooks/[\w-]+$", agent.url), agent.url
    endpoint_id = agent.url.rsplit("/", 1)[1]
    agent.reload()
    expect(agent.get_by_role("heading", level=1)).to_contain_text(endpoint_id)
    expect(agent.locator("main")).to_contain_text(partner)
    expect(agent.locator("main")).not_to_contain_text(secret)
    expect(agent.locator("#secret")).to_have_count(0)
    _accessible(agent)

    # It is the partner's: its own key lists it.
    with httpx.Client(base_url=console.api, headers={"X-API-Key": key}) as partner_api:
        mine = partner_api.get("/v1/webhooks").json()["items"]
    assert [(e["id"], e["owner"]) for e in mine] == [(endpoint_id, key_id)]

    agent.goto("/agent/ops")
    row = agent.get_by_role("row").filter(has_text=endpoint_id)
    expect(row).to_contain_text(name)
    expect(row).to_contain_text(partner)
    for name in TYPES:
        expect(row).to_contain_text(name)
    expect(row).to_contain_text("Leeds repair workshop")

    row.get_by_role("link", name=endpoint_id).click()
    _unticked_post(agent, "#rotate-confirm", "Rotate the secret")
    expect(agent.get_by_role("alert")).to_contain_text("confirmation_required")
    expect(agent.get_by_role("alert")).to_contain_text("The secret was not replaced")
    with api_client(console.api, "agent-onboarding", "agent") as api:
        assert api.get(f"/v1/webhooks/{endpoint_id}").json()["secret_rotation_until"] is None

    agent.get_by_label(f"Yes, replace the signing secret of {endpoint_id}").check()
    agent.get_by_role("button", name="Rotate the secret").click()
    expect(agent.locator("main")).to_contain_text("will not be shown again")
    expect(agent.locator("main")).to_contain_text("The old secret keeps signing until")
    rotated = agent.locator("#secret").inner_text()
    assert rotated.startswith("whsec_") and rotated != secret
    # Both forms carried an Idempotency-Key: the notifications service kept (and sealed) the
    # replies; the gateway's bucket holds neither secret in clear.
    kept = _in_thread(_gateway_kept_replies(console.nats_url))
    assert secret.encode() not in kept and rotated.encode() not in kept
    headers, body = _shipped_delivery(console, received)
    Webhook(rotated).verify(body, headers)  # the new secret signs,
    Webhook(secret).verify(body, headers)  # and the old one too, during the overlap
    agent.reload()
    expect(agent.locator("main")).not_to_contain_text(rotated)
    expect(agent.locator("main")).to_contain_text("the old secret also signs until")

    _unticked_post(agent, "#delete-confirm", "Delete endpoint")
    expect(agent.get_by_role("alert")).to_contain_text("The endpoint was not deleted")
    with api_client(console.api, "agent-onboarding", "agent") as api:
        assert api.get(f"/v1/webhooks/{endpoint_id}").status_code == 200
    agent.goto("/agent/ops")
    expect(agent.get_by_role("row").filter(has_text=endpoint_id)).to_have_count(1)

    agent.get_by_role("link", name=endpoint_id).click()
    agent.get_by_label(f"Yes, delete endpoint {endpoint_id}").check()
    agent.get_by_role("button", name="Delete endpoint").click()
    expect(agent.get_by_role("status")).to_contain_text("Endpoint deleted")
    expect(agent.get_by_role("status")).to_contain_text(endpoint_id)
    assert agent.url.split("#")[0].endswith("/agent/ops")
    expect(agent.get_by_role("row").filter(has_text=endpoint_id)).to_have_count(0)
    with api_client(console.api, "agent-onboarding", "agent") as api:
        assert api.get(f"/v1/webhooks/{endpoint_id}").status_code == 404
