"""Events of the notifications service: ids and outcomes only, never the message content."""

from __future__ import annotations

from pydantic import BaseModel, Field

from shared.contracts.notifications.subjects import (
    MESSAGE_DELIVERED,
    MESSAGE_FAILED,
    MESSAGE_SENT,
    MESSAGE_UNCERTAIN,
    WEBHOOK_ENDPOINT_DISABLED,
    ChannelName,
)
from shared.contracts.registry import event

# Events ------------------------------------------------------------------------------------


class _MessageEvent(BaseModel):
    message_id: str = Field(description="Delivery id: one message, one channel, one recipient.")
    customer_id: str = Field(description="The customer the message is for.")
    source_event_id: str = Field(description="Id of the claim/order event that caused it.")
    source_event_type: str = Field(
        description="Type of that event.", examples=["warranty.claim.approved"]
    )
    kind: str = Field(description="Message kind from the catalogue.", examples=["claim_approved"])
    channel: ChannelName = Field(description="email, sms, push or in_app.")
    attempt: int = Field(ge=1, description="Attempt number on this channel.")


@event(MESSAGE_SENT)
class MessageSent(_MessageEvent):
    """A message was handed to its channel's provider (SMTP server, SMS or push gateway)."""

    provider_message_id: str | None = Field(default=None, description="Id given by the provider.")


@event(MESSAGE_DELIVERED)
class MessageDelivered(_MessageEvent):
    """A message reached the customer (in-app: stored in the inbox)."""


@event(MESSAGE_FAILED)
class MessageFailed(_MessageEvent):
    """An attempt failed. `will_retry` false means the failure is final and recorded."""

    error: str = Field(description="Provider's reason, without personal data.")
    permanent: bool = Field(description="The provider refused for good (bad number...).")
    will_retry: bool = Field(description="Another attempt is scheduled.")


@event(MESSAGE_UNCERTAIN)
class MessageUncertain(_MessageEvent):
    """The hand-over to the provider broke off (crash, lost connection) before its answer, and
    the provider cannot say whether it took the message. It is held, not sent again, until an
    agent resolves it (`POST /v1/messages/held/{message_id}/resolve`)."""

    reason: str = Field(description="What interrupted the hand-over.", examples=["interrupted"])


@event(WEBHOOK_ENDPOINT_DISABLED)
class WebhookEndpointDisabled(BaseModel):
    """A partner endpoint was disabled (it answered 410 Gone)."""

    endpoint_id: str = Field(description="The webhook endpoint.")
    reason: str = Field(description="Why it was disabled.", examples=["http_410"])
