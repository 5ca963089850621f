"""Durable consumers of claim and order events: each event is applied once, via the inbox."""

from __future__ import annotations

from shared.contracts.envelope import RawEvent
from shared.messaging.glue import EventRoute
from shared.messaging.outbox import Tx
from shared.messaging.streams import ORDERS, WARRANTY

from ..handlers import Notifications
from ..webhook_handlers import Webhooks


def event_routes(notifications: Notifications, webhooks: Webhooks) -> list[EventRoute]:
    async def apply(tx: Tx, event: RawEvent) -> None:
        await notifications.on_event(tx, event)
        await webhooks.on_event(tx, event)

    return [
        EventRoute("notifications-warranty", WARRANTY, "warranty.>", apply),
        EventRoute("notifications-orders", ORDERS, "orders.>", apply),
    ]
