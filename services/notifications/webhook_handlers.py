"""Partner webhook endpoints: registration, secret rotation, fan-out of events, replay, the log.

Partners manage their own endpoints; agents (and the system) see all of them. Each claim/order
event a partner may see becomes one `webhook_deliveries` row per interested endpoint, in the
same transaction that consumed the event, so nothing is lost or doubled; `webhook_delivery.py`
sends them.
"""

from __future__ import annotations

import hashlib
import json
import secrets as _secrets
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from shared.actor import Actor
from shared.contracts import notifications as c
from shared.contracts.envelope import RawEvent
from shared.contracts.registry import EVENT_TYPES, load_all
from shared.errors import NotFound
from shared.logging import current_correlation_id
from shared.messaging.outbox import Tx, UnitOfWork
from shared.messaging.requests import current_scope

from . import views
from .adapters.secret_box import SecretBox
from .adapters.ssrf import Resolver, TargetPolicy, check_target, system_resolver
from .adapters.store import insert_ignore, newest_first_page
from .adapters.tables import (
    webhook_attempts,
    webhook_deliveries,
    webhook_endpoints,
    webhook_secrets,
)
from .adapters.webhook_signing import generate_secret
from .domain.errors import WebhookEndpointLimit, WebhookReplayNeedsTarget
from .domain.webhooks import (
    EndpointSecret,
    WebhookEndpoint,
    check_registration,
    subscribed,
    thin_payload,
)
from .handlers import Clock, Forbidden, utcnow

PUBLIC_PREFIXES = ("warranty.claim.", "orders.order.")
# Each endpoint costs a delivery row per matching event: a partner needs a handful, not hundreds.
MAX_ENDPOINTS_PER_OWNER = 20


def partner_may_see(event_type: str) -> bool:
    spec = load_all().get(event_type) or EVENT_TYPES.get(event_type)
    if spec is not None:
        return spec.partner_visible
    return event_type.startswith(PUBLIC_PREFIXES)


def partner_event_types() -> list[str]:
    """Every registered event type a webhook may deliver."""
    return sorted(t for t, spec in load_all().items() if spec.partner_visible)


def delivery_id(endpoint_id: str, event_id: str) -> str:
    return "wd_" + hashlib.sha256(f"{endpoint_id}:{event_id}".encode()).hexdigest()[:24]


def endpoint_id_for_request() -> str | None:
    """A new endpoint's id, derived from the request key when there is one, so the reply to a
    repeated create finds the endpoint the first attempt made (`replies.Replies`)."""
    scope = current_scope()
    if scope is None:
        return None
    return "we_" + hashlib.sha256(scope.key.encode()).hexdigest()[:16]


def _owner_filter(actor: Actor | None) -> sa.ColumnElement[bool]:
    if actor is None or actor.type == "customer":
        raise Forbidden("webhooks are managed by partners and agents")
    t = webhook_endpoints
    live = t.c.deleted_at.is_(None)
    return sa.and_(live, t.c.owner == actor.id) if actor.type == "partner" else live


async def load_endpoint(
    session: Any, where: sa.ColumnElement[bool], box: SecretBox
) -> WebhookEndpoint | None:
    row = (await session.execute(sa.select(webhook_endpoints).where(where))).first()
    if row is None:
        return None
    secret_rows = (
        await session.execute(
            sa.select(webhook_secrets)
            .where(webhook_secrets.c.endpoint_id == row.id)
            .order_by(webhook_secrets.c.id)
        )
    ).all()
    return WebhookEndpoint(
        id=row.id,
        owner=row.owner,
        url=row.url,
        event_types=tuple(row.event_types),
        secrets=tuple(
            EndpointSecret(box.open(s.secret), s.created_at, s.expires_at) for s in secret_rows
        ),
        disabled_at=row.disabled_at,
        disabled_reason=row.disabled_reason,
    )


async def reseal_secrets(uow: UnitOfWork, box: SecretBox) -> int:
    """Re-seal every stored signing secret with the box's first key; returns how many rows.

    For key rotation and for rows stored before sealing existed. The secrets themselves (and so
    partners' signatures) do not change. Safe to run twice, and beside running services.
    """
    t = webhook_secrets
    async with uow() as tx:
        rows = (await tx.session.execute(sa.select(t.c.id, t.c.secret))).all()
        for row in rows:
            await tx.session.execute(
                sa.update(t).where(t.c.id == row.id).values(secret=box.reseal(row.secret))
            )
    return len(rows)


class Webhooks:
    def __init__(
        self,
        uow: UnitOfWork,
        *,
        policy: TargetPolicy,
        rotation_overlap: timedelta,
        secret_box: SecretBox,
        resolver: Resolver = system_resolver,
        clock: Clock = utcnow,
        max_endpoints: int = MAX_ENDPOINTS_PER_OWNER,
    ) -> None:
        self.uow = uow
        self.max_endpoints = max_endpoints
        self.box = secret_box
        self.policy = policy
        self.overlap = rotation_overlap
        self.resolver = resolver
        self.clock = clock

    # Fan-out (inside the consumer's transaction) -------------------------------------------

    async def on_event(self, tx: Tx, event: RawEvent) -> int:
        if not partner_may_see(event.type):
            return 0
        t = webhook_endpoints
        rows = (
            await tx.session.execute(
                sa.select(t.c.id, t.c.event_types).where(
                    t.c.deleted_at.is_(None), t.c.disabled_at.is_(None)
                )
            )
        ).all()
        payload = thin_payload(event.type, event.time, event.data).to_dict()
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True)
        now = self.clock()
        created = 0
        for row in rows:
            if not subscribed(row.event_types, event.type):
                continue
            result = await tx.session.execute(
                insert_ignore(tx.session, webhook_deliveries).values(
                    id=delivery_id(row.id, event.id),
                    endpoint_id=row.id,
                    event_id=event.id,
                    event_type=event.type,
                    payload=body,
                    occurred_at=event.time,
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                    correlation_id=current_correlation_id(),
                )
            )
            created += int(bool(result.rowcount))  # type: ignore[attr-defined]
        return created

    # Management ----------------------------------------------------------------------------

    async def create(
        self, request: c.CreateWebhookRequest, actor: Actor | None
    ) -> c.WebhookEndpointCreated:
        _owner_filter(actor)
        assert actor is not None
        check_registration(
            request.url,
            request.event_types,
            require_https=self.policy.require_https,
            known_types=partner_event_types(),
        )
        now = self.clock()
        secret = generate_secret()
        endpoint = WebhookEndpoint(
            id=endpoint_id_for_request() or "we_" + _secrets.token_hex(8),
            owner=actor.id,
            url=request.url,
            event_types=tuple(request.event_types),
            secrets=(EndpointSecret(secret, now),),
        )
        await check_target(endpoint.url, self.policy, self.resolver)
        async with self.uow() as tx:
            await self._check_room(tx, actor.id)
            await tx.session.execute(
                sa.insert(webhook_endpoints).values(
                    id=endpoint.id,
                    owner=endpoint.owner,
                    url=endpoint.url,
                    event_types=list(endpoint.event_types),
                    description=request.description,
                    created_at=now,
                )
            )
            await tx.session.execute(
                sa.insert(webhook_secrets).values(
                    endpoint_id=endpoint.id, secret=self.box.seal(secret), created_at=now
                )
            )
        view = await self._view(endpoint.id, actor)
        return c.WebhookEndpointCreated(**view.model_dump(), secret=secret)

    async def _check_room(self, tx: Tx, owner: str) -> None:
        t = webhook_endpoints
        mine = sa.and_(t.c.deleted_at.is_(None), t.c.owner == owner)
        count = (await tx.session.execute(sa.select(sa.func.count()).where(mine))).scalar_one()
        if count >= self.max_endpoints:
            raise WebhookEndpointLimit(
                f"at most {self.max_endpoints} webhook endpoints per partner",
                details={"limit": self.max_endpoints},
            )

    async def list(self, _request: Any, actor: Actor | None) -> c.WebhookList:
        where = _owner_filter(actor)
        async with self.uow.db.read() as session:
            ids = (
                (
                    await session.execute(
                        sa.select(webhook_endpoints.c.id)
                        .where(where)
                        .order_by(webhook_endpoints.c.created_at)
                    )
                )
                .scalars()
                .all()
            )
        return c.WebhookList(endpoints=[await self._view(i, actor) for i in ids])

    async def get(self, request: c.WebhookRef, actor: Actor | None) -> c.WebhookEndpointView:
        return await self._view(request.endpoint_id, actor)

    async def delete(self, request: c.WebhookRef, actor: Actor | None) -> dict[str, Any]:
        await self._view(request.endpoint_id, actor)
        now = self.clock()
        async with self.uow() as tx:
            await tx.session.execute(
                sa.update(webhook_endpoints)
                .where(webhook_endpoints.c.id == request.endpoint_id)
                .values(deleted_at=now)
            )
            await tx.session.execute(
                sa.update(webhook_deliveries)
                .where(
                    webhook_deliveries.c.endpoint_id == request.endpoint_id,
                    webhook_deliveries.c.status == "pending",
                )
                .values(status="cancelled", next_attempt_at=None)
            )
        return {"endpoint_id": request.endpoint_id, "deleted": True}

    async def rotate_secret(
        self, request: c.WebhookRef, actor: Actor | None
    ) -> c.WebhookSecretRotated:
        now = self.clock()
        async with self.uow() as tx:
            endpoint = await load_endpoint(
                tx.session,
                sa.and_(_owner_filter(actor), webhook_endpoints.c.id == request.endpoint_id),
                self.box,
            )
            if endpoint is None:
                raise NotFound("no such webhook endpoint", code="webhooks_endpoint_not_found")
            secret = generate_secret()
            rotated = endpoint.rotate(secret, now, self.overlap)
            await tx.session.execute(
                sa.delete(webhook_secrets).where(webhook_secrets.c.endpoint_id == endpoint.id)
            )
            for s in rotated.secrets:
                await tx.session.execute(
                    sa.insert(webhook_secrets).values(
                        endpoint_id=endpoint.id,
                        secret=self.box.seal(s.value),
                        created_at=s.created_at,
                        expires_at=s.expires_at,
                    )
                )
        return c.WebhookSecretRotated(
            endpoint_id=endpoint.id, secret=secret, previous_valid_until=now + self.overlap
        )

    async def replay(self, request: c.ReplayWebhookRequest, actor: Actor | None) -> c.ReplayResult:
        await self._view(request.endpoint_id, actor)
        t = webhook_deliveries
        where = [t.c.endpoint_id == request.endpoint_id, t.c.status != "pending"]
        if request.delivery_id:
            where.append(t.c.id == request.delivery_id)
        elif request.since is None:
            raise WebhookReplayNeedsTarget("give a delivery_id or a time range")
        else:
            where.append(t.c.occurred_at >= request.since)
            if request.until is not None:
                where.append(t.c.occurred_at <= request.until)
        async with self.uow() as tx:
            ids = (await tx.session.execute(sa.select(t.c.id).where(*where))).scalars().all()
            if request.delivery_id and not ids:
                raise NotFound("no such finished delivery", code="webhooks_delivery_not_found")
            if ids:
                await tx.session.execute(
                    sa.update(t)
                    .where(t.c.id.in_(ids))
                    .values(
                        status="pending", attempts=0, next_attempt_at=self.clock(), lease_until=None
                    )
                )
        return c.ReplayResult(replayed=list(ids))

    async def deliveries(
        self, request: c.ListWebhookDeliveriesRequest, actor: Actor | None
    ) -> c.WebhookDeliveryList:
        await self._view(request.endpoint_id, actor)
        t, a = webhook_deliveries, webhook_attempts
        query = sa.select(t).where(t.c.endpoint_id == request.endpoint_id)
        if request.status:
            query = query.where(t.c.status == request.status)
        query = newest_first_page(query, t, request, request.limit)
        async with self.uow.db.read() as session:
            rows = (await session.execute(query)).all()
            attempts = (
                await session.execute(
                    sa.select(a).where(a.c.delivery_id.in_([r.id for r in rows])).order_by(a.c.id)
                )
            ).all()
        return views.webhook_deliveries(rows, attempts)

    async def _view(self, endpoint_id: str, actor: Actor | None) -> c.WebhookEndpointView:
        where = sa.and_(_owner_filter(actor), webhook_endpoints.c.id == endpoint_id)
        async with self.uow.db.read() as session:
            endpoint = await load_endpoint(session, where, self.box)
            row = (await session.execute(sa.select(webhook_endpoints).where(where))).first()
        if endpoint is None or row is None:
            raise NotFound("no such webhook endpoint", code="webhooks_endpoint_not_found")
        now = self.clock()
        expiring = [s.expires_at for s in endpoint.secrets if s.expires_at and s.active(now)]
        return c.WebhookEndpointView(
            id=endpoint.id,
            url=endpoint.url,
            event_types=list(endpoint.event_types),
            description=row.description,
            enabled=endpoint.enabled,
            disabled_reason=endpoint.disabled_reason,
            created_at=row.created_at,
            secret_rotation_until=max(expiring) if expiring else None,
        )
