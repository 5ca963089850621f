"""Use case: each claim/order event a partner may see becomes one delivery per interested
endpoint, in the transaction that consumed the event, so nothing is lost or doubled
(webhook_delivery.py sends them)."""

from __future__ import annotations

import hashlib
import json

from shared.clock import Clock
from shared.contracts.registry import EVENT_TYPES, load_all
from shared.logging import current_correlation_id

from ..domain.incoming import IncomingEvent
from ..domain.webhook_deliveries import WebhookDelivery, WebhookDeliveryStatus
from ..domain.webhooks import subscribed, thin_payload
from .unit_of_work import Work

PUBLIC_PREFIXES = ("warranty.claim.", "orders.order.", "orders.return.")


def partner_may_see(event_type: str) -> bool:
    # The registry is complete once every producer's contracts are imported (load_all, five
    # imports: a fortieth of an event's CPU when asked for each event); only a type not
    # registered yet makes it look again.
    spec = EVENT_TYPES.get(event_type) or load_all().get(event_type)
    if spec is not None:
        return spec.partner_visible
    return event_type.startswith(PUBLIC_PREFIXES)


def partner_event_types() -> list[str]:
    """Every registered event type a webhook may deliver."""
    return sorted(t for t, spec in load_all().items() if spec.partner_visible)


def delivery_id(endpoint_id: str, event_id: str) -> str:
    return "wd_" + hashlib.sha256(f"{endpoint_id}:{event_id}".encode()).hexdigest()[:24]


class WebhookFanOut:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def on_event(self, work: Work, event: IncomingEvent) -> int:
        """Queue the event for every endpoint subscribed to it; returns how many were new."""
        if not partner_may_see(event.type):
            return 0
        wanted = [e for e, patterns in await work.endpoints.subscriptions()
                  if subscribed(patterns, event.type)]  # fmt: skip
        if not wanted:
            return 0  # the common case: the body is built only for someone
        payload = thin_payload(event.type, event.time, event.data).to_dict()
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True)
        now = self.clock.now()
        created = 0
        for endpoint_id in wanted:
            delivery = WebhookDelivery(
                id=delivery_id(endpoint_id, event.id),
                endpoint_id=endpoint_id,
                event_id=event.id,
                event_type=event.type,
                payload=body,
                occurred_at=event.time,
                status=WebhookDeliveryStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
                correlation_id=current_correlation_id(),
            )
            created += await work.webhook_deliveries.add(delivery)
        return created
