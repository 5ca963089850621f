"""CPU and SQL per saga sweep with many parcels out, none of them due for a tracking poll.

    .venv/bin/python -m bench.cpu_saga_sweep [OPEN_ORDERS] [SWEEPS]

Places one order, drives it to `confirmed` (a parcel waiting on the carrier), copies its row to
OPEN_ORDERS orders, sweeps once (every parcel is polled and backs off), then times SWEEPS more
sweeps in this process: CPU time (time.process_time, which machine load does not inflate much)
and SQL statements counted with an engine event listener. Runs on SQLite in a temporary dir.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from services.orders.adapters import tables as t
from services.orders.entrypoints.workers import SagaScheduler
from tests.support.orders.stack import Stack, orders_stack, place


async def _open_parcels(stack: Stack, count: int) -> None:
    order = await stack.runner.saga.advance((await place(stack)).order_id)
    async with stack.db.transaction() as session:
        row = dict((await session.execute(sa.select(t.orders))).mappings().one())
        copies = [
            {**row, "order_id": f"{order.order_id}-{i}", "quote_id": f"{row['quote_id']}-{i}"}
            for i in range(count - 1)
        ]
        await session.execute(sa.insert(t.orders), copies)


async def measure(open_orders: int, sweeps: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        async with orders_stack(f"sqlite+aiosqlite:///{Path(tmp) / 'orders.db'}") as stack:
            await _open_parcels(stack, open_orders)
            runner = stack.runner
            scheduler = SagaScheduler(runner.records, runner.saga, runner.tracking, 1, 1.0, 60.0)
            await scheduler.sweep()  # every parcel polled once, then backing off
            statements = 0

            def count(*_args: object) -> None:
                nonlocal statements
                statements += 1

            # SQLite's statements run on the synchronous engine, PostgreSQL's on the async one.
            engine = stack.db.sqlite_engine or stack.db.engine.sync_engine
            sa.event.listen(engine, "before_cursor_execute", count)
            started = time.process_time()
            for _ in range(sweeps):
                await scheduler.sweep()
            cpu = time.process_time() - started
            return cpu / sweeps * 1000, statements / sweeps


def main() -> None:
    open_orders = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    sweeps = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    cpu_ms, statements = asyncio.run(measure(open_orders, sweeps))
    print(
        f"{open_orders} open parcels, none due: {cpu_ms:.2f} ms CPU, {statements:.1f} SQL per sweep"
    )


if __name__ == "__main__":
    main()
