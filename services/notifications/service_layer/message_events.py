"""The facts every `notifications.message.*` event carries about its message."""

from __future__ import annotations

from typing import Any

from ..domain.deliveries import Message


def event_fields(message: Message, attempt: int | None = None) -> dict[str, Any]:
    """For attempt number `attempt` (default: the message's last attempt, at least 1)."""
    return {
        "message_id": message.id,
        "customer_id": message.customer_id,
        "source_event_id": message.event_id,
        "source_event_type": message.event_type,
        "kind": message.kind,
        "channel": message.channel,
        "attempt": attempt if attempt is not None else max(message.attempts, 1),
    }
