"""CPU per keyed request spent on the `idempotency` KV, client and nats-server, on a real server:
`python -m bench.cpu_idempotency_kv [CALLS]`.

What `POST /v1/orders` does around its RPC, without the RPC: `IdempotencyStore.claim` (a KV
create) then `complete` (a KV update with the stored answer), CALLS keys, 16 at a time, through
the gateway's `RidingKV`. CPU time (psutil) of this process and of the nats-server, divided by
the keys; best of three rounds.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

import nats
import psutil

from bench.cpu_idempotency_record import BODY, HEADERS
from services.gateway.idempotency_store import IdempotencyStore
from services.gateway.kv import ATTEMPT_TIMEOUT_S, RidingKV
from services.gateway.runtime import open_buckets
from services.gateway.settings import GatewaySettings
from shared.runtime.nats_server import NatsServer, free_port

CONCURRENCY = int(os.environ.get("KV_BENCH_CONCURRENCY", "16"))


def _cpu(p: psutil.Process) -> float:
    t = p.cpu_times()
    return float(t.user + t.system)


async def _round(
    store: IdempotencyStore, server: psutil.Process, calls: int, tag: str
) -> tuple[float, float]:
    me = psutil.Process()
    slots = asyncio.Semaphore(CONCURRENCY)

    async def one(i: int) -> None:
        async with slots:
            claim, _ = await store.claim(f"{tag}-{i}", "fingerprint")
            assert claim is not None
            await store.complete(claim, 201, HEADERS, BODY)
            store.finished(claim)

    mine, theirs = _cpu(me), _cpu(server)
    await asyncio.gather(*(one(i) for i in range(calls)))
    return (_cpu(me) - mine) / calls * 1e6, (_cpu(server) - theirs) / calls * 1e6


async def measure(calls: int) -> None:
    with tempfile.TemporaryDirectory(prefix="concierge-kv-") as tmp:
        server = NatsServer(store_dir=Path(tmp), port=free_port(), monitor_port=free_port())
        server.start()
        try:
            nc = await nats.connect(server.url)
            settings = GatewaySettings()
            kv, _ = await open_buckets(nc.jetstream(timeout=ATTEMPT_TIMEOUT_S), settings)
            store = IdempotencyStore(RidingKV(kv), owner="bench")
            proc = psutil.Process(server.process.pid)  # type: ignore[union-attr]
            await _round(store, proc, 200, "warm")
            rounds = [await _round(store, proc, calls, f"r{r}") for r in range(3)]
            await nc.close()
        finally:
            server.stop()
    client, srv = min(rounds, key=lambda r: r[0] + r[1])
    print(
        f"claim + complete, {calls} keys: client {client:.0f} us, nats-server {srv:.0f} us CPU/key"
    )


def main() -> None:
    asyncio.run(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 3000))


if __name__ == "__main__":
    main()
