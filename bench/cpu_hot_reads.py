"""CPU per call of the hot reads built once: the RPC dedupe lookup and an order read.

    .venv/bin/python -m bench.cpu_hot_reads [CALLS]

On SQLite in a temporary dir, in this process: places one order, then times CALLS calls of
`ProcessedRequests.find` (a key that is not recorded, as for every first attempt) and of
`SqlOrderRepository.get` in a read session, with time.process_time (CPU time of this process,
which machine load does not inflate much). Each figure is the best of three rounds.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from services.orders.adapters.sql_order_repository import SqlOrderRepository
from shared.messaging.processed_requests import ProcessedRequests
from tests.support.orders.stack import orders_stack, place


async def _cpu_per_call(calls: int, call: Callable[[], Awaitable[object]]) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for _ in range(calls):
            await call()
        best = min(best, (time.process_time() - started) / calls * 1e6)
    return best


async def measure(calls: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        async with orders_stack(f"sqlite+aiosqlite:///{Path(tmp) / 'orders.db'}") as stack:
            order_id = (await place(stack)).order_id
            requests = ProcessedRequests(stack.db)

            async def find() -> object:
                return await requests.find("customer:c1/key-1", "place_order")

            async def get() -> object:
                async with stack.db.read() as session:
                    return await SqlOrderRepository(session).get(order_id)

            await find(), await get()  # warm: first compilation
            return await _cpu_per_call(calls, find), await _cpu_per_call(calls, get)


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    find_us, get_us = asyncio.run(measure(calls))
    print(f"ProcessedRequests.find: {find_us:.0f} us CPU/call; order get: {get_us:.0f} us CPU/call")


if __name__ == "__main__":
    main()
