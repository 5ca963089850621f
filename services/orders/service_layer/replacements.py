"""Replacement units for the warranty service: held per claim at the region's home warehouse."""

from __future__ import annotations

from services.orders.domain.reference import ReferenceData
from services.orders.domain.stock import Reservation
from services.orders.service_layer.unit_of_work import DuplicateEntry, UnitOfWork
from shared.clock import Clock

PURPOSE = "warranty_replacement"


class Replacements:
    def __init__(self, uow: UnitOfWork, ref: ReferenceData, clock: Clock) -> None:
        self.uow = uow
        self.ref = ref
        self.clock = clock

    async def reserve(
        self, claim_id: str, style: str, region: str, quantity: int = 1
    ) -> Reservation:
        """Hold a replacement item for a warranty claim; one reservation per claim."""
        self.ref.style(style)
        warehouse = self.ref.region(region).home_warehouse
        try:
            async with self.uow() as work:
                return await work.stock.reserve(
                    owner_id=claim_id,
                    warehouse=warehouse,
                    style=style,
                    quantity=quantity,
                    now=self.clock.now(),
                    purpose=PURPOSE,
                )
        except DuplicateEntry:
            # A concurrent duplicate reserved for this claim first (one reservation per claim):
            # reserving is idempotent on the claim, so its reservation is the answer.
            async with self.uow.read() as rx:
                existing = await rx.stock.find(claim_id, PURPOSE)
            if existing is None:
                raise
            return existing

    async def available(self, region: str, style: str) -> tuple[str, int]:
        """(home warehouse of the region, units available there now)."""
        self.ref.style(style)
        warehouse = self.ref.region(region).home_warehouse
        async with self.uow.read() as rx:
            on_hand, reserved = await rx.stock.level(warehouse, style)
        return warehouse, max(on_hand - reserved, 0)

    async def release(self, claim_id: str) -> bool:
        """Give the claim's unit back; False when nothing was held (or already released)."""
        async with self.uow() as work:
            res = await work.stock.find(claim_id, PURPOSE)
            if res is None:
                return False
            return await work.stock.release(res.reservation_id, self.clock.now())
