"""Run the benchmarks: `python bench/run.py [--n 5000]` (or `make bench`).

Starts its own nats-server on free ports and uses temporary SQLite files, so it runs anywhere
the project installs. Each figure is a ratio against a baseline measured in this same run.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import Comparison, report
from bench.messaging import inbox_consumer_vs_bare, relay_vs_raw_publish
from shared.logging import configure_logging
from shared.runtime.nats_server import NatsServer, free_port


async def main(n: int) -> list[Comparison]:
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


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=5000, help="messages per measurement")
    args = parser.parse_args()
    report(asyncio.run(main(args.n)))
