"""The order path's latency under load: one point per offered rate, as a table and a PNG.

Each point is an open-loop run at a fixed rate (POST /v1/orders -> the customer's in-app
message on the SSE stream). Where the achieved rate falls below the offered rate, or p99
climbs, the stack has passed its knee.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CurvePoint:
    offered: float  # orders/s the generator scheduled
    achieved: float  # orders/s actually sent (a stack that queues lowers it)
    p50_ms: float
    p99_ms: float
    sent: int
    missing: int  # orders whose message never arrived within the drain time
    cpu_ms_per_order: float  # all stack processes, the run and the work it left behind
    generator_cores: float
    idle: str
    load: str


def table(points: list[CurvePoint]) -> str:
    head = ("| offered orders/s | achieved orders/s | p50 ms | p99 ms | sent | messages missing "
            "| CPU ms per order (all processes; see idle check for what is counted) | generator CPU | idle check | load avg |")  # fmt: skip
    lines = [head, "|" + " --- |" * 10]
    for p in points:
        lines.append(
            f"| {p.offered:.0f} | {p.achieved:.1f} | {p.p50_ms:.1f} | {p.p99_ms:.1f} | {p.sent} "
            f"| {p.missing} | {p.cpu_ms_per_order:.1f} | {p.generator_cores:.2f} core "
            f"| {p.idle} | {p.load} |"
        )
    return "\n".join(lines) + "\n"


def plot(points: list[CurvePoint], path: Path, subtitle: str) -> Path:
    """Achieved rate and p50/p99 against the offered rate, side by side."""
    import matplotlib

    matplotlib.use("Agg")  # no display: the bench runs headless
    import matplotlib.pyplot as plt

    offered = [p.offered for p in points]
    fig, (rate_ax, lat_ax) = plt.subplots(1, 2, figsize=(11, 4.2))
    rate_ax.plot(offered, offered, "--", color="grey", label="offered")
    rate_ax.plot(offered, [p.achieved for p in points], "o-", label="achieved")
    rate_ax.set(xlabel="offered orders/s", ylabel="orders/s", title="throughput")
    rate_ax.legend()
    lat_ax.plot(offered, [p.p50_ms for p in points], "o-", label="p50")
    lat_ax.plot(offered, [p.p99_ms for p in points], "s-", label="p99")
    lat_ax.axhline(150, color="red", linestyle=":", label="p99 floor (150 ms)")
    lat_ax.set(xlabel="offered orders/s", ylabel="ms (log)", title="POST -> SSE message latency")
    lat_ax.set_yscale("log")
    lat_ax.legend()
    fig.suptitle(f"Order path under load ({subtitle})", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
