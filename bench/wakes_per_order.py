"""Wakes and CPU per order while the POSTs come: `python -m bench.wakes_per_order`.

Starts a fresh `concierge up` (bench/stack.py), creates the quotes, waits `--settle` seconds,
then sends `--orders` orders at `--rate` per second (the client of bench/cpu_order_path.py) and
prints, for the POST phase only (from the first POST until `--tail` seconds after the last
answer), per order:

- each process's wakes: voluntary context switches summed over all its threads
  (`/proc/<pid>/task/*/status`); a thread that sleeps and is woken counts one;
- each process's CPU time (user + system) and its main thread's share of it;
- the messages nats-server took in and sent out (its `/varz`).

Run it twice with a setting changed (e.g. `NOTIFICATIONS_CONSUMER_GATHER_MS=30`) to see what a
change does to how often each process wakes, next to what it does to the CPU. Not the CPU row of
`make bench`: the shipped and delivered pushes of an order's later life are not counted here
(bench/cpu_order_path.py counts them).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import psutil

from bench.cpu_order_path import _send
from bench.http_bench import SUBJECT, make_quotes
from bench.stack import UpStack

SWITCHES = re.compile(r"^voluntary_ctxt_switches:\s+(\d+)$", re.MULTILINE)


def wakes(pid: int) -> int:
    total = 0
    for thread in psutil.Process(pid).threads():
        try:
            status = Path(f"/proc/{pid}/task/{thread.id}/status").read_text()
        except OSError:  # the thread ended meanwhile
            continue
        found = SWITCHES.search(status)
        total += int(found.group(1)) if found else 0
    return total


def cpu(pid: int) -> tuple[float, float]:
    """(the process's CPU seconds, its main thread's)."""
    process = psutil.Process(pid)
    times = process.cpu_times()
    main = next((t for t in process.threads() if t.id == pid), None)
    return times.user + times.system, (main.user_time + main.system_time) if main else 0.0


def varz(monitor: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{monitor}/varz", timeout=5) as reply:
        return dict(json.loads(reply.read()))


def snapshot(stack: UpStack, monitor: str) -> dict[str, Any]:
    return {
        "wakes": {name: wakes(pid) for name, pid in stack.pids.items()},
        "cpu": {name: cpu(pid) for name, pid in stack.pids.items()},
        "varz": varz(monitor),
    }


def per_order(before: dict[str, Any], after: dict[str, Any], orders: int) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    for name in before["wakes"]:
        (total_0, main_0), (total_1, main_1) = before["cpu"][name], after["cpu"][name]
        rows[name] = {
            "wakes": round((after["wakes"][name] - before["wakes"][name]) / orders, 2),
            "cpu_ms": round((total_1 - total_0) * 1000 / orders, 3),
            "main_thread_cpu_ms": round((main_1 - main_0) * 1000 / orders, 3),
        }
    messages = {
        key: round((after["varz"][key] - before["varz"][key]) / orders, 2)
        for key in ("in_msgs", "out_msgs")
    }
    return {"per_process": rows, "nats_messages": messages}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--settle", type=float, default=3.0)
    parser.add_argument("--tail", type=float, default=0.3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-wakes-") as folder:
        stack = UpStack(Path(folder))
        stack.start()
        try:
            quotes = make_quotes(stack.api, SUBJECT, args.orders)
            monitor = stack.nats_monitor
            time.sleep(args.settle)
            before = snapshot(stack, monitor)
            accepted = asyncio.run(_send(stack.api, quotes, args.rate))
            time.sleep(args.tail)
            after = snapshot(stack, monitor)
        finally:
            stack.stop()
    report = {"orders": args.orders, "accepted": accepted, "rate": args.rate}
    print(json.dumps(report | per_order(before, after, args.orders), indent=1))


if __name__ == "__main__":
    main()
