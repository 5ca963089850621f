"""Edges of batch flagging (docs/analytics.md): a batch with no claims counts as zero, a batch
with no units is never tested, the baseline is the rest of the style however small, and a batch
is flagged when its q-value is at most q and it has at least the minimum number of claims (by
default q = 0.05 and 5 claims)."""

from __future__ import annotations

import pytest

from services.warranty.domain.batches import BatchKey, clopper_pearson, flag_batches


def _batch(week: int, style: str = "VT02") -> BatchKey:
    return BatchKey("NJ", 2026, week, style)


A, B, C, D, E = (_batch(w) for w in (10, 11, 12, 13, 14))


def _by_batch(claims, units, **kw):
    return {v.batch: v for v in flag_batches(claims, units, **kw)}


def test_a_rate_needs_units() -> None:
    with pytest.raises(ValueError, match=r"^a rate needs units$"):
        clopper_pearson(0, 0)
    # one unit is enough: its one claim is a rate of 1, the interval from 2.5% (the exact bound
    # (alpha/2)^(1/n) for n = k = 1) to 1
    one = clopper_pearson(1, 1)
    assert (one.rate, one.high) == (1.0, 1.0)
    assert one.low == pytest.approx(0.025)


def test_a_batch_without_claims_is_tested_with_none() -> None:
    verdicts = _by_batch({A: 3}, {A: 1000, B: 1000})
    assert verdicts[B].claims == 0
    assert verdicts[B].baseline == pytest.approx(3 / 1000)
    assert verdicts[B].p_value == pytest.approx(1.0)
    assert A not in verdicts  # the rest of its style (B) has no claims: no baseline to beat


def test_a_batch_without_units_is_not_tested() -> None:
    verdicts = _by_batch({A: 5, B: 5}, {A: 1000, B: 1000, C: 0})
    assert set(verdicts) == {A, B}


def test_the_smallest_batches_and_remainders_still_count() -> None:
    # one unit with its one claim is a baseline of 1.0 for the other batch
    verdicts = _by_batch({A: 1, B: 10}, {A: 1, B: 100})
    assert verdicts[B].baseline == pytest.approx(1.0)
    assert verdicts[A].units == 1 and verdicts[A].baseline == pytest.approx(0.1)
    # a remainder with a single claim is a baseline
    verdicts = _by_batch({A: 1, B: 6}, {A: 1000, B: 1000})
    assert verdicts[B].baseline == pytest.approx(1 / 1000)


def test_flagging_at_exactly_q_and_exactly_the_minimum_claims() -> None:
    claims = {A: 2, B: 2, C: 2, D: 2, E: 12}
    units = dict.fromkeys((A, B, C, D, E), 2000)
    bad = _by_batch(claims, units)[E]
    assert bad.flagged and bad.claims == 12
    at_q = _by_batch(claims, units, q=bad.q_value)[E]
    assert at_q.flagged
    assert not _by_batch(claims, units, q=bad.q_value * 0.999)[E].flagged
    assert _by_batch(claims, units, min_claims=12)[E].flagged
    assert not _by_batch(claims, units, min_claims=13)[E].flagged


def test_the_defaults_are_q_five_percent_and_five_claims() -> None:
    normal = {A: 10, B: 10, C: 10, D: 10}
    units = dict.fromkeys((A, B, C, D), 10_000) | {E: 100}
    # five claims in a hundred units against a rate of one in a thousand: flagged
    five = _by_batch(normal | {E: 5}, units)
    assert five[E].flagged and five[E].q_value < 0.05
    assert not any(five[b].flagged for b in (A, B, C, D))  # q-values far above 5%
    assert all(five[b].q_value > 0.5 for b in (A, B, C, D))
    # four is as significant, but below the minimum number of claims
    four = _by_batch(normal | {E: 4}, units)
    assert four[E].q_value < 0.05 and not four[E].flagged
    # a q-value just above 5% is not flagged, just below it is
    assert not _by_batch(normal | {E: 5}, units, q=five[E].q_value / 2)[E].flagged
