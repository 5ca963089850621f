"""Production batches and their defect rates: which batches are significantly worse than their style.

A batch is what a label names: a factory, an ISO production week and a style. Its defect rate is
manufacturing-defect claims over the units produced (the operator uploads the volumes).

Flagging: each batch is tested against its style's baseline, estimated from the OTHER batches of
the same style (leave-one-out, so a bad batch cannot hide by raising its own baseline). The test
is the one-sided exact binomial test, P(X >= claims | units, baseline), i.e. scipy's
`binomtest(..., alternative="greater")`, computed vectorised as `binom.sf(claims - 1, ...)`.
Benjamini-Hochberg then controls the false discovery rate across every batch tested, and a
batch also needs a minimum number of claims before it is flagged (a single claim in a tiny batch
is never news).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

DEFAULT_Q = 0.05
DEFAULT_MIN_CLAIMS = 5
CONFIDENCE = 0.95


@dataclass(frozen=True, order=True)
class BatchKey:
    factory: str
    year: int  # ISO year
    week: int  # ISO week
    style: str

    @property
    def iso_week(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def batch_id(self) -> str:
        """The label's own spelling of a batch: factory, yy, ww, style (e.g. `SD-2551-VT02`)."""
        return f"{self.factory}-{self.year % 100:02d}{self.week:02d}-{self.style}"


@dataclass(frozen=True)
class RateInterval:
    rate: float
    low: float
    high: float


@dataclass(frozen=True)
class BatchVerdict:
    batch: BatchKey
    claims: int
    units: int
    baseline: float  # the style's rate without this batch
    p_value: float
    q_value: float  # Benjamini-Hochberg adjusted p-value
    flagged: bool


@dataclass(frozen=True)
class BatchFlag:
    """A batch as it was flagged (recorded once, with the test's figures at that moment)."""

    batch: BatchKey
    claims: int
    units: int
    baseline: float
    p_value: float
    q_value: float
    flagged_at: datetime


def clopper_pearson(claims: int, units: int, confidence: float = CONFIDENCE) -> RateInterval:
    """The exact (Clopper-Pearson) interval of a binomial rate, from the beta distribution."""
    if units <= 0:
        raise ValueError("a rate needs units")
    k, n, alpha = min(claims, units), units, 1.0 - confidence
    from scipy import stats  # on first use: ~70 MiB a process that never tests does not hold

    low = 0.0 if k == 0 else float(stats.beta.ppf(alpha / 2, k, n - k + 1))
    high = 1.0 if k == n else float(stats.beta.ppf(1 - alpha / 2, k + 1, n - k))
    return RateInterval(claims / units, low, high)


def _leave_one_out_baselines(
    claims: Mapping[BatchKey, int], units: Mapping[BatchKey, int]
) -> dict[BatchKey, float]:
    per_style_claims: dict[str, int] = defaultdict(int)
    per_style_units: dict[str, int] = defaultdict(int)
    for batch, n in units.items():
        per_style_claims[batch.style] += min(claims.get(batch, 0), n)
        per_style_units[batch.style] += n
    baselines = {}
    for batch, n in units.items():
        rest_units = per_style_units[batch.style] - n
        rest_claims = per_style_claims[batch.style] - min(claims.get(batch, 0), n)
        # A style with one batch, or a clean remainder, has no baseline to beat: not tested.
        if rest_units > 0 and rest_claims > 0:
            baselines[batch] = rest_claims / rest_units
    return baselines


def flag_batches(
    claims: Mapping[BatchKey, int],
    units: Mapping[BatchKey, int],
    *,
    q: float = DEFAULT_Q,
    min_claims: int = DEFAULT_MIN_CLAIMS,
) -> list[BatchVerdict]:
    """Test every batch with units against its style's baseline; flag those BH keeps at `q`.

    Claims of batches without a volume are not tested (there is no denominator).
    """
    baselines = _leave_one_out_baselines(claims, units)
    tested = sorted(b for b in baselines if units[b] > 0)
    if not tested:
        return []
    import numpy as np  # on first use, like scipy: 14 MiB the service need not carry until then
    from scipy import stats  # on first use (see clopper_pearson)

    k = np.array([min(claims.get(b, 0), units[b]) for b in tested])
    n = np.array([units[b] for b in tested])
    p0 = np.array([baselines[b] for b in tested])
    p_values = stats.binom.sf(k - 1, n, p0)  # P(X >= k): the exact one-sided binomial test
    q_values = stats.false_discovery_control(p_values, method="bh")
    return [
        BatchVerdict(
            batch=b,
            claims=int(k[i]),
            units=int(n[i]),
            baseline=float(p0[i]),
            p_value=float(p_values[i]),
            q_value=float(q_values[i]),
            flagged=bool(q_values[i] <= q and k[i] >= min_claims),
        )
        for i, b in enumerate(tested)
    ]


def newly_flagged(verdicts: Iterable[BatchVerdict], already: set[BatchKey]) -> list[BatchVerdict]:
    """A batch is flagged once: later evaluations never announce it again."""
    return [v for v in verdicts if v.flagged and v.batch not in already]
