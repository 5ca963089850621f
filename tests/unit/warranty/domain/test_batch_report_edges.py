"""Edges of the analytics report (docs/analytics.md): a batch with volumes but no defect claim
is a rate of zero, a claim not yet shipped back (or not yet received) has no turnaround, and
each filter left unset keeps every batch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.warranty.domain.analytics import ClaimFacts, Filters, batch_rows, sla_of
from services.warranty.domain.batches import BatchKey

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
B1 = BatchKey("SD", 2026, 30, "VT01")
B2 = BatchKey("NJ", 2026, 31, "VT02")


def test_a_batch_with_units_and_no_defect_claim_has_a_zero_rate() -> None:
    rows = {r.batch: r for r in batch_rows({B2: 2}, {B1: 500})}
    assert rows[B1].claims == 0
    assert rows[B1].rate is not None and rows[B1].rate.rate == 0.0 and rows[B1].rate.low == 0.0


def test_only_claims_both_received_and_shipped_back_have_a_turnaround() -> None:
    def facts(received, shipped) -> ClaimFacts:
        return ClaimFacts(B1, "US", (), "manufacturing_defect", "closed", received, shipped)

    claims = [facts(T0, T0 + timedelta(days=3)), facts(T0, None)]
    sla = sla_of(claims, timedelta(days=7))
    assert (sla.shipped, sla.within_promise, sla.compliance) == (1, 1, 1.0)
    assert sla.median_turnaround_hours == 72


def test_an_unset_filter_keeps_every_batch() -> None:
    for batch in (B1, B2):
        assert Filters().keeps_batch(batch)
        assert Filters(style=batch.style).keeps_batch(batch)
        assert Filters(week_to=(2026, 31)).keeps_batch(batch)
        assert Filters(week_from=(2026, 30)).keeps_batch(batch)
    assert Filters(week_to=(2026, 31), factory="NJ").keeps_batch(B2)
    assert not Filters(week_from=(2026, 31)).keeps_batch(B1)
    assert not Filters(week_to=(2026, 30)).keeps_batch(B2)
