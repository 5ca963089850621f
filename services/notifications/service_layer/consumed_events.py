"""Use case: keep the order events JetStream delivers here to the ones notifications needs.

The consumer's filter follows the webhook endpoints (domain/consumed_events.py). An event
published while the filter leaves its type out is never delivered, so the filter is never
narrower than what committed endpoints need: registering an endpoint widens it inside the
registering transaction, before the commit (a commit that then fails leaves it wider than
needed, which costs only the deliveries); deleting one narrows it only after the commit. Both
set it holding the subscriptions' lock until their transaction ends, so two replicas' changes
are applied in the order they commit, never a stale narrowing after a fresh widening.
"""

from __future__ import annotations

import structlog

from shared.contracts.registry import load_all

from ..domain.consumed_events import order_events_wanted
from ..domain.ports import EventFilter
from .unit_of_work import UnitOfWork, Work

log = structlog.get_logger()


class ConsumedOrderEvents:
    def __init__(self, uow: UnitOfWork, consumer: EventFilter) -> None:
        self.uow = uow
        self.consumer = consumer

    async def follow(self) -> None:
        """Set the filter to what the committed endpoints need (at each bind, after a delete)."""
        async with self.uow() as work:
            await self.set_in(work)

    async def set_in(self, work: Work) -> None:
        """Set the filter to what `work`'s endpoints need, holding the subscriptions' lock until
        `work` ends. Inside a change that only adds subscriptions, before it commits."""
        await work.endpoints.lock_subscriptions()
        subscriptions = await work.endpoints.subscriptions()
        wanted = order_events_wanted(load_all(), [patterns for _, patterns in subscriptions])
        await self.consumer.apply(wanted)

    async def follow_or_log(self) -> None:
        """After a change that only removes subscriptions: a filter left wider than needed costs
        deliveries, not events, so a failure here fails nothing (the next bind narrows it)."""
        try:
            await self.follow()
        except Exception as exc:
            log.warning("consumer.subjects_not_narrowed", error=f"{type(exc).__name__}: {exc}")
