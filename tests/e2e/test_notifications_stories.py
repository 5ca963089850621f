"""What the customers of both stories are told, through the public HTTP API only.

Emails are captured by the stack's real SMTP server, inbox items are read through the API, the
thank-you card is downloaded as the repair centre would, and a partner endpoint that fails three
times receives each event exactly once as a success, signed with the secret the API returned.
"""

from __future__ import annotations

import asyncio
import io
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pypdf import PdfReader
from standardwebhooks.webhooks import Webhook

from tests.support.e2e.api import FAST_ORDERS, environment, post, wait_until

pytestmark = pytest.mark.e2e

FAST_MESSAGES = {
    "NOTIFICATIONS_WEBHOOK_RETRY_SCALE": "0.0001",
    "NOTIFICATIONS_DELIVERY_POLL_INTERVAL": "0.1",
    "NOTIFICATIONS_WEBHOOK_POLL_INTERVAL": "0.1",
}


@pytest.fixture(scope="module", autouse=True)
def fast_clocks():
    with environment(FAST_ORDERS, FAST_MESSAGES):
        yield


def wait(check, timeout: float = 90.0):
    return wait_until(check, timeout)


def subjects(stack, address: str) -> list[str]:
    return [str(m["Subject"]) for m in stack.mail.to(address)]


def body_of(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    return ""


def test_story_1_messages_in_british_english_and_the_thank_you_card(running_stack):
    customer = f"cust-{uuid.uuid4().hex[:8]}"
    address = f"{customer}@example.co.uk"
    me = running_stack.client(customer)
    centre = running_stack.client("agent-repair-uk", role="agent")
    r = me.put("/v1/me/contact", json={"name": "Margaret", "email": address, "locale": "en-GB"})
    assert r.status_code == 200, r.text

    r = post(me, "/v1/claims", {"region": "UK", "label_code": "SD-2551-VT02-00120Z",
                                "components": ["handles", "piping"]})  # fmt: skip
    assert r.status_code == 201, r.text
    claim_id, rma = r.json()["id"], r.json()["rma"]["number"]
    for step, body in [("receipt", None), ("inspection", None), ("repair", None),
                       ("shipment", {"carrier": "Royal Mail", "tracking_number": "RM123456785GB"}),
                       ("delivery", None)]:  # fmt: skip
        r = post(centre, f"/v1/claims/{claim_id}/{step}", body)
        assert r.status_code == 200, (step, r.text)

    item = "Voyager travel tote, luggage brown"
    expected = [
        f"We've received your claim {claim_id}",
        f"Good news: claim {claim_id} is approved",
        f"Your return authorisation {rma}",
        f"We've received your {item}",
        f"Your {item} is being repaired",
        f"Your {item} is on its way back",
        "Thank you, Margaret",
        f"Your {item} has been delivered",
    ]
    got = wait(lambda: len(subjects(running_stack, address)) >= len(expected)
               and subjects(running_stack, address))  # fmt: skip
    log = me.get("/v1/me/messages", params={"limit": 100}).json()["items"]
    assert got == expected, "\n".join(
        f"{m['kind']} {m['channel']} {m['send_at']} {m['sent_at']}" for m in log
    )
    mails = running_stack.mail.to(address)
    rma_text = body_of(mails[2])
    assert f"/v1/claims/{claim_id}/rma.pdf" in rma_text and "Hello Margaret" in rma_text
    assert "Royal Mail" in body_of(mails[5]) and "RM123456785GB" in body_of(mails[5])

    inbox = me.get("/v1/me/notifications", params={"limit": 50}).json()["items"]
    assert [i["kind"] for i in reversed(inbox)] == [
        "claim_submitted", "claim_approved", "claim_rma_issued", "claim_received",
        "claim_repair_started", "claim_shipped_back", "claim_thank_you", "claim_delivered",
    ]  # fmt: skip
    assert all(i["claim_id"] == claim_id for i in inbox)

    r = centre.get(f"/v1/claims/{claim_id}/thank-you-card.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF"), r.text
    text = " ".join(PdfReader(io.BytesIO(r.content)).pages[0].extract_text().split())
    assert "Thank you, Margaret" in text and item in text and "repaired" in text
    stranger = running_stack.client(f"cust-{uuid.uuid4().hex[:8]}")
    assert stranger.get(f"/v1/claims/{claim_id}/thank-you-card.pdf").status_code == 404
    assert stranger.get("/v1/me/notifications").json()["items"] == []


def test_story_2_order_messages_in_pounds_and_failure_with_what_to_do(running_stack):
    customer = f"cust-{uuid.uuid4().hex[:8]}"
    address = f"{customer}@example.co.uk"
    me = running_stack.client(customer)
    r = me.put("/v1/me/contact", json={"name": "Priya", "email": address, "locale": "en-GB"})
    assert r.status_code == 200, r.text
    quote = post(me, "/v1/quotes", {"style": "TC11", "region": "UK"}).json()
    r = post(me, "/v1/orders", {"quote_id": quote["quote_id"], "payment_token": "tok_ok"})
    assert r.status_code == 201, r.text
    order_id = r.json()["order_id"]
    expected = [
        f"We've received your order {order_id}",
        f"Order {order_id} is confirmed",
        f"Order {order_id} has shipped",
        f"Order {order_id} has been delivered",
    ]
    got = wait(
        lambda: len(subjects(running_stack, address)) >= 4 and subjects(running_stack, address)
    )
    assert got == expected
    placed = body_of(running_stack.mail.to(address)[0])
    assert "£95.82" in placed and "nothing to pay on delivery" in placed

    quote = post(me, "/v1/quotes", {"style": "TC11", "region": "UK"}).json()
    r = post(me, "/v1/orders", {"quote_id": quote["quote_id"], "payment_token": "tok_declined"})
    assert r.status_code in (201, 402, 422), r.text
    failed = wait(lambda: [m for m in running_stack.mail.to(address)
                           if str(m["Subject"]).startswith("We couldn't complete")])  # fmt: skip
    assert failed, subjects(running_stack, address)
    assert "What you can do:" in body_of(failed[0])


class _Partner(BaseHTTPRequestHandler):
    script: list[int] = []
    seen: list[tuple[dict[str, str], bytes, int]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        status = self.script.pop(0) if self.script else 200
        self.seen.append(({k.lower(): v for k, v in self.headers.items()}, body, status))
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_partner_webhook_fails_three_times_then_gets_each_event_once(running_stack):
    from concierge_cli.auth_commands import _with_store

    plain, _ = asyncio.run(_with_store(running_stack.nats_url, lambda store: store.create(
        "acme-repairs", ["warranty.claim.*"], ["webhooks.manage", "webhooks.replay"])))  # fmt: skip
    _Partner.script, _Partner.seen = [500, 503, 502], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Partner)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    partner = running_stack.client("unused")
    partner.headers.pop("Authorization")
    partner.headers["X-API-Key"] = plain
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
        r = post(partner, "/v1/webhooks", {"url": url, "event_types": ["warranty.claim.submitted"]})
        assert r.status_code == 201, r.text
        endpoint = r.json()
        me = running_stack.client(f"cust-{uuid.uuid4().hex[:8]}")
        r = post(me, "/v1/claims", {"region": "US", "label_code": "SD-2619-VT01-00042A",
                                    "components": ["zips"]})  # fmt: skip
        assert r.status_code == 201, r.text
        claim_id = r.json()["id"]
        assert wait(lambda: any(s == 200 for _h, _b, s in _Partner.seen))
        time.sleep(1.0)  # nothing more may arrive
        assert [s for _h, _b, s in _Partner.seen] == [500, 503, 502, 200]
        assert len({h["webhook-id"] for h, _b, _s in _Partner.seen}) == 1
        headers, body, _ = _Partner.seen[-1]
        payload = Webhook(endpoint["secret"]).verify(body, headers)
        assert payload["type"] == "warranty.claim.submitted"
        assert payload["data"]["claim_id"] == claim_id and "customer_id" not in payload["data"]
        log = partner.get(f"/v1/webhooks/{endpoint['id']}/deliveries").json()["items"]
        assert [a["status_code"] for a in log[0]["history"]] == [500, 503, 502, 200]
    finally:
        server.shutdown()
