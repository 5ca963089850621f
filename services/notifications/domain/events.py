"""The events this service publishes, as facts of its own domain (one frozen dataclass each).

adapters/wire.py maps each to its contract model in shared/contracts/notifications.py. They
carry ids, codes and business facts only: never an address, a name or a provider's free text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MessageEvent:
    """What every message event says about the message and the attempt."""

    message_id: str
    customer_id: str
    source_event_id: str
    source_event_type: str
    kind: str
    channel: str
    attempt: int


@dataclass(frozen=True)
class MessageDelivered(MessageEvent):
    """In-app: stored in the customer's inbox."""


@dataclass(frozen=True)
class MessageSent(MessageEvent):
    provider_message_id: str | None = None


@dataclass(frozen=True)
class MessageFailed(MessageEvent):
    error: str  # a code (`domain.channels.error_code`), never the provider's text
    permanent: bool
    will_retry: bool


@dataclass(frozen=True)
class MessageHeld(MessageEvent):
    """Held for an agent after an interrupted hand-over (published as `message.uncertain`)."""

    reason: str


@dataclass(frozen=True)
class WebhookEndpointDisabled:
    endpoint_id: str
    reason: str


NotificationEvent = (
    MessageDelivered | MessageSent | MessageFailed | MessageHeld | WebhookEndpointDisabled
)
