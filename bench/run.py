"""Run the benchmarks: `python bench/run.py [--quick] [--only messaging|gateway]` (or `make bench`).

Messaging: starts its own nats-server on free ports with temporary SQLite files. Gateway and
end-to-end: starts the whole stack with `concierge up` in a temporary folder, a bare FastAPI app
as the HTTP baseline, and drives both from one load generator in its own process. Each ratio is
against a baseline measured in this same run, on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.gateway_bench import gateway_benchmarks
from bench.harness import Row, report
from bench.messaging import inbox_consumer_vs_bare, relay_vs_raw_publish
from shared.logging import configure_logging
from shared.runtime.nats_server import NatsServer, free_port

try:
    import uvloop
except ImportError:  # pragma: no cover
    uvloop = None


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


def main() -> None:
    # FastStream's advice about push consumers does not apply: they are queue-grouped on purpose.
    warnings.filterwarnings("ignore", message="The JetStream Push consumer")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=None, help="messages per messaging measurement")
    parser.add_argument("--quick", action="store_true", help="shorter runs (noisier figures)")
    parser.add_argument("--only", choices=("messaging", "gateway"), default=None)
    args = parser.parse_args()
    n = args.n or (2000 if args.quick else 5000)
    started = time.perf_counter()
    rows: list[Row] = []
    notes: list[str] = []
    if args.only in (None, "messaging"):
        runner = uvloop.run if uvloop is not None else asyncio.run
        rows += runner(messaging(n))
    if args.only in (None, "gateway"):
        rows += gateway_benchmarks(args.quick, notes)
    load = os.getloadavg()
    notes.append(
        f"load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}; "
        f"whole run {time.perf_counter() - started:.0f} s"
    )
    report(rows, notes)


if __name__ == "__main__":
    main()
