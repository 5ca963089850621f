"""Partner webhook endpoints and their signing secrets, sealed at rest (Core SQL)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from shared.persistence.prepared_read import PreparedRead
from shared.persistence.session import Session

from ..domain.webhook_deliveries import EndpointListing
from ..domain.webhooks import EndpointSecret, WebhookEndpoint
from .secret_box import SecretBox
from .tables import webhook_endpoints, webhook_secrets

t, s = webhook_endpoints, webhook_secrets


def _scope(owner: str | None, *, include_deleted: bool = False) -> sa.ColumnElement[bool]:
    """Live endpoints (all of them, or `owner`'s only)."""
    live = sa.true() if include_deleted else t.c.deleted_at.is_(None)
    return sa.and_(live, t.c.owner == owner) if owner is not None else live


# Read for every event (which endpoints want it): on SQLite without SQLAlchemy's per-statement
# path (shared/persistence/prepared_read.py).
_SUBSCRIPTIONS = PreparedRead(
    sa.select(t.c.id, t.c.event_types).where(t.c.deleted_at.is_(None), t.c.disabled_at.is_(None))
)
_SUBSCRIBED = "notifications.subscriptions"  # the transaction's copy of them (session.info)


class SqlWebhookEndpointRepository:
    def __init__(self, session: Session, box: SecretBox) -> None:
        self.session = session
        self.box = box

    async def subscriptions(self) -> list[tuple[str, list[str]]]:
        """(endpoint id, event type patterns) of every live, enabled endpoint.

        Read once per transaction: the consumer applies a group of events in one, and each asks.
        A change to the endpoints in this transaction forgets the copy."""
        found = self.session.info.get(_SUBSCRIBED)
        if found is None:
            rows = await _SUBSCRIPTIONS.all(self.session)
            found = self.session.info[_SUBSCRIBED] = [(r.id, r.event_types) for r in rows]
        return list(found)

    async def count(self, owner: str) -> int:
        query = sa.select(sa.func.count()).where(_scope(owner))
        return int((await self.session.execute(query)).scalar_one())

    async def ids(self, owner: str | None) -> list[str]:
        query = sa.select(t.c.id).where(_scope(owner)).order_by(t.c.created_at)
        return list((await self.session.execute(query)).scalars().all())

    async def get(
        self, endpoint_id: str, owner: str | None = None, *, include_deleted: bool = False
    ) -> EndpointListing | None:
        """The endpoint, if live and (with `owner`) theirs; its secrets opened."""
        where = sa.and_(_scope(owner, include_deleted=include_deleted), t.c.id == endpoint_id)
        row = (await self.session.execute(sa.select(t).where(where))).first()
        if row is None:
            return None
        query = sa.select(s).where(s.c.endpoint_id == row.id).order_by(s.c.id)
        secrets = (await self.session.execute(query)).all()
        return EndpointListing(_endpoint(row, secrets, self.box), row.description, row.created_at)

    async def add(self, endpoint: WebhookEndpoint, description: str, now: datetime) -> None:
        self.session.info.pop(_SUBSCRIBED, None)
        await self.session.execute(
            sa.insert(t).values(
                id=endpoint.id,
                owner=endpoint.owner,
                url=endpoint.url,
                event_types=list(endpoint.event_types),
                description=description,
                created_at=now,
            )
        )
        await self.replace_secrets(endpoint)

    async def replace_secrets(self, endpoint: WebhookEndpoint) -> None:
        await self.session.execute(sa.delete(s).where(s.c.endpoint_id == endpoint.id))
        for secret in endpoint.secrets:
            await self.session.execute(
                sa.insert(s).values(
                    endpoint_id=endpoint.id,
                    secret=self.box.seal(secret.value),
                    created_at=secret.created_at,
                    expires_at=secret.expires_at,
                )
            )

    async def delete(self, endpoint_id: str, now: datetime) -> None:
        self.session.info.pop(_SUBSCRIBED, None)
        await self.session.execute(sa.update(t).where(t.c.id == endpoint_id).values(deleted_at=now))

    async def disable(self, endpoint_id: str, now: datetime, reason: str) -> None:
        self.session.info.pop(_SUBSCRIBED, None)
        await self.session.execute(
            sa.update(t)
            .where(t.c.id == endpoint_id)
            .values(disabled_at=now, disabled_reason=reason)
        )

    async def reseal_secrets(self) -> int:
        """Re-seal every stored signing secret with the box's first key; returns how many."""
        rows = (await self.session.execute(sa.select(s.c.id, s.c.secret))).all()
        for row in rows:
            await self.session.execute(
                sa.update(s).where(s.c.id == row.id).values(secret=self.box.reseal(row.secret))
            )
        return len(rows)


def _endpoint(row: Any, secrets: Any, box: SecretBox) -> WebhookEndpoint:
    return WebhookEndpoint(
        id=row.id,
        owner=row.owner,
        url=row.url,
        event_types=tuple(row.event_types),
        secrets=tuple(
            EndpointSecret(box.open(x.secret), x.created_at, x.expires_at) for x in secrets
        ),
        disabled_at=row.disabled_at,
        disabled_reason=row.disabled_reason,
    )
