"""A `notifications.message.delivered` event published straight to JetStream, as the
notifications service would, for the gateway's live-stream tests."""

from __future__ import annotations

from typing import Any

from shared.contracts.envelope import RawEvent, new_event_id

SUBJECT = "notifications.message.delivered"


async def delivered(
    js: Any, customer: str, channel: str = "in_app", kind: str = "claim_approved"
) -> int:
    """Publishes one delivery of `customer`'s message on `channel`; returns its stream sequence."""
    event = RawEvent(
        id=new_event_id(),
        source="/concierge/notifications",
        type=SUBJECT,
        subject=f"msg-{new_event_id()}",
        time="2026-01-15T09:30:00Z",
        data={"message_id": "m", "customer_id": customer, "channel": channel, "kind": kind},
    )
    return int((await js.publish(SUBJECT, event.model_dump_json().encode())).seq)
