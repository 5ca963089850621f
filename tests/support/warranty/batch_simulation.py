"""Simulated production batches and their defect claims, for the flagging tests.

Every batch of a style fails at the style's base rate; a planted batch fails at `factor` times it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from services.warranty.domain.batches import BatchKey


@dataclass
class Simulated:
    units: dict[BatchKey, int] = field(default_factory=dict)
    claims: dict[BatchKey, int] = field(default_factory=dict)
    planted: BatchKey | None = None


def simulate(
    seed: int,
    *,
    factories: tuple[str, ...] = ("SD", "NJ", "FI"),
    weeks: range = range(20, 36),
    styles: dict[str, float] | None = None,
    units_range: tuple[int, int] = (300, 1500),
    planted: BatchKey | None = None,
    factor: float = 4.0,
) -> Simulated:
    rng = np.random.default_rng(seed)
    styles = styles or {"VT01": 0.01, "VT02": 0.005}
    out = Simulated(planted=planted)
    for factory in factories:
        for week in weeks:
            for style, rate in styles.items():
                batch = BatchKey(factory, 2026, week, style)
                n = int(rng.integers(*units_range))
                p = rate * factor if batch == planted else rate
                out.units[batch] = n
                out.claims[batch] = int(rng.binomial(n, p))
    return out
