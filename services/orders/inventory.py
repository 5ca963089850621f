"""Use cases around stock and listings: waitlist, operator listing/stock changes, and
replacement units for the warranty service. Same unit-of-work rules as handlers.py."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from services.orders.adapters import tables as t
from services.orders.adapters.repository import WaitlistRepository
from services.orders.adapters.stock_store import StockStore
from services.orders.domain import catalogue as cat
from services.orders.domain import events as ev
from services.orders.domain.money import Money
from services.orders.domain.stock import Reservation
from services.orders.handlers import Caller, OrdersService, TxLike, reading, require_customer
from shared.errors import DomainError, ErrorKind


class UnknownWarehouse(DomainError):
    code = "stock_unknown_warehouse"
    kind = ErrorKind.NOT_FOUND


@dataclass
class InventoryService:
    orders: OrdersService

    # -- waitlist and listings ---------------------------------------------------------
    async def join_waitlist(self, caller: Caller, style: str, region: str) -> str:
        customer = require_customer(caller)
        try:
            async with self.orders.uow() as tx:
                ref = await self.orders.reference(tx.session)
                ref.style(style)
                ref.region(region)
                return await WaitlistRepository(tx.session).join(
                    customer, style, region, self.orders.clock.now()
                )
        except IntegrityError:
            # A concurrent duplicate joined first (one entry per customer, style and region):
            # joining is idempotent, so its entry is the answer.
            async with reading(self.orders.uow) as rx:
                return await WaitlistRepository(rx.session).join(
                    customer, style, region, self.orders.clock.now()
                )

    async def set_listing(self, style: str, region: str, price: Decimal | None) -> None:
        """Operator: list (or delist) a style in a region; tells the waitlist when listed."""
        now = self.orders.clock.now()
        async with self.orders.uow() as tx:
            ref = await self.orders.reference(tx.session)
            ref.style(style)
            currency = ref.region(region).currency
            o = t.listing_overrides
            await tx.session.execute(sa.delete(o).where(o.c.style == style, o.c.region == region))
            await tx.session.execute(
                sa.insert(o).values(
                    style=style,
                    region=region,
                    price=None if price is None else str(price),
                    updated_at=now,
                )
            )
            listed = None if price is None else Money(price, currency)
            tx.publish(self.orders.to_wire(ev.listing_changed(style, region, listed, now)))
            if listed is not None:
                await self._tell_waitlist(tx, style, region, "listed")

    async def replenish(self, warehouse: str, style: str, quantity: int) -> None:
        """Operator: units arrived; customers waiting for the style in that region are told."""
        now = self.orders.clock.now()
        self.orders.ref.style(style)
        if warehouse not in self.orders.ref.warehouses:
            raise UnknownWarehouse("unknown warehouse", details={"warehouse": warehouse})
        async with self.orders.uow() as tx:
            before, after = await StockStore(tx.session).replenish(warehouse, style, quantity)
            if before > 0 or after <= 0:
                return
            wh = self.orders.ref.warehouses[warehouse]
            tx.publish(
                self.orders.to_wire(ev.stock_replenished(style, warehouse, wh.region, after, now))
            )
            for region in sorted(wh.ships_to):
                await self._tell_waitlist(tx, style, region, "back_in_stock")

    async def _tell_waitlist(self, tx: TxLike, style: str, region: str, reason: str) -> None:
        """One event per waiting customer, for regions where the style can now be ordered."""
        ref = await self.orders.reference(tx.session)
        stock = await StockStore(tx.session).available()
        offer = cat.offer_for(ref, style, region, stock)
        if offer.kind is cat.OfferKind.UNAVAILABLE:
            return
        if reason == "back_in_stock" and offer.available <= 0:
            return
        now = self.orders.clock.now()
        waitlist = WaitlistRepository(tx.session)
        waiting = await waitlist.waiting(style, region)
        for entry_id, customer_id in waiting:
            event = ev.waitlist_available(
                entry_id, customer_id, style, offer.style.name, region, reason, offer.price, now
            )
            tx.publish(self.orders.to_wire(event))
        await waitlist.mark_notified([entry for entry, _ in waiting], now)

    # -- replacement stock for warranty ------------------------------------------------
    async def reserve_replacement(
        self, claim_id: str, style: str, region: str, quantity: int = 1
    ) -> Reservation:
        """Hold a replacement item for a warranty claim at the region's home warehouse."""
        self.orders.ref.style(style)
        warehouse = self.orders.ref.region(region).home_warehouse
        try:
            async with self.orders.uow() as tx:
                return await StockStore(tx.session).reserve(
                    owner_id=claim_id,
                    warehouse=warehouse,
                    style=style,
                    quantity=quantity,
                    now=self.orders.clock.now(),
                    purpose="warranty_replacement",
                )
        except IntegrityError:
            # A concurrent duplicate reserved for this claim first (one reservation per claim):
            # reserving is idempotent on the claim, so its reservation is the answer.
            async with reading(self.orders.uow) as rx:
                existing = await StockStore(rx.session).find(claim_id, "warranty_replacement")
            if existing is None:
                raise
            return existing

    async def replacement_stock(self, region: str, style: str) -> tuple[str, int]:
        """(home warehouse of the region, units available there now)."""
        self.orders.ref.style(style)
        warehouse = self.orders.ref.region(region).home_warehouse
        async with reading(self.orders.uow) as tx:
            on_hand, reserved = await StockStore(tx.session).level(warehouse, style)
        return warehouse, max(on_hand - reserved, 0)

    async def release_replacement(self, claim_id: str) -> bool:
        async with self.orders.uow() as tx:
            store = StockStore(tx.session)
            res = await store.find(claim_id, "warranty_replacement")
            if res is None:
                return False
            return await store.release(res.reservation_id, self.orders.clock.now())

    async def seed_stock(self) -> int:
        initial = {
            (w.code, style): qty
            for w in self.orders.ref.warehouses.values()
            for style, qty in w.initial_stock.items()
        }
        async with self.orders.uow() as tx:
            return await StockStore(tx.session).seed(initial)
