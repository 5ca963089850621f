"""Warranty analytics: claims per batch, component and reason; defect rates; SLA and turnaround.

A claim counts towards its batch's defect rate when it reports a manufacturing defect and was
not withdrawn or rejected (wear, accidents and refused claims say nothing about production).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from services.warranty.domain.batches import BatchKey, RateInterval, clopper_pearson

DEFECT_CAUSE = "manufacturing_defect"
NOT_COUNTED = frozenset({"cancelled", "rejected"})


@dataclass(frozen=True)
class ClaimFacts:
    """What analytics needs of one claim (no customer, no free text)."""

    batch: BatchKey | None  # None: no label, or a first-generation label without a style
    region: str
    components: tuple[str, ...]
    cause: str
    status: str
    received_at: datetime | None
    shipped_at: datetime | None

    @property
    def is_defect(self) -> bool:
        return self.cause == DEFECT_CAUSE and self.status not in NOT_COUNTED


def batch_of(
    label_code: str | None, style: str | None, manufactured: date | None
) -> BatchKey | None:
    """The batch a decoded label names: its factory (first two characters), ISO week, style."""
    if not label_code or not style or manufactured is None:
        return None
    year, week, _ = manufactured.isocalendar()
    return BatchKey(label_code[:2], year, week, style)


@dataclass(frozen=True)
class BatchRow:
    batch: BatchKey
    claims: int
    units: int | None  # None: no volume uploaded for this batch
    rate: RateInterval | None


@dataclass(frozen=True)
class Sla:
    shipped: int  # claims shipped back (the promise could be judged)
    within_promise: int
    compliance: float | None
    median_turnaround_hours: float | None


@dataclass(frozen=True)
class Report:
    batches: list[BatchRow]
    per_component: dict[str, int]
    per_reason: dict[str, int]
    sla: Sla


def defect_counts(claims: Iterable[ClaimFacts]) -> Counter[BatchKey]:
    return Counter(c.batch for c in claims if c.batch is not None and c.is_defect)


def batch_rows(counts: Mapping[BatchKey, int], units: Mapping[BatchKey, int]) -> list[BatchRow]:
    rows = []
    for batch in sorted(set(counts) | set(units)):
        k, n = counts.get(batch, 0), units.get(batch)
        rate = clopper_pearson(k, n) if n else None
        rows.append(BatchRow(batch, k, n, rate))
    return rows


def sla_of(claims: Iterable[ClaimFacts], promise: timedelta) -> Sla:
    turnarounds = [
        c.shipped_at - c.received_at
        for c in claims
        if c.received_at is not None and c.shipped_at is not None
    ]
    within = sum(1 for t in turnarounds if t <= promise)
    hours = [t.total_seconds() / 3600 for t in turnarounds]
    return Sla(
        shipped=len(turnarounds),
        within_promise=within,
        compliance=within / len(turnarounds) if turnarounds else None,
        median_turnaround_hours=statistics.median(hours) if hours else None,
    )


def report(claims: list[ClaimFacts], units: Mapping[BatchKey, int], promise: timedelta) -> Report:
    # Why customers claim is worth knowing even when the claim was refused (e.g. wear).
    counted = [c for c in claims if c.status != "cancelled"]
    components = Counter(part for c in counted for part in c.components)
    reasons = Counter(c.cause for c in counted)
    return Report(
        batches=batch_rows(defect_counts(claims), units),
        per_component=dict(sorted(components.items())),
        per_reason=dict(sorted(reasons.items())),
        sla=sla_of(claims, promise),
    )


@dataclass(frozen=True)
class Filters:
    """What an agent narrows the figures to. The period is the production week range (ISO
    weeks, inclusive) because a batch's rate belongs to when it was made, not when it failed."""

    region: str | None = None
    factory: str | None = None
    style: str | None = None
    week_from: tuple[int, int] | None = None  # (ISO year, ISO week)
    week_to: tuple[int, int] | None = None

    @property
    def narrows_batches(self) -> bool:
        return any((self.factory, self.style, self.week_from, self.week_to))

    def keeps_batch(self, batch: BatchKey | None) -> bool:
        if batch is None:
            return not self.narrows_batches
        when = (batch.year, batch.week)
        return (
            (self.factory is None or batch.factory == self.factory)
            and (self.style is None or batch.style == self.style)
            and (self.week_from is None or when >= self.week_from)
            and (self.week_to is None or when <= self.week_to)
        )

    def keeps_claim(self, claim: ClaimFacts) -> bool:
        return (self.region is None or claim.region == self.region) and self.keeps_batch(
            claim.batch
        )
