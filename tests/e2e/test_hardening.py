"""Issue 12 through the public API: what leaves the system, and what it refuses.

- An agent's free-text decision reason never reaches an event (the module's stack teardown
  scans every event of the three streams: tests/support/event_scan.py), yet agents read it.
- 409 `claim_already_open` names the open claim only to its owner.
- Webhook registration refuses unsendable URLs and unknown event types with 422.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from tests.support.labels import story1_label

pytestmark = pytest.mark.e2e

AGENT_WORDS = "Spoke to Jane Doe on +44 7700 900123 (jane@example.com), 221B Baker Street"


def post(client, url: str, body: Any = None):
    return client.post(url, json=body, headers={"Idempotency-Key": uuid.uuid4().hex})


def claim(client, label: str):
    return post(client, "/v1/claims", {"region": "UK", "label_code": label,
                                       "components": ["stitching"]})  # fmt: skip


def customer(running_stack):
    return running_stack.client(f"cust-{uuid.uuid4().hex[:8]}")


def test_an_agents_words_stay_in_the_warranty_service(running_stack):
    label = story1_label(4101)
    alice, bob = customer(running_stack), customer(running_stack)
    agent = running_stack.client("agent-7", role="agent")
    first = claim(alice, label)
    assert first.status_code == 201, first.text
    assert post(alice, f"/v1/claims/{first.json()['id']}/cancel", {}).status_code == 200
    flagged = claim(bob, label)  # the same label, another customer: an agent reviews it
    assert flagged.status_code == 201 and flagged.json()["status"] == "needs_review"
    claim_id = flagged.json()["id"]
    r = post(agent, f"/v1/claims/{claim_id}/decision", {"approve": True, "reason": AGENT_WORDS})
    assert r.status_code == 200, r.text
    timeline = agent.get(f"/v1/claims/{claim_id}/timeline").json()["entries"]
    assert AGENT_WORDS in [entry["reason"] for entry in timeline]
    # The approved event itself is checked, with every other event, when the stack stops.


def test_an_open_claim_on_a_label_is_named_only_to_its_owner(running_stack):
    label = story1_label(4102)
    owner, other = customer(running_stack), customer(running_stack)
    opened = claim(owner, label)
    assert opened.status_code == 201, opened.text
    claim_id = opened.json()["id"]
    refused = claim(other, label)
    assert refused.status_code == 409 and refused.json()["code"] == "claim_already_open"
    assert claim_id not in refused.text
    again = claim(owner, label)
    assert again.status_code == 409 and claim_id in again.text


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"url": "https://8.8.8.8/hook\r\nX: y", "event_types": ["warranty.claim.delivered"]},
         "webhooks_url_invalid"),
        ({"url": "https://8.8.8.8/hook?a=b\nc", "event_types": ["warranty.claim.delivered"]},
         "webhooks_url_invalid"),
        ({"url": "https://8.8.8.8/hook", "event_types": ["warranty.claim.nonexistent"]},
         "webhooks_unknown_event_type"),
    ],
)  # fmt: skip
def test_webhook_registration_refuses_what_can_never_be_delivered(running_stack, body, error):
    from concierge_cli.auth_commands import _with_store

    plain, _ = asyncio.run(_with_store(running_stack.nats_url, lambda store: store.create(
        f"p-{uuid.uuid4().hex[:6]}", ["warranty.claim.*"], ["webhooks.manage"])))  # fmt: skip
    partner = running_stack.client("unused")
    partner.headers.pop("Authorization")
    partner.headers["X-API-Key"] = plain
    r = post(partner, "/v1/webhooks", body)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert error in (problem["code"], *[e["type"] for e in problem.get("errors", [])])
