"""A customer's live stream does not name the agent who acted (the REST views blank it too);
an agent's does; an event without one is passed on as published, byte for byte."""

from __future__ import annotations

import json
from types import SimpleNamespace

from services.gateway.sse_event import event_for_caller


def message(data: dict) -> SimpleNamespace:
    event = {"type": "orders.return.requested", "subject": "ret-1", "data": data}
    return SimpleNamespace(data=json.dumps(event).encode(), subject="orders.return.requested",
                           metadata=SimpleNamespace(sequence=SimpleNamespace(stream=7)))  # fmt: skip


def everything(event: dict) -> bool:
    return True


def test_a_customer_does_not_see_the_agents_id() -> None:
    msg = message({"order_id": "ord-1", "agent_id": "agent-9"})
    seen = event_for_caller(msg, "ORDERS", everything, None, staff=False)
    assert seen is not None and json.loads(seen.data)["data"] == {
        "order_id": "ord-1",
        "agent_id": None,
    }
    by_agent = event_for_caller(msg, "ORDERS", everything, None, staff=True)
    assert by_agent is not None and by_agent.data == msg.data.decode()


def test_an_event_no_agent_touched_is_passed_on_as_published() -> None:
    msg = message({"order_id": "ord-1", "agent_id": None})
    seen = event_for_caller(msg, "ORDERS", everything, None, staff=False)
    assert seen is not None and seen.data == msg.data.decode() and seen.id == "7"


def test_unreadable_or_unwanted_messages_are_dropped() -> None:
    bad = SimpleNamespace(data=b"{not json", subject="x", metadata=None)
    assert event_for_caller(bad, "ORDERS", everything, None) is None
    assert event_for_caller(message({}), "ORDERS", lambda e: False, None) is None
    assert event_for_caller(message({}), "ORDERS", everything, {"orders.order.placed"}) is None


def test_a_customer_does_not_see_why_her_claim_went_to_review() -> None:
    event = {"type": "warranty.claim.flagged", "subject": "CLM-1",
             "data": {"claim_id": "CLM-1", "review_reasons": ["label_claimed_by_another"]}}  # fmt: skip
    msg = SimpleNamespace(data=json.dumps(event).encode(), subject="warranty.claim.flagged",
                          metadata=SimpleNamespace(sequence=SimpleNamespace(stream=3)))  # fmt: skip
    seen = event_for_caller(msg, "WARRANTY", everything, None, staff=False)
    assert seen is not None and json.loads(seen.data)["data"] == {
        "claim_id": "CLM-1",
        "review_reasons": [],
    }
    by_agent = event_for_caller(msg, "WARRANTY", everything, None, staff=True)
    assert by_agent is not None and by_agent.data == msg.data.decode()
