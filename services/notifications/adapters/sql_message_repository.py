"""Planned messages and their delivery state (Core SQL). Every state change is fenced."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from shared.persistence.prepared_read import PreparedRead
from shared.persistence.session import Session
from shared.persistence.statements import insert_or_ignore

from ..domain.deliveries import DeliveryStatus, Fence, Message
from ..domain.paging import Page
from .sql import changed, newest_first_page, row_of
from .tables import deliveries

t = deliveries


def _message(row: Any) -> Message:
    values = dict(row._mapping)
    return Message(**values | {"status": DeliveryStatus(values["status"])})


_NOW = sa.bindparam("now", type_=t.c.next_attempt_at.type)
# The delivery workers' poll, twice a second whether or not anything is due: built and compiled
# once, run without SQLAlchemy's per-statement path on SQLite (prepared_read.py).
_DUE = PreparedRead(
    sa.select(t)
    .where(
        sa.or_(
            sa.and_(t.c.status == str(DeliveryStatus.PENDING), t.c.next_attempt_at <= _NOW),
            sa.and_(t.c.status == str(DeliveryStatus.SENDING), t.c.lease_until <= _NOW),
        )
    )
    .order_by(sa.func.coalesce(t.c.event_time, t.c.next_attempt_at), t.c.next_attempt_at)
    .limit(sa.bindparam("limit", type_=sa.Integer))
)


def _holds(message_id: str, fence: Fence) -> sa.ColumnElement[bool]:
    statuses = [str(s) for s in fence.statuses]
    return sa.and_(t.c.id == message_id, t.c.status.in_(statuses), t.c.attempts == fence.attempts)


class SqlMessageRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    async def add(self, message: Message) -> bool:
        """False when its delivery key already exists (a redelivered event)."""
        values = row_of(message) | {"status": str(message.status)}
        return await insert_or_ignore(self.session, t, values)

    async def get(self, message_id: str) -> Message | None:
        row = (await self.session.execute(sa.select(t).where(t.c.id == message_id))).first()
        return _message(row) if row is not None else None

    async def due(self, now: datetime, limit: int) -> list[Message]:
        """Pending ones whose time has come, and leased ones whose lease ran out; in the order
        the facts happened."""
        rows = await _DUE.all(self.session, {"now": now, "limit": limit})
        return [_message(r) for r in rows]

    async def for_customer(self, customer_id: str, page: Page) -> list[Message]:
        query = newest_first_page(sa.select(t).where(t.c.customer_id == customer_id), t, page)
        return [_message(r) for r in (await self.session.execute(query)).all()]

    async def held(self, page: Page) -> list[Message]:
        held = sa.select(t).where(t.c.status == str(DeliveryStatus.HELD))
        query = newest_first_page(held, t, page)
        return [_message(r) for r in (await self.session.execute(query)).all()]

    async def move(self, message_id: str, fence: Fence, to: DeliveryStatus, **values: Any) -> bool:
        """Move the message to `to` (with `values`) if `fence` still holds; False if it moved on."""
        fence.check(to)
        stmt = sa.update(t).where(_holds(message_id, fence)).values(status=str(to), **values)
        return changed(await self.session.execute(stmt))
