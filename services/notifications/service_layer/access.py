"""Who may touch what: customers their own data, agents anyone's, partners their webhooks."""

from __future__ import annotations

from shared.actor import Actor
from shared.errors import DomainError, Forbidden, NotFound

FORBIDDEN = "notifications_forbidden"


def customer_of(actor: Actor | None, requested: str | None) -> str:
    """Whose data this call may touch: customers only their own, agents anyone they name."""
    if actor is None or actor.type == "partner":
        raise Forbidden("only customers and agents manage customer notifications", code=FORBIDDEN)
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


def require_agent(actor: Actor | None, doing: str = "settle held messages") -> Actor:
    if actor is None or actor.type != "agent":
        raise Forbidden(f"only agents {doing}", code=FORBIDDEN)
    return actor


def webhook_owner(actor: Actor | None) -> str | None:
    """Whose endpoints the caller sees: a partner its own, agents and the system all (None)."""
    if actor is None or actor.type == "customer":
        raise Forbidden("webhooks are managed by partners and agents", code=FORBIDDEN)
    return actor.id if actor.type == "partner" else None


def endpoint_owner(actor: Actor | None, partner_key_id: str | None) -> str:
    """Whose a new endpoint is: the registering partner key's; the partner key an agent names
    (registering it for that partner); or, naming none, the agent's. A partner cannot register
    for another key."""
    webhook_owner(actor)  # customers and the anonymous are refused
    assert actor is not None
    if actor.type == "partner" and partner_key_id not in (None, actor.id):
        raise Forbidden("a partner registers endpoints for its own key only", code=FORBIDDEN)
    return partner_key_id or actor.id
