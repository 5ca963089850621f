"""Changing one claim: load it for update, check who may, let the domain decide, save, publish.

Every use case that moves an existing claim (agents' decisions, cancellations, the repair
centre's steps) goes through `ClaimChanges.apply`, so the rules of who may see a claim and the
one-transaction save of state and events live in one place.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import structlog

from services.warranty.domain.claim_access import ensure_staff, ensure_visible
from services.warranty.domain.claims import Claim
from shared.actor import Actor
from shared.clock import Clock

from .unit_of_work import UnitOfWork, Work

# What a use case does to the claim inside the transaction (the time is the clock's, once).
Change = Callable[[Claim, Work, datetime], Awaitable[None]]


def publish_events(work: Work, claim: Claim) -> None:
    for event in claim.pull_events():
        work.publish(event)


@dataclass
class ClaimChanges:
    uow: UnitOfWork
    clock: Clock

    async def apply(
        self, actor: Actor | None, claim_id: str, change: Change, *, staff_only: bool = True
    ) -> Claim:
        structlog.contextvars.bind_contextvars(claim_id=claim_id)
        async with self.uow() as work:
            claim = ensure_visible(
                await work.claims.get(claim_id, for_update=True), claim_id, actor
            )
            if staff_only:
                ensure_staff(actor)
            await change(claim, work, self.clock.now())
            await work.claims.save(claim)
            publish_events(work, claim)
        return claim

    async def load(self, actor: Actor | None, claim_id: str) -> Claim:
        """The claim as the caller may see it, read in a write transaction (fresh for a change)."""
        async with self.uow() as work:
            return ensure_visible(await work.claims.get(claim_id), claim_id, actor)
