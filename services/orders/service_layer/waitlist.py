"""The waitlist: customers who want a style in a region they cannot order it in yet.

They are told once, when it becomes orderable there: listed by an operator, or back in stock.
"""

from __future__ import annotations

from services.orders.domain import catalogue as cat
from services.orders.domain import events as ev
from services.orders.service_layer.catalogue import Catalogue
from services.orders.service_layer.customers import require_customer
from services.orders.service_layer.unit_of_work import DuplicateEntry, UnitOfWork, Work
from shared.actor import Actor
from shared.clock import Clock


class Waitlist:
    def __init__(self, uow: UnitOfWork, catalogue: Catalogue, clock: Clock) -> None:
        self.uow = uow
        self.catalogue = catalogue
        self.clock = clock

    async def join(self, actor: Actor, style: str, region: str) -> str:
        """The customer's entry id; joining again returns the same entry."""
        customer = require_customer(actor)
        try:
            async with self.uow() as work:
                ref = await self.catalogue.reference(work)
                ref.style(style)
                ref.region(region)
                return await work.waitlist.join(customer, style, region, self.clock.now())
        except DuplicateEntry:
            # A concurrent duplicate joined first (one entry per customer, style and region):
            # joining is idempotent, so its entry is the answer.
            async with self.uow.read() as rx:
                return await rx.waitlist.join(customer, style, region, self.clock.now())

    async def tell(self, work: Work, style: str, region: str, reason: ev.WaitlistReason) -> None:
        """One event per waiting customer, for regions where the style can now be ordered."""
        offer = await self.catalogue.offer_in(work, style, region)
        if offer.kind is cat.OfferKind.UNAVAILABLE:
            return
        if reason == "back_in_stock" and offer.available <= 0:
            return
        now = self.clock.now()
        waiting = await work.waitlist.waiting(style, region)
        for entry_id, customer_id in waiting:
            work.publish(
                ev.WaitlistAvailable(
                    entry_id=entry_id,
                    customer_id=customer_id,
                    style=style,
                    item_name=offer.style.name,
                    region=region,
                    reason=reason,
                    price=offer.price,
                    occurred_at=now,
                )
            )
        await work.waitlist.mark_notified([entry for entry, _ in waiting], now)
