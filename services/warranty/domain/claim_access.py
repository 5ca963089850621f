"""Who may see and change a claim.

Customers only ever see their own claims, and anything else looks like it does not exist; the
repair centre's steps are for agents, partners and the service itself.
"""

from __future__ import annotations

from shared.actor import Actor
from shared.errors import Forbidden, NotFound

from .claim_states import SYSTEM
from .claims import Claim

STAFF = frozenset({"agent", "partner", "system"})
DECIDERS = frozenset({"agent", "system"})  # who decides a claim under review, sees every claim


def claim_not_found(claim_id: str) -> NotFound:
    return NotFound("No such claim.", code="claim_not_found", details={"claim_id": claim_id})


def ensure_visible(claim: Claim | None, claim_id: str, actor: Actor | None) -> Claim:
    if claim is None:
        raise claim_not_found(claim_id)
    if actor is not None and actor.type == "customer" and claim.customer_id != actor.id:
        raise claim_not_found(claim_id)
    return claim


def ensure_staff(actor: Actor | None) -> None:
    if actor is not None and actor.type not in STAFF:
        raise Forbidden("Only an agent or the repair centre can do this.",
                        code="claim_action_forbidden")  # fmt: skip


def ensure_decider(actor: Actor | None) -> None:
    if actor is not None and actor.type not in DECIDERS:
        raise Forbidden("Only an agent can decide a claim under review.",
                        code="claim_action_forbidden")  # fmt: skip


def recorded(actor: Actor | None) -> Actor:
    """Who a transition records: the caller's type and id (the service itself when none)."""
    return SYSTEM if actor is None else Actor(type=actor.type, id=actor.id)
