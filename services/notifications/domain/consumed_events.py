"""Which order events notifications needs JetStream to deliver to it.

An order event matters here if it causes a message (messages.EVENT_MESSAGES) or if an enabled
webhook endpoint subscribes to it. The others (payment authorised, stock reserved, a shipment's
updates, most of the time) would each cost an inbox row, an ack and a wake to learn that
(docs/benchmarks.md, "Issue 14", twenty-second pass). Claim events are all delivered: each can
bring a fact a thank-you note needs (service_layer/claim_facts.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .messages import EVENT_MESSAGES
from .webhooks import subscribed

ORDER_EVENTS = "orders."


def order_events_wanted(
    known_types: Iterable[str], subscriptions: Iterable[Sequence[str]]
) -> tuple[str, ...]:
    """The order event types to receive, given every type the contracts know and the event-type
    patterns of each enabled endpoint. Concrete types only, so no two overlap (JetStream
    refuses overlapping filters); a type no contract names yet is not received until one does."""
    patterns = [list(p) for p in subscriptions]
    types = {t for t in known_types if t.startswith(ORDER_EVENTS)}
    types |= {t for t in EVENT_MESSAGES if t.startswith(ORDER_EVENTS)}
    return tuple(sorted(t for t in types
                        if t in EVENT_MESSAGES or any(subscribed(p, t) for p in patterns)))  # fmt: skip
