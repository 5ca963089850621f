"""CPU per keyed command spent in the request dedupe around its handler (`answer_once`): the
look-up of the key, the row inserted with the effect, the reply stored after it, on SQLite:
`python -m bench.cpu_keyed_rpc [CALLS]`.

The handler is a stand-in that writes one row in a unit of work of its own (as a command does)
and returns a 1.5 KB reply; `--bare` runs the same handler without the dedupe, so the difference
is what the dedupe costs. 16 commands at a time; time.process_time per command, best of three.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from shared.messaging.processed_requests import ProcessedRequests
from shared.messaging.requests import answer_once, current_scope, record_effect
from shared.persistence.db import Database
from shared.persistence.messaging_tables import processed_requests_table

REPLY = b'{"order_id":"ord_x","lines":[' + b",".join([b'{"price":"100.00"}'] * 60) + b"]}"
_effects = sa.Table("effects", sa.MetaData(), sa.Column("id", sa.String(64), primary_key=True))


async def _handler(db: Database, key: str) -> bytes:
    async with db.transaction() as session:
        await session.execute(sa.insert(_effects).values(id=key))
        scope = current_scope()
        if scope is not None and await record_effect(session, scope, True):
            scope.marked = True
    return REPLY


async def _round(db: Database, calls: int, tag: str, bare: bool) -> float:
    store = ProcessedRequests(db)
    slots = asyncio.Semaphore(16)

    async def one(i: int) -> None:
        key = f"{tag}-{i}"
        async with slots:
            if bare:
                await _handler(db, key)
                return
            run = lambda: _handler(db, key)  # noqa: E731
            await answer_once(store, "place_order", key, run, run)

    started = time.process_time()
    await asyncio.gather(*(one(i) for i in range(calls)))
    return (time.process_time() - started) / calls * 1e6


async def measure(calls: int, bare: bool) -> float:
    with tempfile.TemporaryDirectory(prefix="concierge-keyed-") as tmp:
        db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        async with db.engine.begin() as connection:
            await connection.run_sync(processed_requests_table.metadata.create_all)
            await connection.run_sync(_effects.metadata.create_all)
        await _round(db, 200, "warm", bare)
        best = min([await _round(db, calls, f"r{r}", bare) for r in range(3)])
        await db.dispose()
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("calls", type=int, nargs="?", default=2000)
    parser.add_argument("--bare", action="store_true", help="the handler alone, no dedupe")
    a = parser.parse_args()
    label = "handler alone" if a.bare else "handler + dedupe"
    print(f"{label}: {asyncio.run(measure(a.calls, a.bare)):.0f} us CPU per command")


if __name__ == "__main__":
    main()
