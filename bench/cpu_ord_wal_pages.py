"""WAL pages an order writes, phase by phase, by the B-tree (table or index) they belong to.

    .venv/bin/python -m bench.cpu_ord_wal_pages [--orders 200] 2>/dev/null

The phases of `bench.cpu_orders_inproc` (post, drive, shipped, poll, delivered), one round, with
SQLite's automatic checkpoint off so the WAL file only grows: the frames each phase appends are
read back from the file (a frame header names its page) and each page is named by the `dbstat`
virtual table at the end. A commit writes every page it dirtied once, whole (4 KiB), so a table
or index touched by a commit costs at least one page in it, however small the change: this says
which B-trees an order's commits touch, and how often. The checkpoint copies each page again.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import sqlite3
import struct
import time
from typing import Any

import shared.persistence.db as db_module
from bench import cpu_orders_inproc as inproc
from shared.logging import configure_logging
from shared.persistence.db import Database

_FRAME_HEADER, _WAL_HEADER = 24, 32
_MARKS: dict[str, list[int]] = collections.defaultdict(list)
_pragmas = db_module._sqlite_pragmas


def _no_autocheckpoint(dbapi_connection: Any, record: Any) -> None:
    _pragmas(dbapi_connection, record)
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")


class WalMarks:
    """Stands in for `inproc.Counts`: notes the WAL file's size at each phase's start and end."""

    def __init__(self, db: Database) -> None:
        self.path = str(db.url).split("///", 1)[1]

    def snapshot(self) -> tuple[int, int, int]:
        wal = self.path + "-wal"
        _MARKS[self.path].append(os.path.getsize(wal) if os.path.exists(wal) else 0)
        return 0, 0, 0


def _pages_by_btree(path: str, start: int, end: int) -> collections.Counter[str]:
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        names = {page: name for name, page in conn.execute("SELECT name, pageno FROM dbstat")}
    with open(path + "-wal", "rb") as wal:
        data = wal.read()
    counts: collections.Counter[str] = collections.Counter()
    offset = max(start, _WAL_HEADER)
    while offset + _FRAME_HEADER + page_size <= end:
        (page,) = struct.unpack(">I", data[offset : offset + 4])
        counts[names.get(page, "?")] += 1
        offset += _FRAME_HEADER + page_size
    return counts


def report(n: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path, marks in _MARKS.items():
        per_phase = {}
        for i, phase in enumerate(inproc.PHASES):
            counts = _pages_by_btree(path, marks[2 * i], marks[2 * i + 1])
            per_phase[phase] = {
                "pages": round(sum(counts.values()) / n, 2),
                **{name: round(k / n, 2) for name, k in counts.most_common()},
            }
        out[os.path.basename(path)] = per_phase
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=200)
    a = parser.parse_args()
    configure_logging("orders", "json")
    db_module._sqlite_pragmas = _no_autocheckpoint  # type: ignore[assignment]
    inproc.Counts = WalMarks  # type: ignore[misc,assignment]
    result: dict[str, Any] = {}
    checked = inproc._check_closed

    async def check_then_count(bench: inproc.Bench, n: int) -> None:
        await checked(bench, n)
        result.update(report(n))  # before the round's folder is removed

    inproc._check_closed = check_then_count  # type: ignore[assignment]
    asyncio.run(inproc.one_round(a.orders, None))
    print(time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "orders", a.orders)
    for database, phases in result.items():
        print(database, "pages per order:", round(sum(p["pages"] for p in phases.values()), 2))
        for phase, row in phases.items():
            print(f"  {phase:10s}", ", ".join(f"{k}={v}" for k, v in row.items()))


if __name__ == "__main__":
    main()
