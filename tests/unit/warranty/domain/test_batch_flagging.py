"""Flagging defective production batches: exact one-sided tests under Benjamini-Hochberg."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from services.warranty.domain.batches import (
    BatchKey,
    BatchVerdict,
    clopper_pearson,
    flag_batches,
    newly_flagged,
)
from tests.support.warranty.batch_simulation import simulate

PLANTED = BatchKey("NJ", 2026, 27, "VT02")
SEED = 2026  # the seed the acceptance figures are quoted at (docs/analytics.md)
Q = 0.05


def test_the_planted_batch_is_found_and_no_normal_batch_is_flagged() -> None:
    sim = simulate(SEED, planted=PLANTED)
    verdicts = flag_batches(sim.claims, sim.units, q=Q)
    flagged = [v.batch for v in verdicts if v.flagged]
    assert len(verdicts) == len(sim.units) == 96  # every batch was tested
    assert flagged == [PLANTED]


def test_a_normal_batch_with_the_planted_claims_count_but_more_units_is_not_flagged() -> None:
    """Claims alone prove nothing: the same count spread over many more units is normal."""
    sim = simulate(SEED, planted=PLANTED)
    sim.units[PLANTED] = sim.units[PLANTED] * 8
    assert not any(v.flagged for v in flag_batches(sim.claims, sim.units, q=Q))


def test_p_values_are_the_exact_one_sided_binomial_test() -> None:
    sim = simulate(7)
    for v in flag_batches(sim.claims, sim.units)[:10]:
        exact = stats.binomtest(v.claims, v.units, v.baseline, alternative="greater").pvalue
        assert np.isclose(v.p_value, exact, rtol=1e-9, atol=1e-15)


def test_the_baseline_leaves_the_tested_batch_out() -> None:
    units = {BatchKey("SD", 2026, w, "VT01"): 1000 for w in (1, 2, 3)}
    claims = {BatchKey("SD", 2026, 1, "VT01"): 50, BatchKey("SD", 2026, 2, "VT01"): 10,
              BatchKey("SD", 2026, 3, "VT01"): 10}  # fmt: skip
    first = next(v for v in flag_batches(claims, units) if v.batch.week == 1)
    assert first.baseline == 20 / 2000


def test_too_few_claims_are_never_flagged_however_small_the_batch() -> None:
    units = {BatchKey("SD", 2026, w, "VT01"): 10_000 for w in range(1, 30)}
    claims = dict.fromkeys(units, 10)
    tiny = BatchKey("SD", 2026, 30, "VT01")
    units[tiny], claims[tiny] = 5, 4  # 80% against 0.1%: significant, but only four claims
    verdict = next(v for v in flag_batches(claims, units, min_claims=5) if v.batch == tiny)
    assert verdict.q_value < Q and not verdict.flagged


def test_a_style_with_a_single_batch_or_no_claims_elsewhere_is_not_tested() -> None:
    lone = BatchKey("FI", 2026, 5, "PL01")
    clean = {BatchKey("SD", 2026, w, "VT01"): 1000 for w in (1, 2)}
    assert flag_batches({lone: 40}, {lone: 100}) == []
    tested = flag_batches({BatchKey("SD", 2026, 1, "VT01"): 9}, clean)
    assert [v.batch.week for v in tested] == [2]  # week 1's remainder has no claims: no baseline


def test_a_batch_is_announced_once() -> None:
    batch = BatchKey("SD", 2026, 1, "VT01")
    verdict = BatchVerdict(batch, 30, 900, 0.01, 1e-9, 1e-8, flagged=True)
    assert newly_flagged([verdict], set()) == [verdict]
    assert newly_flagged([verdict], {batch}) == []


def test_the_interval_is_clopper_pearson() -> None:
    for k, n in [(0, 50), (3, 400), (50, 50), (17, 1000)]:
        ours = clopper_pearson(k, n)
        ref = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="exact")
        assert np.isclose(ours.low, ref.low) and np.isclose(ours.high, ref.high)
        assert ours.low <= ours.rate <= ours.high


DATASETS = 120  # clean data sets per example; ~5 ms each


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base_rate=st.sampled_from([0.002, 0.005, 0.01, 0.03]),
    n_weeks=st.integers(min_value=4, max_value=16),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_false_flags_on_clean_data_stay_at_or_under_q(
    base_rate: float, n_weeks: int, seed: int
) -> None:
    """With no bad batch at all, any flag is false, so BH's guarantee says P(any flag) <= q.

    The observed share over DATASETS data sets is a sample: the test fails when it is
    significantly above q (one-sided exact test at 0.001), i.e. when the exact 99.8% interval
    of the false-flag rate lies wholly above q.
    """
    rates = {"VT01": base_rate, "VT02": base_rate * 2}
    with_flag = 0
    for i in range(DATASETS):
        sim = simulate(seed + i, weeks=range(1, 1 + n_weeks), styles=rates)
        with_flag += any(v.flagged for v in flag_batches(sim.claims, sim.units, q=Q))
    assert stats.binomtest(with_flag, DATASETS, Q, alternative="greater").pvalue > 0.001, (
        f"{with_flag}/{DATASETS} clean data sets had a false flag (q = {Q})"
    )
