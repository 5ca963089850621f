"""Whose order, quote or waitlist entry it is: a customer, or an agent acting for one."""

from __future__ import annotations

import uuid

from shared.actor import Actor
from shared.errors import DomainError, ErrorKind


class CustomerRequired(DomainError):
    code = "orders_customer_required"
    kind = ErrorKind.INVALID


def require_customer(actor: Actor) -> str:
    """The customer the actor acts for; an agent must name one (on_behalf_of)."""
    if actor.customer_id is None:
        raise CustomerRequired("an agent must say which customer this is for (on_behalf_of)")
    return actor.customer_id


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"
