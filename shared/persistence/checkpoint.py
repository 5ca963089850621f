"""SQLite WAL checkpoints on a thread of their own, not inside a commit on the event loop.

In WAL mode every commit appends pages to the `-wal` file; a checkpoint copies them back into the
database file (with an fsync of each at `synchronous=NORMAL`). SQLite's default
(`wal_autocheckpoint=1000`) runs that copy inside whichever commit took the WAL past 1000 pages,
and the services commit on the event loop's thread (sqlite_inloop.py): every request and event of
the process waited for it, and a page written many times between two checkpoints was copied
once per checkpoint. Measured on `POST /v1/orders` under wrk (docs/benchmarks.md, "sixth
pass"): 11.8% of the orders process's samples sat in `do_commit`; only deferring the automatic
checkpoint (to 20,000 pages) already took the stack from 385-421 to 453-470 orders/s.

Here a daemon thread runs a PASSIVE checkpoint every `interval` seconds on a connection of its
own. PASSIVE never waits for a lock and never blocks a reader or a writer: it copies what no
reader still needs, and the next writer restarts the WAL from its start once all of it was
copied. `sqlite3` releases the GIL while SQLite works, so the copy runs beside the loop.

The service's connections keep an automatic checkpoint as a backstop only (`BACKSTOP_PAGES`, far
above what one interval writes): should this thread ever stop checkpointing, the WAL still
cannot grow without bound. Durability is unchanged: a committed transaction is in the WAL either
way, and a checkpoint (from any connection) is crash-safe by SQLite's design.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import structlog

log = structlog.get_logger()

INTERVAL_S = 1.0
# The loop's own automatic checkpoint, as a backstop: 50,000 pages is about 200 MiB at SQLite's
# 4 KiB page, tens of seconds of the heaviest load measured; the thread checkpoints every second.
BACKSTOP_PAGES = 50_000
# After the WAL restarts, SQLite truncates the file back to this size (it would otherwise keep
# the largest size it ever reached).
JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024


def use_backstop(dbapi_connection: sqlite3.Connection) -> None:
    """What a service connection runs when a `WalCheckpointer` checkpoints its file."""
    dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
    dbapi_connection.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT}")


class WalCheckpointer:
    """Checkpoints one SQLite file every `interval` seconds, from `start()` until `stop()`."""

    def __init__(self, path: Path, interval: float = INTERVAL_S) -> None:
        self.path = path
        self.interval = interval
        self.checkpoints = 0  # completed checkpoint calls (for tests and diagnosis)
        self.last: tuple[int, int, int] | None = None  # (busy, WAL pages, pages copied)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = False

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name=f"wal-checkpoint:{self.path.name}", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            while not self._stopping.wait(self.interval):
                conn = self._checkpoint(conn)
        finally:
            if conn is not None:
                conn.close()

    def _checkpoint(self, conn: sqlite3.Connection | None) -> sqlite3.Connection | None:
        """One PASSIVE checkpoint; a failure is logged and the next tick tries again afresh."""
        try:
            if conn is None:
                if not self.path.exists():  # not created yet (migrations run first)
                    return None
                conn = sqlite3.connect(self.path, timeout=0, isolation_level=None)
                conn.execute("PRAGMA synchronous=NORMAL")
            row = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            self.last = (int(row[0]), int(row[1]), int(row[2]))
            self.checkpoints += 1
            if self._failing:
                self._failing = False
                log.info("sqlite.checkpoint_recovered", database=self.path.name)
            return conn
        except Exception as exc:  # the file is busy, gone or broken: not this thread's end
            if not self._failing:  # once per run of failures, not every second
                self._failing = True
                log.warning("sqlite.checkpoint_failed", database=self.path.name, error=str(exc))
            if conn is not None:
                conn.close()
            return None
