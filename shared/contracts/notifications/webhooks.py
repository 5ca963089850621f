"""Partner webhook endpoints, replays and the delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from shared.contracts.bounds import (
    WEBHOOK_EVENT_TYPE_MAX,
    IdStr,
    SendableUrl,
)
from shared.contracts.notifications.messages import _NewestFirstPage
from shared.contracts.notifications.subjects import _Strict

# Webhooks -----------------------------------------------------------------------------------


class CreateWebhookRequest(_Strict):
    """A new endpoint. `https` only in production; at most 20 endpoints per partner (setting
    `NOTIFICATIONS_WEBHOOK_MAX_ENDPOINTS_PER_PARTNER`); every filter must select a known event
    type (`/asyncapi.json` lists them)."""

    url: SendableUrl = Field(
        description="Target URL: no control characters or white space (`webhooks_url_invalid`).",
        examples=["https://partner.example/hooks/concierge"],
    )
    event_types: list[Annotated[str, Field(max_length=WEBHOOK_EVENT_TYPE_MAX)]] = Field(
        min_length=1,
        max_length=50,
        description="Exact types, `prefix.*` or `*`.",
        examples=[["warranty.claim.*", "orders.order.shipped"]],
    )
    description: str = Field(default="", max_length=500, description="A note for the partner.")
    partner_key_id: IdStr | None = Field(
        default=None,
        description="Agents only: the partner API key the endpoint is registered for. It then "
        "belongs to that partner (listed and managed with its key when the key may "
        "`webhooks.manage`, and by agents in any case; counted against its limit, within its "
        "event types). Without it, an agent's endpoint belongs to that agent.",
        examples=["3f2a9c1d0b7e6a54"],
    )


class WebhookEndpointView(BaseModel):
    """A partner's webhook endpoint, without its secret."""

    id: str = Field(description="Endpoint id.")
    url: str = Field(description="Target URL.")
    event_types: list[str] = Field(description="Exact types, `prefix.*` or `*`.")
    description: str = Field(default="", description="A note for the partner.")
    enabled: bool = Field(description="False once disabled after repeated failures.")
    disabled_reason: str | None = Field(default=None, description="Why it was disabled.")
    created_at: datetime = Field(description="When it was registered.")
    secret_rotation_until: datetime | None = Field(
        default=None, description="While set, an older secret also signs (rotation overlap)."
    )
    owner: str | None = Field(
        default=None,
        description="Whose it is: the partner API key's id, or the agent who registered it "
        "without naming a partner.",
    )


class WebhookEndpointCreated(WebhookEndpointView):
    """A new endpoint with its signing secret (shown only now)."""

    secret: str = Field(description="Signing secret (`whsec_...`); shown only now.")


class WebhookRef(_Strict):
    endpoint_id: IdStr


class WebhookList(BaseModel):
    endpoints: list[WebhookEndpointView]


class WebhookSecretRotated(BaseModel):
    """A new signing secret; the old one keeps signing until `previous_valid_until`."""

    endpoint_id: str = Field(description="Endpoint id.")
    secret: str = Field(description="The new signing secret; the old one signs until below.")
    previous_valid_until: datetime = Field(description="When the old secret stops signing.")


class ReplayWebhookRequest(_Strict):
    endpoint_id: IdStr
    delivery_id: IdStr | None = Field(default=None, description="Replay one delivery...")
    since: datetime | None = Field(default=None, description="...or every event in a range.")
    until: datetime | None = None


class ReplayResult(BaseModel):
    replayed: list[str] = Field(description="Delivery ids queued again.")


class ListWebhookDeliveriesRequest(_NewestFirstPage):
    endpoint_id: IdStr
    status: Literal["pending", "delivered", "dead_letter", "cancelled"] | None = None
    limit: int = Field(default=100, ge=1, le=500)


class WebhookAttemptView(BaseModel):
    """One try at delivering an event to an endpoint."""

    attempt: int = Field(description="1 for the first try.")
    at: datetime = Field(description="When it was tried.")
    status_code: int | None = Field(default=None, description="HTTP status the endpoint answered.")
    error: str | None = Field(default=None, description="What went wrong, if it failed.")
    duration_ms: int = Field(default=0, description="How long the endpoint took to answer.")


class WebhookDeliveryView(BaseModel):
    """One event's delivery to one endpoint, with its attempts."""

    id: str = Field(description="Delivery id.")
    event_id: str = Field(description="Id of the event delivered.")
    event_type: str = Field(description="Type of the event delivered.")
    status: Literal["pending", "delivered", "dead_letter", "cancelled"] = Field(
        description="`dead_letter`: retries exhausted.", examples=["delivered"]
    )
    attempts: int = Field(description="Tries so far.")
    next_attempt_at: datetime | None = Field(default=None, description="When it is tried next.")
    created_at: datetime = Field(description="When the delivery was queued.")
    delivered_at: datetime | None = Field(default=None, description="When the endpoint took it.")
    last_status_code: int | None = Field(default=None, description="Last HTTP status answered.")
    last_error: str | None = Field(default=None, description="Last failure, if any.")
    history: list[WebhookAttemptView] = Field(
        default_factory=list, description="Every attempt, oldest first."
    )


class WebhookDeliveryList(BaseModel):
    deliveries: list[WebhookDeliveryView]
