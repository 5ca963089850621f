"""Timers of open claims: RMA reminders and lapses, the turnaround's at-risk and breached alarms.

Due times live in the database (`next_timer_at`), so timers survive restarts; each sweep applies
what fell due, one claim per transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import structlog

from services.warranty.domain.sla import DEFAULT_TIMINGS, Timings
from shared.clock import Clock
from shared.errors import DomainError

from .claim_changes import publish_events
from .unit_of_work import UnitOfWork

log = structlog.get_logger()


@dataclass
class ClaimTimers:
    uow: UnitOfWork
    clock: Clock
    timings: Timings = DEFAULT_TIMINGS

    async def sweep(self, now: datetime | None = None) -> int:
        """Apply every due RMA reminder, lapse and SLA alarm; returns how many events it raised."""
        now = now or self.clock.now()
        async with self.uow() as work:
            due = await work.claims.due_for_timers(now)
        raised = 0
        for claim_id in due:
            try:
                raised += await self._apply_timers(claim_id, now)
            except DomainError as exc:  # e.g. changed meanwhile: the next sweep sees it again
                log.warning("claim.timers_deferred", claim_id=claim_id, code=exc.code)
            except Exception:  # one broken claim must not hold back every other claim's timers
                log.exception("claim.timers_failed", claim_id=claim_id)
        return raised

    async def _apply_timers(self, claim_id: str, now: datetime) -> int:
        async with self.uow() as work:
            claim = await work.claims.get(claim_id, for_update=True)
            if claim is None:
                return 0
            names = claim.check_timers(now, self.timings)
            await work.claims.save(claim)  # also moves next_timer_at on
            publish_events(work, claim)
        if names:
            log.info("claim.timers", claim_id=claim_id, events=names)
        return len(names)
