"""nats-server's CPU per JetStream message, GOMAXPROCS default vs 1: `python -m bench.cpu_nats_procs`.

Why `concierge up` starts its embedded server with GOMAXPROCS=1. Each round starts a fresh
nats-server (file storage, as the stack's streams) once per setting, alternating, and drives it
from one nats-py client at a fixed rate: a JetStream publish with a `Nats-Msg-Id` (awaiting its
PubAck, as the outbox relay's batches do), delivered to a durable pull consumer and acked one
by one (as the services' consumers do). Prints the server's user and system CPU per message
(psutil) for each run; the rate is fixed so both settings do the same work.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

import nats
import psutil
from nats.js.api import AckPolicy, ConsumerConfig

from shared.runtime.nats_server import NatsServer, free_port


async def _drive(url: str, count: int, rate: float) -> None:
    nc = await nats.connect(url)
    js = nc.jetstream()
    await js.add_stream(name="T", subjects=["t.>"], duplicate_window=600)
    sub = await js.pull_subscribe("t.>", durable="c", config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT))  # fmt: skip
    acked = 0

    async def consume() -> None:
        nonlocal acked
        while acked < count:
            try:
                msgs = await sub.fetch(64, timeout=1)
            except nats.errors.TimeoutError:
                continue
            for msg in msgs:
                await msg.ack()
            acked += len(msgs)

    consumer = asyncio.create_task(consume())
    start = time.perf_counter()
    for i in range(count):
        if i % 10 == 0:
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
        await js.publish(f"t.{i % 7}", b"x" * 600, headers={"Nats-Msg-Id": f"id-{i}"})
    await asyncio.wait_for(consumer, 60)
    await nc.close()


def one_run(go_max_procs: int | None, count: int, rate: float) -> tuple[float, float]:
    """(user, system) microseconds of nats-server CPU per message."""
    with tempfile.TemporaryDirectory(prefix="concierge-nats-procs-") as tmp:
        server = NatsServer(Path(tmp), free_port(), free_port(), go_max_procs=go_max_procs)
        server.start()
        try:
            assert server.process is not None
            proc = psutil.Process(server.process.pid)
            before = proc.cpu_times()
            asyncio.run(_drive(server.url, count, rate))
            after = proc.cpu_times()
        finally:
            server.stop()
    return 1e6 * (after.user - before.user) / count, 1e6 * (after.system - before.system) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=float, default=1500.0, help="messages per second")
    parser.add_argument("--seconds", type=float, default=8.0)
    a = parser.parse_args()
    count = int(a.rate * a.seconds)
    for _ in range(a.rounds):
        for procs in (None, 1):
            user, system = one_run(procs, count, a.rate)
            print(f"GOMAXPROCS={procs or 'default':<8} user {user:6.1f} us  system {system:6.1f} us"
                  f"  total {user + system:6.1f} us per message  "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
