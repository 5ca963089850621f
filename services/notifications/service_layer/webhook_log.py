"""Use cases: a webhook endpoint's delivery log, and replaying finished deliveries."""

from __future__ import annotations

from datetime import datetime

from shared.actor import Actor
from shared.errors import NotFound

from ..domain.errors import WebhookReplayNeedsTarget
from ..domain.paging import Page
from ..domain.webhook_deliveries import WebhookAttempt, WebhookDelivery
from .webhooks import Webhooks


class WebhookLog:
    def __init__(self, webhooks: Webhooks) -> None:
        self.webhooks = webhooks  # who may see which endpoint, and the clock
        self.uow = webhooks.uow

    async def replay(self, actor: Actor | None, endpoint_id: str, *, delivery_id: str | None,
                     since: datetime | None, until: datetime | None) -> list[str]:  # fmt: skip
        """Queue finished deliveries again (one, or those of a time range); returns their ids.
        Each keeps its `webhook-id`, so the partner can tell a replay from a new event."""
        await self.webhooks.get(actor, endpoint_id)
        if not delivery_id and since is None:
            raise WebhookReplayNeedsTarget("give a delivery_id or a time range")
        async with self.uow() as work:
            ids = await work.webhook_deliveries.ids(
                endpoint_id, delivery_id=delivery_id, since=since, until=until, finished_only=True
            )
            if delivery_id and not ids:
                raise NotFound("no such finished delivery", code="webhooks_delivery_not_found")
            if ids:
                await work.webhook_deliveries.requeue(ids, self.webhooks.clock.now())
        return ids

    async def deliveries(
        self, actor: Actor | None, endpoint_id: str, status: str | None, page: Page
    ) -> tuple[list[WebhookDelivery], list[WebhookAttempt]]:
        """A page of the endpoint's deliveries, newest first, with their attempts."""
        await self.webhooks.get(actor, endpoint_id)
        async with self.uow.read() as work:
            found = await work.webhook_deliveries.page(endpoint_id, status, page)
            attempts = await work.webhook_deliveries.attempts([d.id for d in found])
        return found, attempts
