"""Defect-rate charts as SVG (matplotlib's Agg backend: no display, no network, no fonts fetched).

matplotlib's pyplot keeps global state and is not thread-safe, so the chart is drawn on an
explicit Figure object, and callers render it in a worker thread (never on the event loop).
"""

from __future__ import annotations

import asyncio
import io
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from services.warranty.domain.analytics import BatchRow, Report


def _monday(year: int, week: int) -> date:
    return date.fromisocalendar(year, week, 1)


def defect_rate_svg(rows: list[BatchRow], title: str = "Defect rate by production week") -> str:
    """One line per factory: claims over units of all its styles, week by week."""
    claims: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    units: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        if row.units:
            week = _monday(row.batch.year, row.batch.week)
            claims[row.batch.factory][week] += row.claims
            units[row.batch.factory][week] += row.units
    # Imported on the first chart: ~40 MiB that a process drawing none does not hold.
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import dates
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 4), dpi=100)
    ax = fig.add_subplot()
    for factory in sorted(units):
        weeks = sorted(units[factory])
        rates = [100 * claims[factory][w] / units[factory][w] for w in weeks]
        ax.plot(dates.date2num(weeks), rates, marker="o", label=factory)
    ax.xaxis.set_major_formatter(dates.DateFormatter("%G-W%V"))
    ax.set_title(title)
    ax.set_xlabel("production week (ISO)")
    ax.set_ylabel("defect rate (% of units)")
    if units:
        ax.legend(title="factory")
    else:
        ax.text(0.5, 0.5, "no volumes uploaded", ha="center", va="center", transform=ax.transAxes)
    fig.autofmt_xdate()
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})  # reproducible: no timestamp
    return out.getvalue()


class SvgCharts:
    """Renders charts in a small pool of its own: a slow chart never blocks the event loop, and a
    burst of chart requests cannot take every thread of the default executor."""

    def __init__(self, workers: int = 1) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="charts")

    async def defect_rate(self, figures: Report) -> str:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, defect_rate_svg, figures.batches)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
