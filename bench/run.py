"""Run the benchmarks: `python bench/run.py [--quick] [--only messaging|http|orders]`
(or `make bench`).

- messaging: the outbox relay and the inbox-guarded consumer against bare nats-py/FastStream,
  on their own nats-server with temporary SQLite files;
- http: gateway GET /v1/claims/{id} and POST /v1/orders against a bare FastAPI app, driven by
  wrk, on a fresh `concierge up`;
- orders: the order path's latency curve (25/50/100/150 orders/s), CPU per order and peak RSS,
  on another fresh `concierge up`.

Each row prints its value, baseline, ratio, target (floor and goal of issue 14), verdict, the
generator's CPU share, the idle check and the load average. A row measured while something else
used the machine says "loaded machine, not a result". Results also go to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import wrk
from bench.harness import Row, loop_cpu, progress, report, speed_note
from bench.http_bench import http_benchmarks
from bench.messaging import inbox_consumer_vs_bare, relay_vs_raw_publish
from bench.order_path import CUSTOMERS, HEADLINE_RATE, order_path_benchmarks
from bench.quiet import OthersMeter, describe_load, load_average
from shared.logging import configure_logging
from shared.runtime.nats_server import NatsServer, free_port

try:
    import uvloop
except ImportError:  # pragma: no cover
    uvloop = None  # type: ignore[assignment]

RESULTS = Path(__file__).resolve().parent / "results"


async def messaging(n: int) -> list[Row]:
    configure_logging("bench", "console", "ERROR")
    with tempfile.TemporaryDirectory() as tmp:
        server = NatsServer(
            store_dir=Path(tmp) / "nats", port=free_port(), monitor_port=free_port()
        )
        server.start()
        try:
            return [
                await relay_vs_raw_publish(server.url, f"sqlite+aiosqlite:///{tmp}/relay.db", n),
                await inbox_consumer_vs_bare(
                    server.url, f"sqlite+aiosqlite:///{tmp}/consumer.db", n
                ),
            ]
        finally:
            server.stop()


def _messaging_rows(n: int) -> list[Row]:
    load = describe_load(load_average())
    runner = uvloop.run if uvloop is not None else asyncio.run
    with OthersMeter() as others:
        rows = runner(messaging(n))
    for row in rows:
        row.load, row.loaded = load, others.cores > 0.25
        row.idle = f"own nats-server; others used {others.cores:.2f} core"
    return rows


def main() -> int:
    # FastStream's advice about push consumers does not apply: they are queue-grouped on purpose.
    warnings.filterwarnings("ignore", message="The JetStream Push consumer")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=None, help="messages per messaging measurement")
    parser.add_argument("--quick", action="store_true", help="short runs, for a smoke test")
    parser.add_argument("--only", choices=("messaging", "http", "orders"), default=None)
    parser.add_argument("--out", type=Path, default=RESULTS, help="where results are written")
    args = parser.parse_args()
    try:
        wrk.wrk_binary()
    except wrk.WrkMissing as exc:
        print(exc, file=sys.stderr)
        return 2
    started, load, speed = time.perf_counter(), describe_load(load_average()), loop_cpu()
    rows: list[Row] = []
    notes: list[str] = [f"load average at the start {load}" + (" (--quick)" if args.quick else "")]
    if args.only in (None, "messaging"):
        progress("messaging: relay and consumer against bare nats-py/FastStream")
        rows += _messaging_rows(args.n or (2000 if args.quick else 5000))
    bare_post_cpu: float | None = None
    if args.only in (None, "http"):
        http_rows, paced = http_benchmarks(args.quick, notes, HEADLINE_RATE, CUSTOMERS)
        rows += http_rows
        bare_post_cpu = paced.cpu_ms
    if args.only in (None, "orders"):
        rows += order_path_benchmarks(args.quick, notes, bare_post_cpu, args.out)
    notes.append(f"load average at the end {describe_load(load_average())}; "
                 f"whole run {time.perf_counter() - started:.0f} s")  # fmt: skip
    notes.append(speed_note(speed, loop_cpu()))
    if any(r.loaded for r in rows):
        notes.append("LOADED MACHINE: other processes used the CPU during some measurements; "
                     "those rows are not results. Re-run on a quiet machine.")  # fmt: skip
    report(rows, notes, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
