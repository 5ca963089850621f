"""CPU per statement of the writes every event and keyed request runs: through `Session.execute`
(SQLAlchemy's execution path) and through `Prepared` (shared/persistence/prepared.py).

    .venv/bin/python -m bench.cpu_statements [CALLS]

On a SQLite file in WAL mode in a temporary dir, through the project's engine
(`shared.persistence.db.Database`), in this process. Each round runs CALLS statements of one
kind in one write transaction, timed with time.process_time (the commit is not counted); the
two paths alternate round by round, and each figure is the best of five rounds. A raw `sqlite3`
execute of the inbox claim is the floor. A claim of N events is one multi-row INSERT .. RETURNING
through SQLAlchemy ("insertmanyvalues"), N single-row statements through `Prepared.returned`.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared.messaging import outbox, processed_requests
from shared.messaging.inbox import _claim_many
from shared.persistence.db import Database
from shared.persistence.messaging_tables import inbox_table, messaging_metadata
from shared.persistence.prepared import Prepared
from shared.persistence.session import Session
from shared.persistence.statements import insert_ignore

Row = Callable[[int], Mapping[str, Any]]
_ids = itertools.count()
NOW = datetime.now(UTC)
HEADERS = {"Nats-Msg-Id": "evt", "ce-type": "orders.order.placed", "content-type": "x"}


def _inbox(i: int) -> Mapping[str, Any]:
    return {"consumer": "notifications", "event_id": f"evt-{i}", "processed_at": NOW}


def _outbox(i: int) -> Mapping[str, Any]:
    payload = b"x" * 1500
    row = {"event_id": f"evt-{i}", "subject": "orders.order.placed", "payload": payload}
    return row | {"headers": HEADERS, "created_at": NOW}


def _record(i: int) -> Mapping[str, Any]:
    return {"request_key": f"k-{i}", "operation": "place_order", "created_at": NOW, "reply": b"r"}


def _store(i: int) -> Mapping[str, Any]:
    return {"key": f"k-{i}", "op": "place_order", "stored_reply": b"reply" * 100}


async def _via_session(session: Session, stmt: Any, groups: list[list[Any]]) -> None:
    returning = bool(getattr(stmt, "_returning", ()))
    for group in groups:
        result = await session.execute(stmt, group if returning else group[0])
        _ = result.scalars().all() if returning else result.rowcount  # type: ignore[attr-defined]


async def _via_prepared(session: Session, prepared: Prepared, groups: list[list[Any]]) -> None:
    returning = bool(getattr(prepared.statement, "_returning", ()))
    for group in groups:
        if returning:
            await prepared.returned(session, group)
        else:
            await prepared.rowcount(session, group[0])


async def _round(db: Database, run: Callable[[Session], Any]) -> float:
    async with db.transaction() as session:
        started = time.process_time()
        await run(session)
        return time.process_time() - started


async def _compare(
    db: Database, stmt: Any, make: Row, calls: int, group: int = 1
) -> tuple[float, float]:
    """Best CPU per call (a call: one statement through Session.execute, with `group` rows)."""
    prepared, best = Prepared(stmt), [float("inf"), float("inf")]
    for _ in range(5):
        for path in (0, 1):
            groups = [[make(next(_ids)) for _ in range(group)] for _ in range(calls)]
            if path == 0:
                spent = await _round(db, lambda s, g=groups: _via_session(s, stmt, g))  # type: ignore[misc]
            else:
                spent = await _round(db, lambda s, g=groups: _via_prepared(s, prepared, g))  # type: ignore[misc]
            best[path] = min(best[path], spent / calls * 1e6)
    return best[0], best[1]


async def _raw_claim(db: Database, calls: int) -> float:
    sql = "INSERT INTO inbox (consumer, event_id, processed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
    stamp = NOW.strftime("%Y-%m-%d %H:%M:%S.%f")
    best = float("inf")
    for _ in range(5):
        async with db.transaction() as session:
            conn = session.sqlite_connection
            assert conn is not None
            started = time.process_time()
            for _ in range(calls):
                assert conn.execute(sql, ("notifications", f"evt-{next(_ids)}", stamp)).rowcount
            best = min(best, (time.process_time() - started) / calls * 1e6)
    return best


async def measure(calls: int) -> tuple[list[tuple[str, float, float]], float]:
    claim = insert_ignore("sqlite", inbox_table)
    record = processed_requests.RECORD.statement
    store = processed_requests._STORE_REPLY.statement
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        async with db.engine.begin() as conn:
            await conn.run_sync(messaging_metadata.create_all)
        async with db.transaction() as session:  # rows for the UPDATE to find
            await session.execute(record, [_record(i) for i in range(calls * 10)])
        stored = itertools.count()
        figures = [
            ("inbox claim", *await _compare(db, claim, _inbox, calls)),
            ("outbox insert", *await _compare(db, outbox._INSERT.statement, _outbox, calls)),
            ("processed-request record", *await _compare(db, record, _record, calls)),
            (
                "reply store (UPDATE)",
                *await _compare(db, store, lambda _: _store(next(stored)), calls),
            ),
        ]
        for group in (2, 8, 32):  # claim_events: one multi-row INSERT .. RETURNING
            name = f"claim of {group} events"
            figures.append(
                (name, *await _compare(db, _claim_many("sqlite").statement, _inbox, calls, group))
            )
        raw = await _raw_claim(db, calls)
        await db.dispose()
        return figures, raw


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    figures, raw = asyncio.run(measure(calls))
    print("us CPU per call           Session.execute  Prepared")
    for name, session_us, prepared_us in figures:
        print(f"{name:26s} {session_us:15.1f} {prepared_us:9.1f}")
    print(f"inbox claim in raw sqlite3: {raw:.1f} us")


if __name__ == "__main__":
    main()
