"""CPU per read and per session on SQLite: `Session.execute` against `PreparedRead`, and what
opening and closing a unit of work or a read session costs with nothing in it.

    .venv/bin/python -m bench.cpu_read_statements [CALLS]

On a SQLite file in WAL mode in a temporary dir, through the project's engine
(`shared.persistence.db.Database`), in this process. Reads: the orders service's order by id
(two JSON documents of about the size a real order has, three datetimes) and a quote by id,
each CALLS times in one read session per round, timed with time.process_time; the two paths
alternate round by round; best of five rounds. Sessions: CALLS empty `db.transaction()` (the
asyncio.sleep(0) each takes included) and CALLS empty `db.read()`, best of five rounds.

On a copy of the code without `PreparedRead` (an older commit), only the session figures print.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from services.orders.adapters import tables as t
from shared.persistence.db import Database
from shared.persistence.session import Session

NOW = datetime(2026, 12, 5, 21, 0, 0, 123456, tzinfo=UTC)
LINE = {"sku": "TC11-UK", "style": "TC11", "qty": 1, "unit": {"amount": "95.82", "cur": "GBP"}}
QUOTE = {"quote_id": "q-1", "lines": [LINE], "fx": {"GBP": "1.00"}, "note": "Café ✓", "x": None}
STATE = {"timeline": [{"status": s, "at": NOW.isoformat()} for s in ("placed", "reserved")]}
ORDER = {
    "order_id": "o-1", "customer_id": "c-1", "agent_id": None, "quote_id": "q-1",
    "status": "confirmed", "payment_token": "tok_ok", "created_at": NOW, "updated_at": NOW,
    "version": 3, "open_saga": True, "next_check_at": NOW, "quote": QUOTE, "state": STATE,
}  # fmt: skip
QUOTE_ROW = {
    "quote_id": "q-1", "customer_id": "c-1", "agent_id": None, "created_at": NOW,
    "expires_at": NOW, "document": QUOTE,
}  # fmt: skip
ORDER_BY_ID = sa.select(t.orders).where(t.orders.c.order_id == sa.bindparam("order_id"))
QUOTE_BY_ID = sa.select(t.quotes.c.document).where(t.quotes.c.quote_id == sa.bindparam("q"))


async def _best(db: Database, calls: int, run: Callable[[Session], Awaitable[Any]]) -> float:
    best = float("inf")
    for _ in range(5):
        async with db.read() as session:
            started = time.process_time()
            for _ in range(calls):
                await run(session)
            best = min(best, (time.process_time() - started) / calls * 1e6)
    return best


async def _reads(db: Database, calls: int) -> list[tuple[str, float, float]]:
    from shared.persistence.prepared_read import PreparedRead

    figures = []
    for name, stmt, key in (
        ("order by id (.first)", ORDER_BY_ID, {"order_id": "o-1"}),
        ("quote document (.first)", QUOTE_BY_ID, {"q": "q-1"}),
    ):
        prepared = PreparedRead(stmt)
        best = [float("inf"), float("inf")]
        for _ in range(5):  # alternate the two paths, round by round
            via_session = await _best(
                db,
                calls,
                lambda s, q=stmt, k=key: _first(s, q, k),  # type: ignore[misc]
            )
            via_prepared = await _best(
                db,
                calls,
                lambda s, p=prepared, k=key: p.first(s, k),  # type: ignore[misc]
            )
            best = [min(best[0], via_session), min(best[1], via_prepared)]
        figures.append((name, best[0], best[1]))
    return figures


async def _first(session: Session, stmt: Any, key: dict[str, Any]) -> Any:
    return (await session.execute(stmt, key)).first()


async def _sessions(db: Database, calls: int) -> tuple[float, float]:
    best = [float("inf"), float("inf")]
    for _ in range(5):
        started = time.process_time()
        for _ in range(calls):
            async with db.transaction():
                pass
        best[0] = min(best[0], (time.process_time() - started) / calls * 1e6)
        started = time.process_time()
        for _ in range(calls):
            async with db.read():
                pass
        best[1] = min(best[1], (time.process_time() - started) / calls * 1e6)
    return best[0], best[1]


async def measure(calls: int) -> tuple[list[tuple[str, float, float]], tuple[float, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        try:
            async with db.engine.begin() as conn:
                await conn.run_sync(t.metadata.create_all)
            async with db.transaction() as session:
                await session.execute(sa.insert(t.quotes), QUOTE_ROW)
                await session.execute(sa.insert(t.orders), ORDER)
            sessions = await _sessions(db, calls)
            try:
                reads = await _reads(db, calls)
            except ImportError:  # a copy without PreparedRead
                reads = []
            return reads, sessions
        finally:
            await db.dispose()


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    reads, (transaction, read) = asyncio.run(measure(calls))
    lines = [
        f"{n}: {a:.1f} us via Session.execute, {b:.1f} us via PreparedRead" for n, a, b in reads
    ]
    lines.append(f"empty db.transaction(): {transaction:.1f} us; empty db.read(): {read:.1f} us")
    print("CPU per call (best of 5 rounds)", *lines, sep="\n  ")


if __name__ == "__main__":
    main()
