"""CPU per order, per process, over an order's whole life: `python -m bench.cpu_order_path`.

Starts a fresh `concierge up` (bench/stack.py), creates the quotes, measures what the idle stack
uses for `--idle` seconds, then sends `--orders` orders at `--rate` per second (httpx, one
`Idempotency-Key` each) and counts every process's CPU time (psutil: user + system of the
process itself) for a fixed window of `--window` seconds from the first POST: long enough for
the sandbox carrier to deliver every parcel (90 s after booking) and the saga to close. The
idle stack's CPU over the same window is subtracted; the rest, divided by the orders accepted,
is the CPU per order.

CPU time of a process is what it used, not how long it waited for a core, so this figure moves
much less with machine load than throughput does (not zero: caches and contention still
count). Run before and after a change with the same arguments. `--spy` records the orders and
notifications processes with py-spy meanwhile (sampling slows them, so read its CPU figures as
"under the profiler") and writes their top frames to bench/results/profile-order-life-top.txt.
`--timeline 2` also prints each process's CPU in every 2 s of the window (ms of CPU per second
of wall time, idle use included), so the phases of an order's life (the POSTs and the sagas
they start, the shipped push 30 s after booking, the delivered push at 90 s) can be told apart.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from bench.http_bench import SUBJECT, _auth, make_quotes
from bench.quiet import describe_load, load_average, wait_idle
from bench.stack import CpuMeter, RssSampler, Timeline, UpStack

RESULTS = Path(__file__).resolve().parent / "results"


async def _send(api: str, quotes: list[str], rate: float) -> int:
    accepted = 0
    async with httpx.AsyncClient(base_url=api, headers=_auth(SUBJECT), timeout=60) as client:

        async def one(quote: str) -> None:
            nonlocal accepted
            r = await client.post(
                "/v1/orders",
                json={"quote_id": quote, "payment_token": "tok_ok"},
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            accepted += r.status_code == 201

        start = time.perf_counter()
        tasks = []
        for i, quote in enumerate(quotes):
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(one(quote)))
        await asyncio.gather(*tasks)
    return accepted


def _idle_rate(pids: dict[str, int], seconds: float) -> dict[str, float]:
    with CpuMeter(pids) as cpu:
        time.sleep(seconds)
    return {k: v / seconds for k, v in cpu.used.items()}


def _spy(stack: UpStack, names: tuple[str, ...], seconds: float,
         label: str = "order-life") -> list[subprocess.Popen[bytes]]:  # fmt: skip
    spy = str(Path(sys.executable).with_name("py-spy"))
    procs = []
    for name in names:
        out = RESULTS / f"profile-{label}-{name}.txt"
        cmd = [spy, "record", "--format", "raw", "-r", "50", "-d", str(int(seconds) * 4),
               "-p", str(stack.pids[name]), "-o", str(out)]  # fmt: skip
        procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return procs


def _stop(spies: list[subprocess.Popen[bytes]]) -> None:
    """py-spy's `-d` counts samples, which lag on a loaded machine: stop it like Ctrl-C (it
    writes what it has)."""
    for p in spies:
        p.send_signal(signal.SIGINT)
    for p in spies:
        p.wait(120)


def _spy_report(names: tuple[str, ...], label: str = "order-life") -> str:
    from bench.profile import parse_collapsed, top_frames

    report: list[str] = []
    for name in names:
        raw = (RESULTS / f"profile-{label}-{name}.txt").read_text().splitlines()
        stacks = [s for group in parse_collapsed(raw).values() for s in group]
        samples, lines = top_frames(stacks, n=25)
        report += [f"\n## {name} ({samples} working samples)", *lines]
    return "\n".join(report)


def measure(orders: int, rate: float, window: float, idle: float, spy: bool,
            timeline: float = 0.0) -> dict[str, object]:  # fmt: skip
    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="concierge-cpu-orders-") as tmp:
        stack = UpStack(Path(tmp))
        stack.start(timeout=120)
        try:
            quotes = make_quotes(stack.api, SUBJECT, orders, minimum=1.0)[:orders]
            wait_idle(stack.pids, timeout=30)
            idle_rate = _idle_rate(stack.pids, idle)
            load = describe_load(load_average())
            spies = _spy(stack, ("orders", "notifications"), window) if spy else []
            with (
                CpuMeter(stack.pids) as cpu,
                RssSampler(stack.pids, interval=0.5) as rss,
                Timeline(stack.pids, timeline) as phases,
            ):
                t0 = time.perf_counter()
                accepted = asyncio.run(_send(stack.api, quotes, rate))
                time.sleep(max(0.0, window - (time.perf_counter() - t0)))
            _stop(spies)
        finally:
            stack.stop()
    per = {k: 1000 * (v - idle_rate[k] * window) / max(1, accepted) for k, v in cpu.used.items()}
    result: dict[str, object] = {
        "at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "orders": orders, "accepted": accepted, "rate": rate, "window_s": window,
        "load_before": load, "load_after": describe_load(load_average()),
        "idle_cores": {k: round(v, 4) for k, v in idle_rate.items()},
        "cpu_ms_per_order": {k: round(v, 2) for k, v in per.items()},
        "cpu_ms_per_order_total": round(sum(per.values()), 2),
        "peak_rss_mib": {k: round(v / 2**20, 1) for k, v in rss.peak.items()},
        "under_profiler": spy,
    }  # fmt: skip
    if timeline:
        result["timeline_ms_per_s"] = phases.rows
    if spy:
        top = _spy_report(("orders", "notifications"))
        (RESULTS / "profile-order-life-top.txt").write_text(json.dumps(result) + "\n" + top)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--window", type=float, default=150.0)
    parser.add_argument("--idle", type=float, default=10.0)
    parser.add_argument("--spy", action="store_true")
    parser.add_argument("--timeline", type=float, default=0.0, help="seconds per row; 0: none")
    a = parser.parse_args()
    print(json.dumps(measure(a.orders, a.rate, a.window, a.idle, a.spy, a.timeline), indent=1))


if __name__ == "__main__":
    main()
