"""Benchmark harness: every figure is printed next to a baseline measured in the same run."""

from __future__ import annotations

import platform
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import psutil
from rich.console import Console
from rich.table import Table


@dataclass
class Comparison:
    name: str
    unit: str
    value: float
    baseline_name: str
    baseline: float
    target_ratio: float | None

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else 0.0

    @property
    def verdict(self) -> str:
        if self.target_ratio is None:
            return "-"
        return "meets" if self.ratio >= self.target_ratio else "MISSES"


@dataclass
class Bound:
    """An absolute figure with a ceiling (latency, memory, start-up time): no baseline."""

    name: str
    unit: str
    value: float
    limit: float

    @property
    def verdict(self) -> str:
        return "meets" if self.value <= self.limit else "MISSES"


Row = Comparison | Bound


async def rate(n: int, work: Callable[[], Awaitable[None]]) -> float:
    """Items per second for `work`, which must process `n` items."""
    start = time.perf_counter()
    await work()
    return n / (time.perf_counter() - start)


def machine() -> str:
    return (
        f"{platform.processor() or platform.machine()}, {psutil.cpu_count()} cores, "
        f"{psutil.virtual_memory().total // 2**30} GiB, Python {platform.python_version()}"
    )


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"


def report(results: list[Row], notes: list[str] | None = None) -> None:
    console = Console()
    table = Table(title=f"Concierge benchmarks ({machine()})")
    for col in ("benchmark", "value", "baseline", "ratio", "target", "verdict"):
        table.add_column(col)
    for r in results:
        if isinstance(r, Bound):
            table.add_row(
                r.name, f"{_number(r.value)} {r.unit}", "-", "-",
                f"<= {_number(r.limit)} {r.unit}", r.verdict,
            )  # fmt: skip
            continue
        table.add_row(
            r.name,
            f"{r.value:,.0f} {r.unit}",
            f"{r.baseline_name}: {r.baseline:,.0f} {r.unit}",
            f"{r.ratio:.3f}",
            f">= {r.target_ratio:.3f}" if r.target_ratio is not None else "-",
            r.verdict,
        )
    console.print(table)
    for note in notes or []:
        console.print(f"- {note}", highlight=False, soft_wrap=True)
