"""What every use case module shares: the clock, caller checks and event construction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from shared.actor import Actor
from shared.contracts import notifications as c
from shared.contracts.envelope import make_event
from shared.errors import DomainError, ErrorKind, NotFound
from shared.logging import current_correlation_id

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Forbidden(DomainError):
    code = "notifications_forbidden"
    kind = ErrorKind.FORBIDDEN


def customer_of(actor: Actor | None, requested: str | None) -> str:
    """Whose data this call may touch: customers only their own, agents anyone they name."""
    if actor is None or actor.type == "partner":
        raise Forbidden("only customers and agents manage customer notifications")
    if actor.type == "customer":
        if requested not in (None, actor.id):
            raise NotFound("no such customer")
        return actor.id
    customer = requested or actor.on_behalf_of
    if not customer:
        raise DomainError(
            "customer_id is required for agents", code="notifications_customer_required"
        )
    return customer


def message_event(type_: str, model: Any, subject: str) -> Any:
    return make_event(
        type=type_,
        source=c.SOURCE,
        subject=subject,
        data=model,
        correlation_id=current_correlation_id(),
    )
