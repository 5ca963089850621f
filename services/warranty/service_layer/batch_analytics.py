"""Batch analytics use cases: upload production volumes, evaluate and flag batches, report, chart.

Flagging writes the flag row and its `warranty.batch.flagged` event in one unit of work (the
outbox publishes after commit); the flag row's primary key makes the announcement happen once per
batch, even when two replicas evaluate at the same moment (the second insert fails and rolls back).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog

from services.warranty.access import utcnow
from services.warranty.adapters.batch_wire import analytics_report, batch_flagged_event
from services.warranty.adapters.batches_repo import BatchesRepository
from services.warranty.domain.analytics import Filters, Report, defect_counts, report
from services.warranty.domain.batches import (
    DEFAULT_MIN_CLAIMS,
    DEFAULT_Q,
    BatchVerdict,
    flag_batches,
    newly_flagged,
)
from services.warranty.domain.reference import Catalogue
from services.warranty.domain.volumes import parse_volumes
from shared.actor import Actor as Requester
from shared.contracts import warranty_analytics as c
from shared.errors import DomainError, ErrorKind
from shared.messaging.outbox import Tx

log = structlog.get_logger()

SvgRenderer = Callable[[Report], Awaitable[str]]


class AnalyticsForbidden(DomainError):
    code = "analytics_forbidden"
    kind = ErrorKind.FORBIDDEN


def ensure_agent(requester: Requester | None) -> Requester | None:
    """Analytics and volumes are for agents (the gateway also checks the `operations` scope)."""
    if requester is not None and requester.type not in ("agent", "system"):
        raise AnalyticsForbidden("Batch analytics are for agents.")
    return requester


@dataclass
class BatchAnalytics:
    uow: Callable[[], AbstractAsyncContextManager[Tx]]
    catalogue: Catalogue
    promise: timedelta  # the ship-back promise after receipt (the SLA breach time)
    render_svg: SvgRenderer
    q: float = DEFAULT_Q
    min_claims: int = DEFAULT_MIN_CLAIMS
    clock: Callable[[], datetime] = utcnow

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[BatchesRepository]:
        """Reads outside SQLite's one-writer lock when the unit of work has a database."""
        db = getattr(self.uow, "db", None)
        if db is None:
            async with self.uow() as tx:
                yield BatchesRepository(tx.session)
            return
        async with db.read() as session:
            yield BatchesRepository(session)

    async def upload_volumes(self, requester: Requester | None, text: str) -> c.VolumesUploaded:
        ensure_agent(requester)
        volumes = parse_volumes(
            text, factories=self.catalogue.factories.keys(), styles=self.catalogue.styles.keys()
        )  # raises VolumesRejected (422, every bad row) before anything is written
        async with self.uow() as tx:
            by = requester.id if requester else "system"
            await BatchesRepository(tx.session).replace_volumes(volumes, self.clock(), by)
        log.info("batches.volumes_uploaded", rows=len(volumes))
        flagged = await self.evaluate()
        return c.VolumesUploaded(
            rows=len(volumes), newly_flagged=[v.batch.batch_id for v in flagged]
        )

    async def evaluate(self) -> list[BatchVerdict]:
        """Test every batch; record and announce the ones flagged for the first time."""
        async with self.uow() as tx:
            repo = BatchesRepository(tx.session)
            units, facts = await repo.volumes(), await repo.claim_facts()
            verdicts = flag_batches(
                defect_counts(facts), units, q=self.q, min_claims=self.min_claims
            )
            new = newly_flagged(verdicts, set(await repo.flags()))
            now = self.clock()
            for verdict in new:
                await repo.add_flag(verdict, now)
                tx.publish(batch_flagged_event(verdict, self.q, now))
        for verdict in new:
            log.info("batch.flagged", batch_id=verdict.batch.batch_id, claims=verdict.claims,
                     units=verdict.units, q_value=verdict.q_value)  # fmt: skip
        return new

    async def _report(self, filters: Filters) -> tuple[Report, dict[Any, Any]]:
        async with self._reading() as repo:
            facts = await repo.claim_facts(filters.region)
            units, flags = await repo.volumes(), await repo.flags()
        kept = [f for f in facts if filters.keeps_claim(f)]
        kept_units = {b: n for b, n in units.items() if filters.keeps_batch(b)}
        kept_flags = {b: row for b, row in flags.items() if filters.keeps_batch(b)}
        return report(kept, kept_units, self.promise), kept_flags

    async def analytics(self, requester: Requester | None, filters: Filters) -> c.AnalyticsReport:
        ensure_agent(requester)
        figures, flags = await self._report(filters)
        return analytics_report(
            figures, flags, as_of=self.clock(), q=self.q, min_claims=self.min_claims
        )

    async def defect_rate_chart(self, requester: Requester | None, filters: Filters) -> str:
        ensure_agent(requester)
        figures, _ = await self._report(filters)
        return await self.render_svg(figures)
