"""The waitlist in the database: who waits for which style in which region."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa

from services.orders.adapters import tables as t
from shared.persistence.session import Session


class SqlWaitlistRepository:
    """One entry per customer, style and region; notified once."""

    def __init__(self, session: Session) -> None:
        self.session = session

    async def join(self, customer_id: str, style: str, region: str, now: datetime) -> str:
        """Idempotent: joining twice keeps the first entry (and its id)."""
        existing = (
            await self.session.execute(
                sa.select(t.waitlist.c.entry_id).where(
                    t.waitlist.c.customer_id == customer_id,
                    t.waitlist.c.style == style,
                    t.waitlist.c.region == region,
                )
            )
        ).first()
        if existing is not None:
            return str(existing.entry_id)
        entry_id = uuid.uuid4().hex
        await self.session.execute(
            sa.insert(t.waitlist).values(
                entry_id=entry_id,
                customer_id=customer_id,
                style=style,
                region=region,
                created_at=now,
            )
        )
        return entry_id

    async def waiting(self, style: str, region: str) -> list[tuple[str, str]]:
        """(entry_id, customer_id) of customers not yet told about this style in this region."""
        w = t.waitlist
        rows = await self.session.execute(
            sa.select(w.c.entry_id, w.c.customer_id).where(
                w.c.style == style, w.c.region == region, w.c.notified_at.is_(None)
            )
        )
        return [(r.entry_id, r.customer_id) for r in rows.all()]

    async def mark_notified(self, entry_ids: list[str], now: datetime) -> None:
        if entry_ids:
            await self.session.execute(
                sa.update(t.waitlist)
                .where(t.waitlist.c.entry_id.in_(entry_ids))
                .values(notified_at=now)
            )
