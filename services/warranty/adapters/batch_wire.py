"""Batch analytics, domain -> wire: the `warranty.batch.flagged` CloudEvent and report models."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.warranty.domain.analytics import BatchRow, Report
from services.warranty.domain.batches import BatchKey, BatchVerdict
from shared.contracts import warranty_analytics as c
from shared.contracts.envelope import CloudEvent, make_event
from shared.logging import current_correlation_id

FLAGGED = "warranty.batch.flagged"


def batch_flagged_event(verdict: BatchVerdict, q: float, at: datetime) -> CloudEvent[Any]:
    b = verdict.batch
    data = c.BatchFlagged(
        batch_id=b.batch_id, factory=b.factory, iso_week=b.iso_week, style_code=b.style,
        claims=verdict.claims, units=verdict.units, defect_rate=verdict.claims / verdict.units,
        baseline_rate=verdict.baseline, p_value=verdict.p_value, q_value=verdict.q_value,
        fdr_level=q, flagged_at=at,
    )  # fmt: skip
    return make_event(
        type=FLAGGED, source=c.SOURCE, subject=b.batch_id, data=data,
        correlation_id=current_correlation_id(),
        # One announcement per batch, ever: JetStream drops a second publish with this id.
        event_id=f"batch.{b.batch_id}.flagged", time=at,
    )  # fmt: skip


def batch_figures(row: BatchRow, flagged: bool) -> c.BatchFigures:
    b, rate = row.batch, row.rate
    return c.BatchFigures(
        batch_id=b.batch_id, factory=b.factory, iso_week=b.iso_week, style_code=b.style,
        claims=row.claims, units=row.units, defect_rate=rate.rate if rate else None,
        rate_ci_low=rate.low if rate else None, rate_ci_high=rate.high if rate else None,
        flagged=flagged,
    )  # fmt: skip


def flagged_batch(batch: BatchKey, row: Any) -> c.FlaggedBatch:
    return c.FlaggedBatch(
        batch_id=batch.batch_id, claims=row.claims, units=row.units, baseline_rate=row.baseline,
        p_value=row.p_value, q_value=row.q_value, flagged_at=row.flagged_at,
    )  # fmt: skip


def analytics_report(
    report: Report, flags: dict[BatchKey, Any], *, as_of: datetime, q: float, min_claims: int
) -> c.AnalyticsReport:
    sla = report.sla
    return c.AnalyticsReport(
        as_of=as_of,
        batches=[batch_figures(r, r.batch in flags) for r in report.batches],
        per_component=report.per_component,
        per_reason=report.per_reason,
        sla=c.SlaFigures(
            shipped_back=sla.shipped,
            within_promise=sla.within_promise,
            compliance=sla.compliance,
            median_turnaround_hours=sla.median_turnaround_hours,
        ),
        flagged=[flagged_batch(b, row) for b, row in sorted(flags.items())],
        q=q,
        min_claims=min_claims,
    )
