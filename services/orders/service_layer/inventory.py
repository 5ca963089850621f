"""Operator changes to what is sold and what is on the shelves: listings and replenishment.

Both may make a style orderable where it was not, so both tell the waitlist.
"""

from __future__ import annotations

from decimal import Decimal

from services.orders.domain import events as ev
from services.orders.domain.errors import UnknownWarehouse
from services.orders.domain.money import Money
from services.orders.service_layer.catalogue import Catalogue
from services.orders.service_layer.unit_of_work import UnitOfWork
from services.orders.service_layer.waitlist import Waitlist
from shared.clock import Clock


class Inventory:
    def __init__(
        self, uow: UnitOfWork, catalogue: Catalogue, waitlist: Waitlist, clock: Clock
    ) -> None:
        self.uow = uow
        self.catalogue = catalogue
        self.waitlist = waitlist
        self.clock = clock

    async def set_listing(self, style: str, region: str, price: Decimal | None) -> None:
        """Operator: list (or delist) a style in a region; tells the waitlist when listed."""
        now = self.clock.now()
        async with self.uow() as work:
            ref = await self.catalogue.reference(work)
            ref.style(style)
            currency = ref.region(region).currency
            await work.listings.set(style, region, price, now)
            listed = None if price is None else Money(price, currency)
            work.publish(
                ev.ListingChanged(style=style, region=region, price=listed, occurred_at=now)
            )
            if listed is not None:
                await self.waitlist.tell(work, style, region, "listed")

    async def replenish(self, warehouse: str, style: str, quantity: int) -> None:
        """Operator: units arrived; customers waiting for the style in that region are told."""
        now = self.clock.now()
        ref = self.catalogue.ref
        ref.style(style)
        if warehouse not in ref.warehouses:
            raise UnknownWarehouse("unknown warehouse", details={"warehouse": warehouse})
        async with self.uow() as work:
            before, after = await work.stock.replenish(warehouse, style, quantity)
            if before > 0 or after <= 0:
                return
            wh = ref.warehouses[warehouse]
            work.publish(
                ev.StockReplenished(
                    style=style,
                    warehouse=warehouse,
                    region=wh.region,
                    available=after,
                    occurred_at=now,
                )
            )
            for region in sorted(wh.ships_to):
                await self.waitlist.tell(work, style, region, "back_in_stock")

    async def seed_stock(self) -> int:
        """Start-up: stock rows for the packaged initial stock (live counts are never reset)."""
        initial = {
            (w.code, style): qty
            for w in self.catalogue.ref.warehouses.values()
            for style, qty in w.initial_stock.items()
        }
        async with self.uow() as work:
            return await work.stock.seed(initial)
