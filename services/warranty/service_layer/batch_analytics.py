"""Batch analytics use cases: upload production volumes, evaluate and flag batches, report, chart.

Flagging writes the flag row and its `warranty.batch.flagged` event in one unit of work (the
outbox publishes after commit); the flag row's primary key makes the announcement happen once per
batch, even when two replicas evaluate at the same moment (the second insert fails and rolls back).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from services.warranty.domain.analytics import Filters, Report, defect_counts, report
from services.warranty.domain.batches import (
    DEFAULT_MIN_CLAIMS,
    DEFAULT_Q,
    BatchFlag,
    BatchKey,
    BatchVerdict,
    flag_batches,
    newly_flagged,
)
from services.warranty.domain.events import BatchFlagged
from services.warranty.domain.reference import Catalogue
from services.warranty.domain.volumes import parse_volumes
from shared.actor import Actor
from shared.clock import Clock
from shared.errors import Forbidden

from .unit_of_work import UnitOfWork

log = structlog.get_logger()

SvgRenderer = Callable[[Report], Awaitable[str]]


def ensure_agent(actor: Actor | None) -> Actor | None:
    """Analytics and volumes are for agents (the gateway also checks the `operations` scope)."""
    if actor is not None and actor.type not in ("agent", "system"):
        raise Forbidden("Batch analytics are for agents.", code="analytics_forbidden")
    return actor


@dataclass(frozen=True)
class VolumesUploaded:
    rows: int
    newly_flagged: list[str]  # batch ids


@dataclass(frozen=True)
class Analytics:
    """The report over the claims the filters keep, and the flags of the batches they keep."""

    report: Report
    flags: dict[BatchKey, BatchFlag]
    as_of: datetime


def flagged_event(verdict: BatchVerdict, q: float, at: datetime) -> BatchFlagged:
    b = verdict.batch
    return BatchFlagged(
        batch_id=b.batch_id, factory=b.factory, iso_week=b.iso_week, style_code=b.style,
        claims=verdict.claims, units=verdict.units, defect_rate=verdict.claims / verdict.units,
        baseline_rate=verdict.baseline, p_value=verdict.p_value, q_value=verdict.q_value,
        fdr_level=q, flagged_at=at,
    )  # fmt: skip


@dataclass
class BatchAnalytics:
    uow: UnitOfWork
    catalogue: Catalogue
    promise: timedelta  # the ship-back promise after receipt (the SLA breach time)
    render_svg: SvgRenderer
    clock: Clock
    q: float = DEFAULT_Q
    min_claims: int = DEFAULT_MIN_CLAIMS

    async def upload_volumes(self, actor: Actor | None, text: str) -> VolumesUploaded:
        ensure_agent(actor)
        volumes = parse_volumes(
            text, factories=self.catalogue.factories.keys(), styles=self.catalogue.styles.keys()
        )  # raises VolumesRejected (422, every bad row) before anything is written
        async with self.uow() as work:
            by = actor.id if actor else "system"
            await work.batches.replace_volumes(volumes, self.clock.now(), by)
        log.info("batches.volumes_uploaded", rows=len(volumes))
        flagged = await self.evaluate()
        return VolumesUploaded(rows=len(volumes), newly_flagged=[v.batch.batch_id for v in flagged])

    async def evaluate(self) -> list[BatchVerdict]:
        """Test every batch; record and announce the ones flagged for the first time."""
        async with self.uow() as work:
            repo = work.batches
            units, facts = await repo.volumes(), await repo.claim_facts()
            verdicts = flag_batches(
                defect_counts(facts), units, q=self.q, min_claims=self.min_claims
            )
            new = newly_flagged(verdicts, set(await repo.flags()))
            now = self.clock.now()
            for verdict in new:
                await repo.add_flag(verdict, now)
                work.publish(flagged_event(verdict, self.q, now))
        for verdict in new:
            log.info("batch.flagged", batch_id=verdict.batch.batch_id, claims=verdict.claims,
                     units=verdict.units, q_value=verdict.q_value)  # fmt: skip
        return new

    async def _report(self, filters: Filters) -> tuple[Report, dict[BatchKey, BatchFlag]]:
        async with self.uow.read() as work:
            repo = work.batches
            facts = await repo.claim_facts(filters.region)
            units, flags = await repo.volumes(), await repo.flags()
        kept = [f for f in facts if filters.keeps_claim(f)]
        kept_units = {b: n for b, n in units.items() if filters.keeps_batch(b)}
        kept_flags = {b: row for b, row in flags.items() if filters.keeps_batch(b)}
        return report(kept, kept_units, self.promise), kept_flags

    async def analytics(self, actor: Actor | None, filters: Filters) -> Analytics:
        ensure_agent(actor)
        figures, flags = await self._report(filters)
        return Analytics(figures, flags, as_of=self.clock.now())

    async def defect_rate_chart(self, actor: Actor | None, filters: Filters) -> str:
        ensure_agent(actor)
        figures, _ = await self._report(filters)
        return await self.render_svg(figures)
