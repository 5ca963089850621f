"""One event on its way to one partner endpoint, and the log of its attempts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from .webhooks import WebhookEndpoint


class WebhookDeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD_LETTER = "dead_letter"  # given up (or parked): an agent or partner may replay it
    CANCELLED = "cancelled"  # its endpoint was deleted


@dataclass(frozen=True)
class WebhookDelivery:
    id: str
    endpoint_id: str
    event_id: str  # also the `webhook-id` header of every attempt: partners deduplicate on it
    event_type: str
    payload: str  # the exact JSON body that is signed
    occurred_at: datetime
    status: WebhookDeliveryStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None = None
    lease_until: datetime | None = None
    last_status_code: int | None = None
    last_error: str | None = None
    delivered_at: datetime | None = None
    correlation_id: str | None = None


@dataclass(frozen=True)
class WebhookAttempt:
    delivery_id: str
    attempt: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


@dataclass(frozen=True)
class EndpointListing:
    """An endpoint with what only its listing shows."""

    endpoint: WebhookEndpoint
    description: str
    created_at: datetime
    rotation_until: datetime | None = None  # the previous secret's end, while it still signs

    def at(self, now: datetime) -> EndpointListing:
        """As seen at `now`: until when a rotated-out secret still signs, if one does."""
        expiring = [s.expires_at for s in self.endpoint.secrets if s.expires_at and s.active(now)]
        return replace(self, rotation_until=max(expiring) if expiring else None)
