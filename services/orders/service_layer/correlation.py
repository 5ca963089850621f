"""The saga's later steps run in background tasks, long after the request that placed the order.

The order keeps that request's correlation id; while the saga drives an order, the id is bound
to the log context, so its log lines and its events (`payment_authorized` ... `delivered`) carry
it. A request that acts on the order itself (a cancel) keeps its own id.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import structlog

from services.orders.domain.orders import Order
from shared.logging import current_correlation_id


@contextmanager
def order_log_scope() -> Iterator[None]:
    """Whatever an order's processing binds is undone afterwards: the next order starts clean."""
    saved = structlog.contextvars.get_contextvars()
    try:
        yield
    finally:
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(**saved)


def bind_cause(order: Order) -> None:
    """Bind the placing request's correlation id unless a request of its own is being served."""
    if current_correlation_id() is None and order.correlation_id:
        structlog.contextvars.bind_contextvars(
            correlation_id=order.correlation_id, order_id=order.order_id
        )
