"""CPU per keyed request spent in the idempotency store: claim, then complete with a stored
reply (what `POST /v1/orders` does around its RPC), on the in-memory fake KV.

    .venv/bin/python -m bench.cpu_idempotency_record [CALLS]

time.process_time over CALLS keys, best of three rounds; the reply body is a 1.5 KB order JSON.
"""

from __future__ import annotations

import asyncio
import sys
import time

from services.gateway.idempotency import IdempotencyStore
from tests.support.gateway.fakes import FakeKV

BODY = (
    b'{"order_id":"ord_x","lines":['
    + b",".join([b'{"style":"TC11","price":"100.00"}'] * 40)
    + b"]}"
)
HEADERS = [(b"content-type", b"application/json"), (b"location", b"/v1/orders/ord_x")]


async def _round(calls: int) -> float:
    store = IdempotencyStore(FakeKV(), owner="bench")
    started = time.process_time()
    for i in range(calls):
        claim, _ = await store.claim(f"k{i}", "fingerprint")
        assert claim is not None
        await store.complete(claim, 201, HEADERS, BODY)
        await store.claim(f"k{i}", "fingerprint")  # a retry reads the stored record
    return (time.process_time() - started) / calls * 1e6


async def measure(calls: int) -> float:
    return min([await _round(calls) for _ in range(3)])


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    print(f"claim + complete + replayed claim: {asyncio.run(measure(calls)):.1f} us CPU/request")


if __name__ == "__main__":
    main()
