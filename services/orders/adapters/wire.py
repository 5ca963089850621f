"""Domain events -> CloudEvents for the outbox, validated against the published contracts."""

from __future__ import annotations

from typing import Any

from services.orders.domain.events import DomainEvent
from shared.contracts.envelope import CloudEvent, new_event_id
from shared.contracts.registry import EVENT_TYPES, load_all
from shared.logging import current_correlation_id

SOURCE = "/concierge/orders"


def to_cloud_event(event: DomainEvent) -> CloudEvent[Any]:
    """Wrap a domain event; when its contract is registered, the data must satisfy it."""
    if not EVENT_TYPES:
        load_all()
    spec = EVENT_TYPES.get(event.subject)
    data: dict[str, Any] = event.data
    if spec is not None:
        model: Any = spec.model
        data = model.model_validate(event.data).model_dump(mode="json")
    return CloudEvent[Any](
        id=new_event_id(),
        source=SOURCE,
        type=event.subject,
        subject=event.entity_id,
        time=event.occurred_at,
        correlationid=current_correlation_id(),
        data=data,
    )
