"""The order path end to end on its own fresh stack: the latency curve, CPU per order, RSS.

The Python generator (bench/loadgen.py `e2e`) stays here: each customer's SSE message must be
matched to its POST, which wrk cannot do, and at these rates (<= 150 orders/s) it is far from
its limit (its CPU share is printed with each point). Before each point the bench waits until
the stack is idle (the sagas and messages of the previous point are done); the CPU a point
costs is counted from its first POST until the stack is idle again, so the saga and every
message an order causes are in it.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.curve import CurvePoint, plot, table
from bench.harness import Row, progress
from bench.http_bench import make_quotes
from bench.quiet import OthersMeter, describe_load, wait_idle
from bench.stack import (
    SERVICE_NAMES,
    CpuMeter,
    RssSampler,
    UpStack,
    idle_use,
    run_loadgen,
    token,
)

RATES = (25.0, 50.0, 100.0, 150.0)
HEADLINE_RATE = 100.0
CUSTOMERS = 10
DRAIN_TIMEOUT = 30.0  # s to wait for the saga work of a point to finish before the next
# The headline point runs first, on the fresh stack, and its CPU is counted over each order's
# whole life: the sandbox carrier pushes "in transit" 30 s and "delivered" 90 s after booking
# (its defaults, which the bench stack keeps), and the stack is quiet in between, so "idle
# again" alone would stop the count before shipping and delivery. The count runs until
# ORDER_LIFE after the last POST, then until the stack is idle (at most HEADLINE_DRAIN more).
ORDER_LIFE = 90.0 + 15.0
HEADLINE_DRAIN = 150.0
IDLE_SAMPLE_S = 10.0  # the headline point's idle use, subtracted over the order's whole life


@dataclass(frozen=True)
class Settings:
    seconds: float
    headline_drain: float
    quick: bool = False

    @classmethod
    def of(cls, quick: bool) -> Settings:
        return cls(4.0, DRAIN_TIMEOUT, True) if quick else cls(10.0, HEADLINE_DRAIN)


@dataclass
class PointRun:
    point: CurvePoint
    result: dict[str, Any]
    cpu_ms: dict[str, float]
    rss_mib: dict[str, float]
    loaded: bool
    drained: bool


def order_path_benchmarks(quick: bool, notes: list[str], bare_post_cpu_ms: float | None,
                          out_dir: Path) -> list[Row]:  # fmt: skip
    s = Settings.of(quick)
    with tempfile.TemporaryDirectory(prefix="concierge-bench-orders-") as tmp:
        stack = UpStack(Path(tmp))
        stack.start()
        try:
            runs = _curve(stack, s, notes)
        finally:
            stack.stop()
    points = sorted((r.point for r in runs), key=lambda p: p.offered)
    (out_dir / "order_latency_curve.md").parent.mkdir(parents=True, exist_ok=True)
    (out_dir / "order_latency_curve.md").write_text(table(points))
    loaded = any(r.loaded for r in runs)
    subtitle = f"{s.seconds:.0f} s per point" + (", LOADED MACHINE: not a result" if loaded else "")
    png = plot(points, out_dir / "order_latency_curve.png", subtitle)
    notes.append(f"order path curve: {out_dir / 'order_latency_curve.md'} and {png}")
    notes.append("order path curve:\n" + table(points))
    headline = next(r for r in runs if r.point.offered == HEADLINE_RATE)
    return headline_rows(headline, bare_post_cpu_ms)


def _curve(stack: UpStack, s: Settings, notes: list[str]) -> list[PointRun]:
    customers = [f"bench-e2e-{uuid.uuid4().hex[:6]}-{i}" for i in range(CUSTOMERS)]
    per_point = {rate: int(rate * s.seconds / CUSTOMERS) + 2 for rate in RATES}
    need = sum(per_point.values())
    progress(f"orders: stack up; creating {need} quotes for each of {CUSTOMERS} customers")
    quotes = {c: make_quotes(stack.api, c, need) for c in customers}
    runs, used = [], 0
    for rate in (HEADLINE_RATE, *(r for r in RATES if r != HEADLINE_RATE)):
        n = per_point[rate]
        batch = {c: q[used : used + n] for c, q in quotes.items()}
        used += n
        progress(f"orders: {rate:.0f} orders/s for {s.seconds:.0f} s (after an idle check)")
        headline = rate == HEADLINE_RATE and not s.quick
        drain = s.headline_drain if rate == HEADLINE_RATE else DRAIN_TIMEOUT
        runs.append(_point(stack, rate, s.seconds, batch, drain, ORDER_LIFE if headline else 0))
        notes.append(_note(runs[-1]))
    return runs


def _point(stack: UpStack, rate: float, seconds: float, quotes: dict[str, list[str]],
           drain: float, life: float) -> PointRun:  # fmt: skip
    check = wait_idle(stack.pids, timeout=DRAIN_TIMEOUT)
    # The headline point counts about two minutes of idle use per order's life: measured for
    # IDLE_SAMPLE_S from the scheduler's run time, not from the idle check's 3 s of ticks.
    idle_cores = idle_use(stack.pids, IDLE_SAMPLE_S) if life else check.idle_cores
    spec = {
        "mode": "e2e", "base_url": stack.api, "rate": rate, "duration": seconds,
        "kind": "order_placed",
        "customers": [{"token": token(c), "quotes": q} for c, q in quotes.items()],
    }  # fmt: skip
    started = time.perf_counter()
    with CpuMeter(stack.pids) as cpu, OthersMeter() as others:
        with RssSampler(stack.pids) as rss:
            r = run_loadgen(spec)
            time.sleep(life)  # the carrier's pushes, shipping and delivery (0: until idle only)
        drained = wait_idle(stack.pids, timeout=drain)
    sent = max(1, int(r["sent"]))
    per = {k: 1000 * v / sent for k, v in cpu.used.items()}
    # Net of what the idle stack would have used in the same time anyway (its timers and
    # pollers, measured in the idle check before the point): that is no order's cost.
    idle_ms = 1000 * idle_cores * (time.perf_counter() - started) / sent
    net = max(0.0, sum(per.values()) - idle_ms) if check.idle else sum(per.values())
    counted = f"whole life ({life:.0f} s after the last POST)" if life else "until idle"
    sampled = f" over {IDLE_SAMPLE_S:.0f} s" if life else ""
    idle = (f"{check.describe()}; CPU counted {counted}; idle stack {idle_cores:.3f} core"
            f"{sampled} = {idle_ms:.1f} ms per order, subtracted; after: "
            f"{'drained' if drained.idle else 'NOT drained'}")  # fmt: skip
    point = CurvePoint(rate, r["achieved_rate"], r["p50_ms"], r["p99_ms"], r["sent"],
                       r["missing"], net, r["generator_cores"], idle,
                       describe_load(check.load))  # fmt: skip
    loaded = not check.machine_quiet or others.cores > 0.25
    rss_mib = {k: v / 2**20 for k, v in rss.peak.items()}
    return PointRun(point, r, per, rss_mib, loaded, drained.idle)


def _note(run: PointRun) -> str:
    r, p = run.result, run.point
    cpu = ", ".join(f"{k} {v:.2f}" for k, v in run.cpu_ms.items())
    rss = ", ".join(f"{k} {v:.0f}" for k, v in run.rss_mib.items())
    return (f"e2e at {p.offered:.0f} orders/s: {r['sent']} of {r['orders']} sent "
            f"({p.achieved:.1f}/s), {r['delivered']} messages, {r['missing']} missing; "
            f"p50 {p.p50_ms:.1f} ms, p99 {p.p99_ms:.1f} ms, max {r['max_ms']:.0f} ms; POST p50 "
            f"{r['post_p50_ms']:.1f} ms, p99 {r['post_p99_ms']:.1f} ms; statuses {r['statuses']}; "
            f"CPU ms per order: {cpu}; peak RSS MiB: {rss}; generator "
            f"{p.generator_cores:.2f} core; {p.idle}")  # fmt: skip


def headline_rows(run: PointRun, bare_post_cpu_ms: float | None) -> list[Row]:
    p = run.point
    common: dict[str, Any] = {"generator_cores": p.generator_cores, "idle": p.idle,
                              "load": p.load, "loaded": run.loaded}  # fmt: skip
    at = f"e2e at {p.offered:.0f} orders/s"
    cpu_invalid = "" if run.drained else "the stack did not drain: CPU per order is a lower bound"
    rows = [
        Row(f"{at}: achieved", "orders/s", p.achieved, floor=99.0, **common),
        Row(f"{at}: POST -> SSE message p99", "ms", p.p99_ms, floor=150.0, goal=60.0,
            higher_is_better=False, **common),
        Row("CPU per order, all processes, incl. saga and messages", "ms", p.cpu_ms_per_order,
            floor=8.0, goal=4.0, higher_is_better=False, baseline=bare_post_cpu_ms or None,
            baseline_name=f"bare POST at {p.offered:.0f}/s", target_on_ratio=False,
            invalid=cpu_invalid, **common),
    ]  # fmt: skip
    children = sorted(k for k in run.rss_mib if "/" in k)  # e.g. warranty/ocr_child: its own row
    for name in (*SERVICE_NAMES, "nats-server", *children):
        if name in run.rss_mib:
            rows.append(Row(f"peak RSS {name} at {p.offered:.0f} orders/s", "MiB",
                            run.rss_mib[name], floor=150.0, goal=100.0,
                            higher_is_better=False, **common))  # fmt: skip
    return rows
