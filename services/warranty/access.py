"""Who may see and change a claim, and small helpers every use case shares."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from services.warranty.domain.claims import SYSTEM, Actor, Claim
from shared.actor import Actor as Requester
from shared.errors import DomainError, ErrorKind, NotFound

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
STAFF = frozenset({"agent", "partner", "system"})


class ReplacementStock(Protocol):
    async def available(self, region: str, style: str) -> int: ...
    async def reserve(self, claim_id: str, region: str, style: str) -> str: ...
    async def release(self, claim_id: str) -> None: ...


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_claim_id(entropy: bytes) -> str:
    value = int.from_bytes(entropy[:7], "big")
    return "CLM-" + "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(10)))


def domain_actor(requester: Requester | None) -> Actor:
    return SYSTEM if requester is None else Actor(requester.type, requester.id)


class Forbidden(DomainError):
    code = "claim_action_forbidden"
    kind = ErrorKind.FORBIDDEN


def claim_not_found(claim_id: str) -> NotFound:
    return NotFound("No such claim.", code="claim_not_found", details={"claim_id": claim_id})


def ensure_visible(claim: Claim | None, claim_id: str, requester: Requester | None) -> Claim:
    """Customers only ever see their own claims; anything else looks like it does not exist."""
    if claim is None:
        raise claim_not_found(claim_id)
    if requester is not None and requester.type == "customer" and claim.customer_id != requester.id:
        raise claim_not_found(claim_id)
    return claim


def ensure_staff(requester: Requester | None) -> None:
    if requester is not None and requester.type not in STAFF:
        raise Forbidden("Only an agent or the repair centre can do this.")
