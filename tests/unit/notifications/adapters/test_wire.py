"""Domain events become their contract's envelopes: type from the registry, ids and codes only."""

from __future__ import annotations

from dataclasses import fields

import pytest

from services.notifications.adapters import wire
from services.notifications.domain import events as ev
from shared.contracts import notifications as c

BASE = {
    "message_id": "m1",
    "customer_id": "c1",
    "source_event_id": "e1",
    "source_event_type": "warranty.claim.approved",
    "kind": "claim_approved",
    "channel": "email",
    "attempt": 2,
}
EVENTS = [
    (ev.MessageDelivered(**BASE), c.MESSAGE_DELIVERED, "c1"),
    (ev.MessageSent(**BASE, provider_message_id="p1"), c.MESSAGE_SENT, "c1"),
    (
        ev.MessageFailed(**BASE, error="550", permanent=True, will_retry=False),
        c.MESSAGE_FAILED,
        "c1",
    ),
    (ev.MessageHeld(**BASE, reason="interrupted"), c.MESSAGE_UNCERTAIN, "c1"),
    (ev.WebhookEndpointDisabled("we_1", "http_410"), c.WEBHOOK_ENDPOINT_DISABLED, "we_1"),
]


def test_every_published_event_has_a_contract():
    """Each domain event class maps to exactly one contract model."""
    published = set(ev.NotificationEvent.__args__)  # type: ignore[attr-defined]
    assert set(wire.CONTRACTS) == published


@pytest.mark.parametrize(("event", "type_", "about"), EVENTS, ids=lambda x: type(x).__name__)
def test_an_event_goes_out_under_its_registered_type_with_every_fact(event, type_, about):
    """The envelope's type is the contract's registered type, its subject the entity, and its
    data every field of the domain event, unchanged."""
    envelope = wire.to_cloud_event(event)
    assert (envelope.type, envelope.subject, envelope.source) == (type_, about, c.SOURCE)
    assert envelope.data == {f.name: getattr(event, f.name) for f in fields(event)}


def test_held_messages_go_out_as_uncertain_for_subscribers():
    """The public event name of a held message does not change."""
    held = ev.MessageHeld(**BASE, reason="interrupted")
    assert wire.to_cloud_event(held).type == "notifications.message.uncertain"
