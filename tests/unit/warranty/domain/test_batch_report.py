"""The analytics report: which claims count, SLA compliance and turnaround, filters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from services.warranty.domain.analytics import ClaimFacts, Filters, batch_of, report
from services.warranty.domain.batches import BatchKey

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
B1 = BatchKey("SD", 2026, 30, "VT01")
B2 = BatchKey("NJ", 2026, 31, "VT02")
WEEK = timedelta(days=7)


def claim(batch: BatchKey | None = B1, *, cause: str = "manufacturing_defect",
          status: str = "closed", region: str = "US", days: float | None = None) -> ClaimFacts:  # fmt: skip
    shipped = T0 + timedelta(days=days) if days is not None else None
    return ClaimFacts(batch, region, ("handles",), cause, status,
                      T0 if days is not None else None, shipped)  # fmt: skip


def test_only_live_manufacturing_defects_count_towards_a_batch() -> None:
    claims = [claim(), claim(cause="wear", status="rejected"), claim(status="cancelled"),
              claim(status="rejected"), claim(B2)]  # fmt: skip
    out = report(claims, {B1: 100}, WEEK)
    rows = {r.batch: r for r in out.batches}
    assert rows[B1].claims == 1 and rows[B1].units == 100 and rows[B1].rate is not None
    assert rows[B2].claims == 1 and rows[B2].units is None and rows[B2].rate is None
    assert out.per_reason == {"manufacturing_defect": 3, "wear": 1}  # cancelled left out
    assert out.per_component == {"handles": 4}


def test_sla_compliance_and_median_turnaround() -> None:
    claims = [claim(days=2), claim(days=7), claim(days=9), claim(status="awaiting_item")]
    sla = report(claims, {}, WEEK).sla
    assert (sla.shipped, sla.within_promise) == (3, 2)
    assert sla.compliance == 2 / 3 and sla.median_turnaround_hours == 7 * 24


def test_no_shipment_means_no_figures_rather_than_zero() -> None:
    sla = report([claim()], {}, WEEK).sla
    assert sla.compliance is None and sla.median_turnaround_hours is None


def test_filters_by_region_factory_style_and_production_weeks() -> None:
    f = Filters(region="US", factory="SD", week_from=(2026, 30), week_to=(2026, 30))
    assert f.keeps_claim(claim())
    assert not f.keeps_claim(claim(region="UK"))
    assert not f.keeps_claim(claim(B2))
    assert not f.keeps_claim(claim(None))  # a claim without a batch is outside a batch filter
    assert Filters(region="US").keeps_claim(claim(None))
    assert not Filters(style="VT02").keeps_batch(B1)


def test_the_batch_of_a_label_is_its_factory_iso_week_and_style() -> None:
    assert batch_of("SD-2551-VT02-00120Z", "VT02", date(2025, 12, 15)) == BatchKey(
        "SD", 2025, 51, "VT02"
    )
    assert batch_of("SD4129", None, date(2022, 2, 28)) is None  # first generation: no style
    assert B1.batch_id == "SD-2630-VT01" and B1.iso_week == "2026-W30"
