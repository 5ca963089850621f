"""Idempotent consumers: `(consumer, event_id)` recorded in the same transaction as the effect."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from shared.persistence.messaging_tables import inbox_table


async def claim_event(session: AsyncSession, consumer: str, event_id: str) -> bool:
    """Record that `consumer` is applying `event_id`; False if it already has.

    Must run inside the transaction that applies the event: if that transaction rolls back,
    the claim goes with it and the redelivery is applied normally.
    """
    return event_id in await claim_events(session, consumer, [event_id])


async def claim_events(session: AsyncSession, consumer: str, event_ids: list[str]) -> set[str]:
    """Claim many events in one statement; returns the ids not applied before."""
    if not event_ids:
        return set()
    now = datetime.now(UTC)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(inbox_table)
        .values([{"consumer": consumer, "event_id": e, "processed_at": now} for e in event_ids])
        .on_conflict_do_nothing()
        .returning(inbox_table.c.event_id)
    )
    return set((await session.execute(stmt)).scalars().all())
