"""The outbox relay: publishes committed outbox rows to JetStream in order, awaiting every PubAck.

A row reaches the relay one of two ways:
- **handed over** by the unit of work just after its commit (`hand_over`). On SQLite, while the
  relay is *caught up* (every row older than those handed over is already published), it
  publishes them as they are instead of reading back what it was just told;
- **read from the table** (`publish_pending`): at start-up, on every idle tick, at least once a
  `sweep_interval` under load (rows another process wrote are not handed over), after any
  failure, and always on PostgreSQL.

Why only SQLite hands over: one writer at a time holds the whole file, so sequence numbers are
given out in commit order, and "every row up to the highest one published is handled" holds.
PostgreSQL commits concurrent transactions out of sequence order, and replicas split the rows
there with SKIP LOCKED, so its relay always reads.

Marks are coalesced on the hand-over path: what it published is marked in one short write
transaction at most `mark_delay` later (or once `batch_size` rows wait), not one per wake. A
crash before the mark publishes those rows again at the next start, the case the outbox already
covers: JetStream drops a repeated `Nats-Msg-Id` within the stream's duplicate window, and each
consumer's inbox drops what is left.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from nats import errors as nats_errors
from nats.js import JetStreamContext
from nats.js import errors as js_errors

from shared.messaging.outbox import OutboxRow
from shared.messaging.pub_acks import PubAcks
from shared.persistence.db import Database
from shared.persistence.messaging_tables import outbox_table
from shared.persistence.session import Session
from shared.runtime.faults import crash_point

log = structlog.get_logger()

# `attempts` of a row that can never be published (too big, bad subject or headers): parked
# for an operator, and no longer holding back the rows behind it.
PARKED = 1_000_000
# Refusals that no retry can fix; anything else (timeouts, no responders, a node down) is
# transient and keeps the row, and the order, for the next sweep.
PERMANENT_PUBLISH_ERRORS: tuple[type[BaseException], ...] = (
    nats_errors.MaxPayloadError,
    nats_errors.BadSubjectError,
    nats_errors.BadHeaderError,
    js_errors.BadRequestError,
    TypeError,
    ValueError,
)


# Built once, the rows' sequence numbers given as an expanding parameter: building the UPDATE
# per batch (a new statement, its cache key walked each time) cost more than running it.
_MARK = sa.update(outbox_table).where(outbox_table.c.seq.in_(sa.bindparam("seqs", expanding=True)))
_PARK = _MARK.values(attempts=PARKED)


class OutboxRelay:
    """Publishes outbox rows to JetStream, in order, awaiting every PubAck."""

    def __init__(
        self,
        db: Database,
        js: JetStreamContext,
        *,
        batch_size: int = 256,
        sweep_interval: float = 1.0,
        mark_delay: float = 0.1,
        keep_published: timedelta = timedelta(hours=24),
        publish_timeout: float = 5.0,
    ) -> None:
        self.db = db
        self.js = js
        self.batch_size = batch_size
        self.sweep_interval = sweep_interval
        self.mark_delay = mark_delay
        self.keep_published = keep_published
        self.publish_timeout = publish_timeout
        self._wake = asyncio.Event()
        self._stopping = False
        self.published_total = 0
        self._handed: list[OutboxRow] = []
        self._caught_up = False  # set by a read that found every pending row and handled it
        self._unmarked: list[int] = []  # published from the hand-over, not yet marked
        self._unmarked_since = 0.0
        self._last_read = 0.0
        # Run on every read: built once, its cache key is memoized.
        self._pending = self._pending_query()
        self._acks = PubAcks(js)  # the batch's PubAcks on one reply subscription (pub_acks.py)

    def hand_over(self, rows: Sequence[OutboxRow]) -> None:
        """Called after a commit with the outbox rows it wrote: publish them now."""
        if self.db.sqlite:
            self._handed.extend(rows)
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        """Read at start-up, then publish on every hand-over or tick, until stopped."""
        last_purge = time.monotonic()
        while not self._stopping:
            try:
                if self._caught_up and not self._read_due():
                    await self._publish_handed()  # what commits handed over (none on a marks tick)
                else:
                    while await self.publish_pending() == self.batch_size:
                        pass
                await self._mark_if_due()
                if time.monotonic() - last_purge > 600:
                    await self.purge_published()
                    last_purge = time.monotonic()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database down: keep the rows, try again later
                self._caught_up = False
                log.warning("outbox.relay_error", error=str(exc), error_type=type(exc).__name__)
                await asyncio.sleep(self.sweep_interval)
            await self._sleep()

    async def _sleep(self) -> None:
        """Until a hand-over, the marks' deadline or the next tick."""
        timeout = self.mark_delay if self._unmarked else self.sweep_interval
        try:
            # Not asyncio.wait_for: on Python 3.11 it can swallow a cancellation that comes in
            # the same turn as a hand-over's wake-up.
            async with asyncio.timeout(timeout):
                await self._wake.wait()
        except TimeoutError:
            pass
        self._wake.clear()

    def _read_due(self) -> bool:
        return time.monotonic() - self._last_read >= self.sweep_interval

    async def publish_pending(self) -> int:
        """Mark what waits to be marked, then read and publish one batch of pending rows;
        returns how many rows were handled (published or parked)."""
        await self._mark_now()
        # Committed already, so the read below finds them. No hand-over can come between this
        # and the read (a SQLite statement never suspends), and every later one is of a commit
        # the read did not see: no row is both read and handed over. (Not a sequence-number
        # filter: SQLite gives out sequence numbers again from 1 once a purge empties the table.)
        self._handed.clear()
        self._last_read = time.monotonic()
        if self.db.sqlite:
            # One writer at a time: read, publish, then mark in a short write transaction,
            # so handlers are not blocked while the relay waits for PubAcks.
            async with self.db.read() as session:
                rows = (await session.execute(self._pending)).all()
            published, parked = await self._publish(rows)
            if published or parked:
                async with self.db.transaction() as session:
                    await self._mark(session, published, parked)
        else:
            # PostgreSQL: replicas of a service split the rows with SKIP LOCKED.
            async with self.db.transaction() as session:
                pending = self._pending.with_for_update(skip_locked=True)
                rows = (await session.execute(pending)).all()
                published, parked = await self._publish(rows)
                await self._mark(session, published, parked)
        handled = len(published) + len(parked)
        self._caught_up = self.db.sqlite and handled == len(rows) < self.batch_size
        return handled

    async def _publish_handed(self) -> None:
        rows, self._handed = self._handed, []
        for start in range(0, len(rows), self.batch_size):
            batch = rows[start : start + self.batch_size]
            published, parked = await self._publish(batch)
            if parked:
                async with self.db.transaction() as session:
                    await self._mark(session, [], parked)
            if published and not self._unmarked:
                self._unmarked_since = time.monotonic()
            self._unmarked += published
            if len(published) + len(parked) < len(batch):
                self._caught_up = False  # the rest stays pending: the next wake reads it
                return

    async def _mark_if_due(self) -> None:
        if self._unmarked and (
            len(self._unmarked) >= self.batch_size
            or time.monotonic() - self._unmarked_since >= self.mark_delay
        ):
            await self._mark_now()

    async def _mark_now(self) -> None:
        seqs, self._unmarked = self._unmarked, []
        if seqs:  # if this fails, the rows stay pending and are published again: harmless
            async with self.db.transaction() as session:
                await self._mark(session, seqs, [])

    def _pending_query(self) -> sa.Select[Any]:
        t = outbox_table
        return (
            sa.select(t.c.seq, t.c.subject, t.c.payload, t.c.headers)
            .where(t.c.published_at.is_(None), t.c.attempts < PARKED)
            .order_by(t.c.seq)
            .limit(self.batch_size)
        )

    async def _publish(self, rows: Sequence[Any]) -> tuple[list[int], list[int]]:
        """Publish rows in order; returns the published rows and the poisoned (parked) ones."""
        if not rows:
            return [], []
        # Sent in order on one connection, so the server stores them in this order.
        results = await self._acks.publish(rows, self.publish_timeout)
        published: list[int] = []
        parked: list[int] = []
        for row, result in zip(rows, results, strict=True):
            if isinstance(result, PERMANENT_PUBLISH_ERRORS):
                log.error("outbox.row_parked", seq=row.seq, subject=row.subject,
                          error=str(result), error_type=type(result).__name__)  # fmt: skip
                parked.append(row.seq)
            elif isinstance(result, BaseException):
                log.warning("outbox.publish_failed", subject=row.subject, error=str(result))
                break  # keep order: later rows wait for the failed one
            else:
                published.append(row.seq)
        if published:
            self.published_total += len(published)
            crash_point("relay.after_publish")
        return published, parked

    async def _mark(self, session: Session, seqs: list[int], parked: list[int]) -> None:
        if parked:
            await session.execute(_PARK, {"seqs": parked})
        if seqs:
            await session.execute(_MARK, {"seqs": seqs, "published_at": datetime.now(UTC)})

    async def purge_published(self) -> int:
        cutoff = datetime.now(UTC) - self.keep_published
        t = outbox_table
        async with self.db.transaction() as session:
            result = await session.execute(
                sa.delete(t).where(t.c.published_at.is_not(None), t.c.published_at < cutoff)
            )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
