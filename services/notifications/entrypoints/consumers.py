"""Durable consumers of claim and order events: each event is applied once, via the inbox."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from shared.contracts.envelope import RawEvent
from shared.contracts.registry import EVENT_TYPES, load_all
from shared.messaging.glue import EventRoute, PoisonEvent
from shared.messaging.outbox import Tx
from shared.messaging.streams import ORDERS, WARRANTY

from ..handlers import Notifications
from ..webhook_handlers import Webhooks


def check_contract(event: RawEvent) -> None:
    """An event no producer registered, or whose payload its contract refuses, can never apply:
    refuse it (the consumer dead-letters it with the reason) instead of acting on half a fact."""
    spec = EVENT_TYPES.get(event.type)
    if spec is None:
        raise PoisonEvent(f"unknown event type {event.type!r}", code="unknown_event_type")
    model: Any = spec.model
    try:
        model.model_validate(event.data)
    except ValidationError as exc:
        errors = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3]]
        raise PoisonEvent(
            f"payload does not match {event.type}: {'; '.join(errors)}",
            code="invalid_event_payload",
        ) from exc


def event_routes(notifications: Notifications, webhooks: Webhooks) -> list[EventRoute]:
    load_all()  # every producer's contracts registered before the first event arrives

    async def apply(tx: Tx, event: RawEvent) -> None:
        check_contract(event)
        await notifications.on_event(tx, event)
        await webhooks.on_event(tx, event)

    return [
        EventRoute("notifications-warranty", WARRANTY, "warranty.>", apply),
        EventRoute("notifications-orders", ORDERS, "orders.>", apply),
    ]
