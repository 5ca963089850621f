"""Transactional outbox: events are rows written with the state change, published after commit.

A handler never publishes. It adds events to the unit of work; they are inserted into the
`outbox` table in the same transaction as the state change. The relay publishes pending rows to
JetStream with `Nats-Msg-Id` = event id, awaits each PubAck, and only then marks them published.
A crash between publish and mark re-publishes on restart, and JetStream's duplicate window (and
every consumer's inbox) makes that harmless.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import sqlalchemy as sa
import structlog
from nats import errors as nats_errors
from nats.js import JetStreamContext
from nats.js import errors as js_errors

from shared.contracts.envelope import CloudEvent
from shared.logging import CORRELATION_HEADER, current_correlation_id
from shared.messaging.requests import current_scope, record_effect, watch_writes
from shared.persistence.db import Database
from shared.persistence.messaging_tables import outbox_table
from shared.persistence.session import Session
from shared.runtime.faults import crash_point

log = structlog.get_logger()

MSG_ID_HEADER = "Nats-Msg-Id"
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


def event_headers(event: CloudEvent[Any]) -> dict[str, str]:
    headers = {
        MSG_ID_HEADER: event.id,
        "ce-type": event.type,
        "content-type": "application/cloudevents+json",
    }
    if event.correlationid:
        headers[CORRELATION_HEADER] = event.correlationid
    return headers


def encode_event(event: CloudEvent[Any]) -> bytes:
    return orjson.dumps(event.model_dump(mode="json"))


@dataclass
class Tx:
    """What a handler gets inside a unit of work: the session, and a place to put events."""

    session: Session
    events: list[CloudEvent[Any]] = field(default_factory=list)

    def publish(self, event: CloudEvent[Any]) -> None:
        """Queue an event; it is written to the outbox in this transaction.

        An event made without a correlation id gets the one bound here (the request or the
        event being handled): whatever caused it, its cause can be followed."""
        if event.correlationid is None and (cause := current_correlation_id()):
            event = event.model_copy(update={"correlationid": cause})
        self.events.append(event)


async def insert_outbox_rows(session: Session, events: list[CloudEvent[Any]]) -> None:
    if not events:
        return
    now = datetime.now(UTC)
    await session.execute(
        sa.insert(outbox_table),
        [
            {
                "event_id": e.id,
                "subject": e.type,
                "payload": encode_event(e),
                "headers": event_headers(e),
                "created_at": now,
            }
            for e in events
        ],
    )


class UnitOfWork:
    """Opens transactions that write state and outbox rows together, then wakes the relay."""

    def __init__(self, db: Database, on_commit: Callable[[], None] | None = None) -> None:
        self.db = db
        self._on_commit = on_commit

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[Tx]:
        scope = current_scope()  # a keyed command: its key is recorded with its effect
        recorded = False
        async with self.db.transaction() as session:
            if scope is not None:
                watch_writes(session)
            tx = Tx(session)
            yield tx
            await insert_outbox_rows(session, tx.events)
            if scope is not None:
                recorded = await record_effect(session, scope, bool(tx.events))
        if recorded:
            assert scope is not None
            scope.marked = True
        if tx.events and self._on_commit is not None:
            self._on_commit()


class OutboxRelay:
    """Publishes pending outbox rows to JetStream, in order, awaiting every PubAck."""

    def __init__(
        self,
        db: Database,
        js: JetStreamContext,
        *,
        batch_size: int = 256,
        sweep_interval: float = 1.0,
        keep_published: timedelta = timedelta(hours=24),
        publish_timeout: float = 5.0,
    ) -> None:
        self.db = db
        self.js = js
        self.batch_size = batch_size
        self.sweep_interval = sweep_interval
        self.keep_published = keep_published
        self.publish_timeout = publish_timeout
        self._wake = asyncio.Event()
        self._stopping = False
        self.published_total = 0
        # Run after every commit that wrote events: built once, its cache key is memoized.
        self._pending = self._pending_query()

    def notify(self) -> None:
        """Called after a commit that added events: publish now instead of at the next sweep."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        """Sweep at start-up, then on every wake-up or timer tick, until stopped."""
        last_purge = datetime.now(UTC)
        while not self._stopping:
            try:
                while await self.publish_pending() == self.batch_size:
                    pass
                if datetime.now(UTC) - last_purge > timedelta(minutes=10):
                    await self.purge_published()
                    last_purge = datetime.now(UTC)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database down: keep the rows, try again later
                log.warning("outbox.relay_error", error=str(exc), error_type=type(exc).__name__)
                await asyncio.sleep(self.sweep_interval)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.sweep_interval)
            except TimeoutError:
                pass
            self._wake.clear()

    async def publish_pending(self) -> int:
        """Publish one batch; returns how many rows were published."""
        if self.db.sqlite:
            # One writer at a time: read, publish, then mark in a short write transaction,
            # so handlers are not blocked while the relay waits for PubAcks.
            async with self.db.read() as session:
                rows = (await session.execute(self._pending)).all()
            published, parked = await self._publish(rows)
            async with self.db.transaction() as session:
                await self._mark(session, published, parked)
            return len(published) + len(parked)
        # PostgreSQL: replicas of a service split the rows with SKIP LOCKED.
        async with self.db.transaction() as session:
            rows = (await session.execute(self._pending.with_for_update(skip_locked=True))).all()
            published, parked = await self._publish(rows)
            await self._mark(session, published, parked)
        return len(published) + len(parked)

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
        # Fired together on one connection, so the server stores them in this order.
        results = await asyncio.gather(
            *(
                self.js.publish(
                    r.subject, r.payload, headers=r.headers, timeout=self.publish_timeout
                )
                for r in rows
            ),
            return_exceptions=True,
        )
        published: list[int] = []
        parked: list[int] = []
        for row, result in zip(rows, results, strict=True):
            if isinstance(result, PERMANENT_PUBLISH_ERRORS):
                log.error("outbox.row_parked", seq=row.seq, subject=row.subject,
                          error=str(result), error_type=type(result).__name__)  # fmt: skip
                parked.append(row.seq)
                continue
            if isinstance(result, BaseException):
                log.warning("outbox.publish_failed", subject=row.subject, error=str(result))
                break  # keep order: later rows wait for the failed one
            published.append(row.seq)
        if published:
            crash_point("relay.after_publish")
        return published, parked

    async def _mark(self, session: Session, seqs: list[int], parked: list[int]) -> None:
        t = outbox_table
        if parked:
            await session.execute(sa.update(t).where(t.c.seq.in_(parked)).values(attempts=PARKED))
        if not seqs:
            return
        await session.execute(
            sa.update(t).where(t.c.seq.in_(seqs)).values(published_at=datetime.now(UTC))
        )
        self.published_total += len(seqs)

    async def purge_published(self) -> int:
        cutoff = datetime.now(UTC) - self.keep_published
        t = outbox_table
        async with self.db.transaction() as session:
            result = await session.execute(
                sa.delete(t).where(t.c.published_at.is_not(None), t.c.published_at < cutoff)
            )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
