"""Replies to commands that were applied but never answered (the service died between its
commit and storing its reply: `shared.messaging.requests`), rebuilt from the state they left.

A repeat reaches these only under the same request key, which the gateway scopes to the caller
who made the first attempt, so they answer only that caller.
"""

from __future__ import annotations

from datetime import datetime

from shared.actor import Actor
from shared.errors import NotFound

from ..domain.deliveries import Message
from ..domain.webhook_deliveries import EndpointListing
from ..domain.webhooks import EndpointSecret
from .webhooks import Webhooks, endpoint_id_for_request


class Replies:
    def __init__(self, webhooks: Webhooks) -> None:
        self.webhooks = webhooks
        self.uow = webhooks.uow

    async def created_webhook(self, actor: Actor | None) -> tuple[EndpointListing, str]:
        endpoint_id = endpoint_id_for_request()
        if endpoint_id is None:
            raise NotFound("no such webhook endpoint", code="webhooks_endpoint_not_found")
        listing = await self.webhooks.get(actor, endpoint_id)
        return listing, (await self._newest_secret(endpoint_id)).value

    async def rotated_secret(self, endpoint_id: str) -> tuple[str, datetime]:
        newest = await self._newest_secret(endpoint_id)
        return newest.value, newest.created_at + self.webhooks.policy.rotation_overlap

    async def replayed_deliveries(
        self, actor: Actor | None, endpoint_id: str, *, delivery_id: str | None,
        since: datetime | None, until: datetime | None,
    ) -> list[str]:  # fmt: skip
        """The deliveries the request named (queued again by the first attempt): running it
        again would send them a second time."""
        await self.webhooks.get(actor, endpoint_id)
        async with self.uow.read() as work:
            return await work.webhook_deliveries.ids(
                endpoint_id, delivery_id=delivery_id, since=since, until=until
            )

    async def settled_message(self, message_id: str) -> Message:
        async with self.uow.read() as work:
            message = await work.messages.get(message_id)
        if message is None:
            raise NotFound("no such message", code="notifications_message_not_found")
        return message

    async def _newest_secret(self, endpoint_id: str) -> EndpointSecret:
        async with self.uow.read() as work:
            found = await work.endpoints.get(endpoint_id, include_deleted=True)
        if found is None:
            raise NotFound("no such webhook endpoint", code="webhooks_endpoint_not_found")
        return max(found.endpoint.secrets, key=lambda s: s.created_at)
