"""CPU of the outbox relay's mark transaction: `python -m bench.cpu_relay_marks`.

One SQLite WAL file holding 4,000 outbox rows; the relay's `_mark` run in a write transaction of
its own for `--rows` rows at a time (as the hand-over path marks what it published), `--calls`
times per round. Prints the best round's CPU time per mark transaction (`time.process_time`),
so two versions of relay.py can be compared run after run on a loaded machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from datetime import UTC, datetime

import sqlalchemy as sa

from shared.messaging.relay import OutboxRelay
from shared.persistence.db import Database
from shared.persistence.messaging_tables import outbox_table


async def measure(rows: int, calls: int, rounds: int) -> float:
    with tempfile.TemporaryDirectory(prefix="concierge-relay-marks-") as tmp:
        db = Database(f"sqlite+aiosqlite:///{tmp}/outbox.db")
        async with db.engine.begin() as conn:
            await conn.run_sync(outbox_table.metadata.create_all)
        now = datetime.now(UTC)
        values = [{"event_id": str(i), "subject": "bench.row", "payload": b"{}", "headers": {},
                   "created_at": now} for i in range(4000)]  # fmt: skip
        async with db.transaction() as session:
            await session.execute(sa.insert(outbox_table), values)
        relay = OutboxRelay(db, None)  # type: ignore[arg-type]  # marks only: nothing published
        best = float("inf")
        for _ in range(rounds):
            started = time.process_time()
            for k in range(calls):
                first = 1 + (k * rows) % (4000 - rows)
                async with db.transaction() as session:
                    await relay._mark(session, list(range(first, first + rows)), [])
            best = min(best, (time.process_time() - started) / calls)
        await db.dispose()
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=8)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    a = parser.parse_args()
    best = asyncio.run(measure(a.rows, a.calls, a.rounds))
    print(json.dumps({"at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
                      "rows": a.rows, "us_per_mark_transaction": round(best * 1e6, 1)}))  # fmt: skip


if __name__ == "__main__":
    main()
