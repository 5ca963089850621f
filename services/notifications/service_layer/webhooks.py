"""Use cases: partners manage their webhook endpoints (agents and the system see all of them).

Register an endpoint, list, show and delete them, rotate a signing secret. Replaying deliveries
and the delivery log: webhook_log.py.
"""

from __future__ import annotations

import hashlib
import secrets as _secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.actor import Actor
from shared.clock import Clock
from shared.errors import NotFound
from shared.messaging.requests import current_scope

from ..domain.errors import WebhookEndpointLimit
from ..domain.ports import NewSecret, TargetCheck
from ..domain.webhook_deliveries import EndpointListing
from ..domain.webhooks import EndpointSecret, WebhookEndpoint, check_registration
from .access import endpoint_owner, webhook_owner
from .unit_of_work import UnitOfWork, Work
from .webhook_fanout import partner_event_types

# Each endpoint costs a delivery row per matching event: a partner needs a handful, not hundreds.
MAX_ENDPOINTS_PER_OWNER = 20


def endpoint_id_for_request() -> str | None:
    """A new endpoint's id, derived from the request key when there is one, so the reply to a
    repeated create finds the endpoint the first attempt made (replies.py)."""
    scope = current_scope()
    if scope is None:
        return None
    return "we_" + hashlib.sha256(scope.key.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class WebhookPolicy:
    require_https: bool
    rotation_overlap: timedelta  # how long a rotated-out secret still signs
    max_endpoints: int = MAX_ENDPOINTS_PER_OWNER


class Webhooks:
    def __init__(self, uow: UnitOfWork, clock: Clock, policy: WebhookPolicy, *,
                 check_target: TargetCheck, new_secret: NewSecret) -> None:  # fmt: skip
        self.uow = uow
        self.clock = clock
        self.policy = policy
        self.check_target = check_target
        self.new_secret = new_secret

    async def create(self, actor: Actor | None, url: str, event_types: Iterable[str],
                     description: str, *, partner_key_id: str | None = None,
                     ) -> tuple[EndpointListing, str]:  # fmt: skip
        """Register an endpoint; returns it and its signing secret (shown this once). Its owner
        is the partner key that registers it, or the one an agent names (`partner_key_id`: the
        gateway checked the key and its event types), else the agent."""
        owner = endpoint_owner(actor, partner_key_id)
        types = tuple(event_types)
        check_registration(url, types, require_https=self.policy.require_https,
                           known_types=partner_event_types())  # fmt: skip
        now = self.clock.now()
        secret = self.new_secret()
        endpoint = WebhookEndpoint(
            id=endpoint_id_for_request() or "we_" + _secrets.token_hex(8),
            owner=owner,
            url=url,
            event_types=types,
            secrets=(EndpointSecret(secret, now),),
        )
        await self.check_target(endpoint.url)
        async with self.uow() as work:
            await self._check_room(work, owner)
            await work.endpoints.add(endpoint, description, now)
        return await self.get(actor, endpoint.id), secret

    async def _check_room(self, work: Work, owner: str) -> None:
        limit = self.policy.max_endpoints
        if await work.endpoints.count(owner) >= limit:
            raise WebhookEndpointLimit(
                f"at most {limit} webhook endpoints per partner", details={"limit": limit}
            )

    async def list(self, actor: Actor | None) -> list[EndpointListing]:
        owner = webhook_owner(actor)
        async with self.uow.read() as work:
            ids = await work.endpoints.ids(owner)
        return [await self.get(actor, i) for i in ids]

    async def get(self, actor: Actor | None, endpoint_id: str) -> EndpointListing:
        """The caller's endpoint (any, for agents); NotFound for anyone else's."""
        owner = webhook_owner(actor)
        async with self.uow.read() as work:
            found = await work.endpoints.get(endpoint_id, owner)
        if found is None:
            raise NotFound("no such webhook endpoint", code="webhooks_endpoint_not_found")
        return found.at(self.clock.now())

    async def delete(self, actor: Actor | None, endpoint_id: str) -> None:
        """Delete the endpoint; deliveries still waiting for it are cancelled."""
        await self.get(actor, endpoint_id)
        now = self.clock.now()
        async with self.uow() as work:
            await work.endpoints.delete(endpoint_id, now)
            await work.webhook_deliveries.cancel_pending(endpoint_id)

    async def rotate_secret(self, actor: Actor | None, endpoint_id: str) -> tuple[str, datetime]:
        """A new signing secret; the old one keeps signing for the overlap. Returns the new
        secret and when the old one stops."""
        owner = webhook_owner(actor)
        now = self.clock.now()
        async with self.uow() as work:
            found = await work.endpoints.get(endpoint_id, owner)
            if found is None:
                raise NotFound("no such webhook endpoint", code="webhooks_endpoint_not_found")
            secret = self.new_secret()
            rotated = found.endpoint.rotate(secret, now, self.policy.rotation_overlap)
            await work.endpoints.replace_secrets(rotated)
        return secret, now + self.policy.rotation_overlap


async def reseal_secrets(uow: UnitOfWork) -> int:
    """Re-seal every stored signing secret with the first key; returns how many rows.

    For key rotation and for rows stored before sealing existed. The secrets themselves (and so
    partners' signatures) do not change. Safe to run twice, and beside running services.
    """
    async with uow() as work:
        return await work.endpoints.reseal_secrets()
