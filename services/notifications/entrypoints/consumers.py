"""Durable consumers of claim and order events: each event is applied once, via the inbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from shared.contracts.envelope import RawEvent
from shared.contracts.registry import load_all
from shared.messaging.glue import EventRoute
from shared.messaging.outbox import Tx
from shared.messaging.streams import ORDERS, WARRANTY

from ..domain.incoming import IncomingEvent
from ..service_layer.unit_of_work import Work
from .translate import incoming_event


class EventUseCase(Protocol):
    async def on_event(self, work: Work, event: IncomingEvent) -> int: ...


def event_routes(
    planning: EventUseCase, fanout: EventUseCase, work_in: Callable[[Tx], Work]
) -> list[EventRoute]:
    """`work_in` gives the use cases their view of the consumer's inbox transaction."""
    load_all()  # every producer's contracts registered before the first event arrives

    async def apply(tx: Tx, raw: RawEvent) -> None:
        event = incoming_event(raw)
        work = work_in(tx)
        await planning.on_event(work, event)
        await fanout.on_event(work, event)

    return [
        EventRoute("notifications-warranty", WARRANTY, "warranty.>", apply),
        EventRoute("notifications-orders", ORDERS, "orders.>", apply),
    ]
