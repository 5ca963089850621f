"""Which events the notifications consumers ack without a transaction (EventRoute.inert).

Only a type both use cases ignore whatever the state is inert: no message kind, no claim facts
kept, no partner may see it. A malformed inert event is not: the check raises, so the consumer
applies it and the handler's refusal dead-letters it, as before.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from services.notifications.domain.messages import kinds_for_event
from services.notifications.entrypoints.consumers import event_routes
from services.notifications.service_layer.message_planning import MessagePlanning
from services.notifications.service_layer.webhook_fanout import WebhookFanOut, partner_may_see
from shared.clock import SystemClock
from shared.contracts.envelope import RawEvent
from shared.contracts.registry import load_all
from shared.messaging.glue import PoisonEvent


def _inert() -> Any:
    planning = MessagePlanning(base_url="https://example.test", render=None, clock=SystemClock())  # type: ignore[arg-type]
    routes = event_routes(planning, WebhookFanOut(SystemClock()), lambda tx: None)  # type: ignore[arg-type, return-value]
    assert {r.inert for r in routes} == {routes[0].inert}  # one rule for both streams
    return routes[0].inert


def _event(event_type: str, data: dict[str, Any]) -> RawEvent:
    return RawEvent(id="e1", source="/concierge/orders", type=event_type, subject="s",
                    time=datetime.now(UTC), data=data)  # fmt: skip


QUOTE = {
    "quote_id": "q1", "customer_id": "c1", "region": "US", "style": "JR01", "quantity": 1,
    "offer_kind": "local", "warehouse": "w1", "currency": "USD", "total": "95.82",
    "expires_at": "2026-12-06T00:00:00Z",
}  # fmt: skip


def test_a_quote_created_is_inert() -> None:
    assert _inert()(_event("orders.quote.created", QUOTE)) is True


def test_events_that_can_cause_something_are_not() -> None:
    inert = _inert()
    for event_type in ("orders.order.placed", "orders.order.payment_authorized",
                       "warranty.claim.repair_started", "warranty.claim.submitted"):  # fmt: skip
        assert inert(_event(event_type, {})) is False  # not even validated: applied as ever


def test_a_malformed_inert_event_is_refused_by_the_check() -> None:
    with pytest.raises(PoisonEvent):
        _inert()(_event("orders.quote.created", {"quote_id": "q1"}))


def test_every_inert_type_has_no_message_no_claim_facts_and_no_partner() -> None:
    inert_types = [t for t in load_all() if MessagePlanning.ignores(t) and WebhookFanOut.ignores(t)]
    assert "orders.quote.created" in inert_types
    for event_type in inert_types:
        assert kinds_for_event(event_type) == ()
        assert not partner_may_see(event_type)
        assert not event_type.startswith("warranty.claim.")
