"""Replies to commands that were applied but never answered (the service died between its
commit and storing its reply: `shared.messaging.requests`), rebuilt from the state they left.

A repeat reaches these only under the same request key, which the gateway scopes to the caller
who made the first attempt, so they answer only that caller.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from shared.actor import Actor
from shared.contracts import notifications as c
from shared.errors import NotFound

from . import views
from .adapters.tables import deliveries, webhook_deliveries, webhook_endpoints
from .webhook_handlers import Webhooks, endpoint_id_for_request, load_endpoint


class Replies:
    def __init__(self, webhooks: Webhooks) -> None:
        self.w = webhooks

    async def created_webhook(
        self, _request: c.CreateWebhookRequest, actor: Actor | None
    ) -> c.WebhookEndpointCreated:
        endpoint_id = endpoint_id_for_request()
        if endpoint_id is None:
            raise NotFound("no such webhook endpoint", code="webhooks_endpoint_not_found")
        view = await self.w._view(endpoint_id, actor)
        secret = await self._newest_secret(endpoint_id)
        return c.WebhookEndpointCreated(**view.model_dump(), secret=secret)

    async def rotated_secret(
        self, request: c.WebhookRef, _actor: Actor | None
    ) -> c.WebhookSecretRotated:
        endpoint = await self._endpoint(request.endpoint_id)
        newest = max(endpoint.secrets, key=lambda s: s.created_at)
        return c.WebhookSecretRotated(endpoint_id=endpoint.id, secret=newest.value,
                                      previous_valid_until=newest.created_at + self.w.overlap)  # fmt: skip

    async def deleted_webhook(self, request: c.WebhookRef, _actor: Actor | None) -> dict[str, Any]:
        return {"endpoint_id": request.endpoint_id, "deleted": True}

    async def replayed_deliveries(
        self, request: c.ReplayWebhookRequest, actor: Actor | None
    ) -> c.ReplayResult:
        """The deliveries the request named (queued again by the first attempt): running it
        again would send them a second time."""
        await self.w._view(request.endpoint_id, actor)
        t = webhook_deliveries
        where = [t.c.endpoint_id == request.endpoint_id]
        if request.delivery_id:
            where.append(t.c.id == request.delivery_id)
        else:
            if request.since is not None:
                where.append(t.c.occurred_at >= request.since)
            if request.until is not None:
                where.append(t.c.occurred_at <= request.until)
        async with self.w.uow.db.read() as session:
            ids = (await session.execute(sa.select(t.c.id).where(*where))).scalars().all()
        return c.ReplayResult(replayed=list(ids))

    async def settled_message(
        self, request: c.ResolveHeldMessageRequest, _actor: Actor | None
    ) -> c.HeldMessage:
        async with self.w.uow.db.read() as session:
            row = (
                await session.execute(
                    sa.select(deliveries).where(deliveries.c.id == request.message_id)
                )
            ).one()
        return views.held_message(row)

    async def _newest_secret(self, endpoint_id: str) -> str:
        endpoint = await self._endpoint(endpoint_id)
        return max(endpoint.secrets, key=lambda s: s.created_at).value

    async def _endpoint(self, endpoint_id: str) -> Any:
        async with self.w.uow.db.read() as session:
            found = await load_endpoint(session, webhook_endpoints.c.id == endpoint_id, self.w.box)
        if found is None:
            raise NotFound("no such webhook endpoint", code="webhooks_endpoint_not_found")
        return found
