"""Domain events -> their contract models and CloudEvent envelopes (the only payload source).

The event type (also the NATS subject) comes from the contract registry, where each contract
model is registered under its type; the envelope's subject is the entity the event is about.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from functools import cache
from typing import Any

from pydantic import BaseModel

from shared.contracts import notifications as c
from shared.contracts.envelope import CloudEvent, make_event
from shared.contracts.registry import EVENT_TYPES
from shared.logging import current_correlation_id

from ..domain import events as ev

# Each domain event class, its contract model and the entity id its envelope is about.
CONTRACTS: dict[type[Any], tuple[type[BaseModel], Callable[[Any], str]]] = {
    ev.MessageDelivered: (c.MessageDelivered, lambda e: e.customer_id),
    ev.MessageSent: (c.MessageSent, lambda e: e.customer_id),
    ev.MessageFailed: (c.MessageFailed, lambda e: e.customer_id),
    ev.MessageHeld: (c.MessageUncertain, lambda e: e.customer_id),
    ev.WebhookEndpointDisabled: (c.WebhookEndpointDisabled, lambda e: e.endpoint_id),
}


@cache  # the registry is filled at import time; a scan of it per event is wasted work
def event_type(model: type[BaseModel]) -> str:
    [found] = [spec.type for spec in EVENT_TYPES.values() if spec.model is model]
    return found


def _values(event: ev.NotificationEvent) -> dict[str, Any]:
    """The event's fields. Every domain event is flat: no `asdict`, whose recursive deep copy
    was most of the cost of turning an event into its envelope."""
    return {f.name: getattr(event, f.name) for f in fields(event)}


def to_contract(event: ev.NotificationEvent) -> BaseModel:
    model, _ = CONTRACTS[type(event)]
    return model(**_values(event))


def to_cloud_event(event: ev.NotificationEvent) -> CloudEvent[Any]:
    model, about = CONTRACTS[type(event)]
    return make_event(
        type=event_type(model),
        source=c.SOURCE,
        subject=about(event),
        data=model(**_values(event)),
        correlation_id=current_correlation_id(),
    )
