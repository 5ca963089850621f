"""The authenticated caller (`Principal`) and the customer an operation concerns (`Acting`).

Plain models with no I/O: auth.py builds a `Principal` from a JWT or an API key, and the routers
turn it into the RPC actor (`acting_customer`). Re-exported by auth.py, where routers import them.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.errors import DomainError, ErrorKind, Forbidden

if TYPE_CHECKING:
    from shared.actor import Actor

Role = Literal["customer", "agent"]
PrincipalType = Literal["customer", "agent", "partner"]


class AuthError(DomainError):
    code = "invalid_credentials"
    kind = ErrorKind.UNAUTHORIZED


class Principal(BaseModel):
    """An authenticated caller. `id` is the customer id, agent id or partner key id."""

    model_config = ConfigDict(frozen=True)

    type: PrincipalType
    id: str
    scopes: frozenset[str] = Field(default_factory=frozenset)
    event_types: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Stable per-caller key for rate limits and idempotency scopes."""
        return f"{self.type}:{self.id}"

    def allows_event(self, event_type: str) -> bool:
        """Partners only see the event types their key names (patterns like `warranty.claim.*`);
        customers and agents are not limited here."""
        if self.type != "partner":
            return True
        return any(fnmatchcase(event_type, pattern) for pattern in self.event_types)

    def require_events(self, event_types: Iterable[str]) -> None:
        """403 unless every event type is within this caller's scope (e.g. webhook subscriptions)."""
        refused = sorted(t for t in event_types if not self.allows_event(t))
        if refused:
            raise Forbidden(
                "The API key does not cover these event types.",
                code="event_type_not_allowed",
                details={"event_types": refused},
            )

    def actor(self, on_behalf_of: str | None = None) -> Actor:
        if on_behalf_of is None:
            return _own_actor(self.type, self.id)
        from shared.actor import Actor

        return Actor(type=self.type, id=self.id, on_behalf_of=on_behalf_of)


# An Actor is frozen, so every request of one caller can carry the same one, built once.
@lru_cache(maxsize=10_000)
def _own_actor(type_: PrincipalType, id_: str) -> Actor:
    from shared.actor import Actor

    return Actor(type=type_, id=id_)


class Acting(BaseModel):
    """The customer an operation concerns, and who acts (recorded as the RPC actor)."""

    customer_id: str
    actor: Any  # shared.rpc.Actor

    @property
    def on_behalf(self) -> bool:
        return self.actor.on_behalf_of is not None


def acting_customer(principal: Principal, customer_id: str | None) -> Acting:
    """Customers act for themselves; agents name the customer (`on_behalf_of` is recorded).

    A customer naming someone else gets 404, not 403: whether that customer exists is not theirs
    to learn (OWASP API1).
    """
    if principal.type == "customer":
        if customer_id is not None and customer_id != principal.id:
            raise DomainError(
                "No such customer.", code="customer_not_found", kind=ErrorKind.NOT_FOUND
            )
        return Acting(customer_id=principal.id, actor=principal.actor())
    if principal.type == "agent":
        if not customer_id:
            raise DomainError(
                "Agents must say which customer they act for (customer_id).",
                code="customer_id_required",
                kind=ErrorKind.INVALID,
            )
        return Acting(customer_id=customer_id, actor=principal.actor(on_behalf_of=customer_id))
    raise Forbidden("This operation is for customers and agents.", code="role_not_allowed")
