"""Transactional outbox: events are rows written with the state change, published after commit.

A handler never publishes. It adds events to the unit of work; they are inserted into the
`outbox` table in the same transaction as the state change. The relay publishes pending rows to
JetStream with `Nats-Msg-Id` = event id, awaits each PubAck, and only then marks them published
(shared/messaging/relay.py). A crash between publish and mark re-publishes on restart, and
JetStream's duplicate window (and every consumer's inbox) makes that harmless.

After the commit, the unit of work hands the rows it wrote to the relay (`on_commit`), so that
the relay need not read back what it was just told.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa

from shared.contracts.envelope import CloudEvent
from shared.logging import CORRELATION_HEADER, current_correlation_id
from shared.messaging.requests import current_scope, record_effect, watch_writes
from shared.persistence.db import Database
from shared.persistence.messaging_tables import outbox_table
from shared.persistence.prepared import Prepared
from shared.persistence.session import Session

MSG_ID_HEADER = "Nats-Msg-Id"


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
    """The envelope's JSON, serialized by pydantic-core in one pass (the same bytes as dumping
    `model_dump(mode="json")` with orjson, at a third of the cost)."""
    return event.__pydantic_serializer__.to_json(event)


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


class OutboxRow(NamedTuple):
    """What the relay publishes: a row of the outbox table (or the same, handed over)."""

    seq: int
    subject: str
    payload: bytes
    headers: dict[str, str]


# Built once; RETURNING gives the rows' sequence numbers for the hand-over to the relay, in the
# order of the rows. Prepared: every transaction that publishes runs it (prepared.py).
_INSERT = Prepared(
    sa.insert(outbox_table).returning(outbox_table.c.seq, sort_by_parameter_order=True)
)


async def insert_outbox_rows(session: Session, events: list[CloudEvent[Any]]) -> list[OutboxRow]:
    if not events:
        return []
    now = datetime.now(UTC)
    rows = [(e.id, e.type, encode_event(e), event_headers(e)) for e in events]
    values = [
        {"event_id": i, "subject": s, "payload": p, "headers": h, "created_at": now}
        for i, s, p, h in rows
    ]
    seqs = await _INSERT.returned(session, values)
    return [OutboxRow(seq, s, p, h) for seq, (_, s, p, h) in zip(seqs, rows, strict=True)]


class UnitOfWork:
    """Opens transactions that write state and outbox rows together, then hands the rows to the
    relay."""

    def __init__(
        self, db: Database, on_commit: Callable[[Sequence[OutboxRow]], None] | None = None
    ) -> None:
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
            rows = await insert_outbox_rows(session, tx.events)
            if scope is not None:
                recorded = await record_effect(session, scope, bool(tx.events))
        if recorded:
            assert scope is not None
            scope.marked = True
        if rows and self._on_commit is not None:
            self._on_commit(rows)
