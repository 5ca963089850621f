"""Idempotent consumers: `(consumer, event_id)` recorded in the same transaction as the effect."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from shared.persistence.messaging_tables import inbox_table
from shared.persistence.prepared import Prepared
from shared.persistence.session import Session
from shared.persistence.statements import insert_ignore


async def claim_event(session: Session, consumer: str, event_id: str) -> bool:
    """Record that `consumer` is applying `event_id`; False if it already has.

    Must run inside the transaction that applies the event: if that transaction rolls back,
    the claim goes with it and the redelivery is applied normally.
    """
    row = {"consumer": consumer, "event_id": event_id, "processed_at": datetime.now(UTC)}
    # No RETURNING to fetch: the row count says whether the claim is new. Prepared: every event
    # runs it, and on SQLite it skips SQLAlchemy's per-statement path (prepared.py).
    return bool(await _claim_one(session.dialect.name).rowcount(session, row))


async def claim_events(session: Session, consumer: str, event_ids: list[str]) -> set[str]:
    """Claim many events in one statement; returns the ids not applied before."""
    if not event_ids:
        return set()
    now = datetime.now(UTC)
    rows = [{"consumer": consumer, "event_id": e, "processed_at": now} for e in event_ids]
    result = await session.execute(_claim_many(session.dialect.name), rows)
    return set(result.scalars().all())


@lru_cache(maxsize=4)
def _claim_one(dialect: str) -> Prepared:
    return Prepared(insert_ignore(dialect, inbox_table))


@lru_cache(maxsize=4)
def _claim_many(dialect: str) -> Any:
    """Built once and given the rows as parameters: SQLAlchemy sends them as one multi-row
    INSERT ... RETURNING ("insertmanyvalues"). Building `.values([...])` per group made a new
    statement each time, whose cache key walk and, for each new group size, compilation were
    a visible part of the consumer's profile."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(inbox_table).on_conflict_do_nothing().returning(inbox_table.c.event_id)
