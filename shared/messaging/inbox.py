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
    values = {"consumer": consumer, "event_id": event_id, "processed_at": datetime.now(UTC)}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(inbox_table).values(**values).on_conflict_do_nothing()
    result = await session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]
