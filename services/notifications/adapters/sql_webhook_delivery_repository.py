"""Webhook deliveries (one event to one endpoint) and the log of their attempts (Core SQL)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from shared.persistence.prepared_read import PreparedRead
from shared.persistence.session import Session
from shared.persistence.statements import insert_or_ignore

from ..domain.paging import Page
from ..domain.webhook_deliveries import WebhookAttempt, WebhookDelivery, WebhookDeliveryStatus
from .sql import changed, newest_first_page, row_of
from .tables import webhook_attempts, webhook_deliveries

t, a = webhook_deliveries, webhook_attempts
PENDING = str(WebhookDeliveryStatus.PENDING)


def _delivery(row: Any) -> WebhookDelivery:
    values = dict(row._mapping)
    return WebhookDelivery(**values | {"status": WebhookDeliveryStatus(values["status"])})


def _due(now: datetime | sa.BindParameter[Any]) -> sa.ColumnElement[bool]:
    return sa.and_(
        t.c.status == PENDING,
        t.c.next_attempt_at <= now,
        sa.or_(t.c.lease_until.is_(None), t.c.lease_until <= now),
    )


# The webhook worker's poll, twice a second whether or not anything is due: built and compiled
# once, run without SQLAlchemy's per-statement path on SQLite (prepared_read.py).
_DUE = PreparedRead(
    sa.select(t.c.id)
    .where(_due(sa.bindparam("now", type_=t.c.next_attempt_at.type)))
    .order_by(t.c.next_attempt_at)
    .limit(sa.bindparam("limit", type_=sa.Integer))
)


class SqlWebhookDeliveryRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    async def add(self, delivery: WebhookDelivery) -> bool:
        """False when the endpoint already has this event (a redelivered event)."""
        values = row_of(delivery) | {"status": str(delivery.status)}
        return await insert_or_ignore(self.session, t, values)

    async def due(self, now: datetime, limit: int) -> list[str]:
        rows = await _DUE.all(self.session, {"now": now, "limit": limit})
        return [r.id for r in rows]

    async def lease(
        self, delivery_id: str, now: datetime, until: datetime
    ) -> WebhookDelivery | None:
        """Take the delivery for one attempt (attempts + 1) if it is still due; None if not."""
        stmt = (
            sa.update(t)
            .where(t.c.id == delivery_id, _due(now))
            .values(lease_until=until, attempts=t.c.attempts + 1)
        )
        if not changed(await self.session.execute(stmt)):
            return None
        row = (await self.session.execute(sa.select(t).where(t.c.id == delivery_id))).one()
        return _delivery(row)

    async def update(self, delivery_id: str, *, only_pending: bool = False, **values: Any) -> None:
        where = [t.c.id == delivery_id] + ([t.c.status == PENDING] if only_pending else [])
        await self.session.execute(sa.update(t).where(*where).values(**_stored(values)))

    async def log_attempt(self, attempt: WebhookAttempt) -> None:
        await self.session.execute(sa.insert(a).values(**asdict(attempt)))

    async def cancel_pending(self, endpoint_id: str) -> None:
        await self.session.execute(
            sa.update(t)
            .where(t.c.endpoint_id == endpoint_id, t.c.status == PENDING)
            .values(status=str(WebhookDeliveryStatus.CANCELLED), next_attempt_at=None)
        )

    async def ids(
        self,
        endpoint_id: str,
        *,
        delivery_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        finished_only: bool = False,
    ) -> list[str]:
        where = [t.c.endpoint_id == endpoint_id]
        if finished_only:
            where.append(t.c.status != PENDING)
        if delivery_id:
            where.append(t.c.id == delivery_id)
        else:
            if since is not None:
                where.append(t.c.occurred_at >= since)
            if until is not None:
                where.append(t.c.occurred_at <= until)
        return list((await self.session.execute(sa.select(t.c.id).where(*where))).scalars().all())

    async def requeue(self, ids: list[str], now: datetime) -> None:
        await self.session.execute(
            sa.update(t)
            .where(t.c.id.in_(ids))
            .values(status=PENDING, attempts=0, next_attempt_at=now, lease_until=None)
        )

    async def page(self, endpoint_id: str, status: str | None, page: Page) -> list[WebhookDelivery]:
        query = sa.select(t).where(t.c.endpoint_id == endpoint_id)
        if status:
            query = query.where(t.c.status == status)
        rows = (await self.session.execute(newest_first_page(query, t, page))).all()
        return [_delivery(r) for r in rows]

    async def attempts(self, delivery_ids: list[str]) -> list[WebhookAttempt]:
        query = sa.select(a).where(a.c.delivery_id.in_(delivery_ids)).order_by(a.c.id)
        rows = (await self.session.execute(query)).all()
        return [
            WebhookAttempt(r.delivery_id, r.attempt, r.at, r.status_code, r.error, r.duration_ms)
            for r in rows
        ]


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    status = values.get("status")
    return values | ({"status": str(status)} if status is not None else {})
