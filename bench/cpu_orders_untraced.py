"""`bench.cpu_orders_inproc` without SQLAlchemy's event listeners in the measured rounds.

    .venv/bin/python -m bench.cpu_orders_untraced [--orders 300] [--rounds 3] 2>/dev/null

`cpu_orders_inproc` counts statements with SQLAlchemy's cursor events, which cost CPU on every
statement that goes through `Session.execute` and see none of the `Prepared` ones: a change that
moves statements to `Prepared` would look cheaper by the listeners' cost too, and count fewer
statements than SQLite runs. Here the CPU rounds run with no listener at all, and one more round
counts what SQLite itself ran, through `sqlite3`'s trace callback on every connection (every
statement, `Prepared` or not; BEGIN, COMMIT and ROLLBACK apart): statements and commits per
order, per phase, on the orders database and the sandbox journal. The same file runs against an
older copy of the code (an A/B run): it only swaps the counting class of `cpu_orders_inproc`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import time
from typing import Any

import sqlalchemy as sa

from bench import cpu_orders_inproc as inproc
from shared.logging import configure_logging
from shared.persistence.db import Database

_TRANSACTION = ("BEGIN", "COMMIT", "ROLLBACK")


class NoCounts:
    """The measured rounds: nothing listens."""

    def __init__(self, _db: Database) -> None:
        pass

    def snapshot(self) -> tuple[int, int, int]:
        return 0, 0, 0


class TraceCounts:
    """What SQLite ran on one database's connections (sqlite3's trace callback)."""

    def __init__(self, db: Database) -> None:
        self.statements = 0
        self.commits = 0
        assert db.sqlite_engine is not None, "SQLite only"
        sa.event.listen(db.sqlite_engine, "connect", self._connected)

    def _connected(self, dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.set_trace_callback(self._ran)

    def _ran(self, sql: str) -> None:
        if sql.startswith("COMMIT"):
            self.commits += 1
        elif not sql.startswith(_TRANSACTION) and not sql.startswith("PRAGMA"):
            self.statements += 1

    def snapshot(self) -> tuple[int, int, int]:
        return self.statements, self.commits, 0


def _round(orders: int, counts: type) -> dict[str, dict[str, float]]:
    inproc.Counts = counts  # type: ignore[misc,assignment]
    return asyncio.run(inproc.one_round(orders, None))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    a = parser.parse_args()
    configure_logging("orders", "json")  # as the service logs under `concierge up`
    rounds = [_round(a.orders, NoCounts) for _ in range(a.rounds)]
    counted = _round(a.orders, TraceCounts)
    with open("/proc/loadavg") as f:
        load = "/".join(f.read().split()[:3])
    best = inproc._best(rounds)
    out: dict[str, Any] = {"at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                           "load": load, "orders": a.orders}  # fmt: skip
    for phase in (*inproc.PHASES, "whole_life"):
        row = counted.get(phase) or {k: round(sum(counted[p][k] for p in inproc.PHASES), 2)
                                     for k in counted["post"]}  # fmt: skip
        out[phase] = {
            "cpu_ms": best[phase]["cpu_ms"],
            "cpu_ms_rounds": best[phase].get("cpu_ms_rounds"),
            "sqlite_statements": (row["orders_statements"], row["journal_statements"]),
            "sqlite_commits": (row["orders_commits"], row["journal_commits"]),
            "outbox_rows": row["outbox_rows"],
        }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
