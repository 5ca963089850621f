"""The customer's in-app inbox (Core SQL)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from shared.persistence.session import Session
from shared.persistence.statements import insert_or_ignore

from ..domain.inbox import InboxItem
from ..domain.paging import Page
from .sql import newest_first_page, row_of
from .tables import inbox_items

t = inbox_items


def _item(row: Any) -> InboxItem:
    return InboxItem(**row._mapping)


class SqlInboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    async def add(self, item: InboxItem) -> bool:
        """False when the item already exists (a redelivered event)."""
        return await insert_or_ignore(self.session, t, row_of(item))

    async def page(self, customer_id: str, page: Page, *, unread_only: bool) -> list[InboxItem]:
        query = sa.select(t).where(t.c.customer_id == customer_id)
        if unread_only:
            query = query.where(t.c.read_at.is_(None))
        rows = (await self.session.execute(newest_first_page(query, t, page))).all()
        return [_item(r) for r in rows]

    async def unread(self, customer_id: str) -> int:
        query = sa.select(sa.func.count()).where(
            t.c.customer_id == customer_id, t.c.read_at.is_(None)
        )
        return int((await self.session.execute(query)).scalar() or 0)

    async def mark_read(self, customer_id: str, item_id: str, now: datetime) -> InboxItem | None:
        """Mark the customer's item read (once: the first reading time stays); None if no such
        item of theirs."""
        mine = sa.and_(t.c.id == item_id, t.c.customer_id == customer_id)
        await self.session.execute(
            sa.update(t).where(mine, t.c.read_at.is_(None)).values(read_at=now)
        )
        row = (await self.session.execute(sa.select(t).where(mine))).first()
        return _item(row) if row is not None else None
