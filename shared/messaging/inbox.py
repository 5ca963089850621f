"""Idempotent consumers: `(consumer, event_id)` recorded in the same transaction as the effect."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy.dialects import postgresql, sqlite

from shared.persistence.messaging_tables import inbox_table
from shared.persistence.prepared import Prepared
from shared.persistence.session import Session
from shared.persistence.statements import insert_or_ignore


async def claim_event(session: Session, consumer: str, event_id: str) -> bool:
    """Record that `consumer` is applying `event_id`; False if it already has.

    Must run inside the transaction that applies the event: if that transaction rolls back,
    the claim goes with it and the redelivery is applied normally.
    """
    row = {"consumer": consumer, "event_id": event_id, "processed_at": datetime.now(UTC)}
    # No RETURNING to fetch: the row count says whether the claim is new.
    return await insert_or_ignore(session, inbox_table, row)


# Up to this many events, a prepared single-row claim per event costs less CPU than SQLAlchemy's
# one multi-row INSERT .. RETURNING; beyond it the one statement wins (bench/cpu_statements.py,
# us per claim: 2 events 16 vs 55, 8 events 62 vs 84, 32 events 233 vs 188).
ONE_BY_ONE_UP_TO = 8


async def claim_events(session: Session, consumer: str, event_ids: list[str]) -> set[str]:
    """Claim many events at once; returns the ids not applied before."""
    if not event_ids:
        return set()
    now = datetime.now(UTC)
    rows = [{"consumer": consumer, "event_id": e, "processed_at": now} for e in event_ids]
    claim = _claim_many(session.dialect.name)
    if len(rows) <= ONE_BY_ONE_UP_TO:
        return set(await claim.returned(session, rows))
    return set((await session.execute(claim.statement, rows)).scalars().all())


@lru_cache(maxsize=4)
def _claim_many(dialect: str) -> Prepared:
    """Built once and given the rows as parameters: SQLAlchemy sends them as one multi-row
    INSERT ... RETURNING ("insertmanyvalues"). Building `.values([...])` per group made a new
    statement each time, whose cache key walk and, for each new group size, compilation were
    a visible part of the consumer's profile."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return Prepared(insert(inbox_table).on_conflict_do_nothing().returning(inbox_table.c.event_id))
