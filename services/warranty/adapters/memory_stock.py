"""An in-memory replacement stock for unit tests and local experiments."""

from __future__ import annotations

from collections.abc import Mapping

from shared.errors import Conflict


class InMemoryReplacementStock:
    def __init__(self, stock: Mapping[tuple[str, str], int] | None = None) -> None:
        self.stock = dict(stock or {})
        self.reservations: dict[str, tuple[str, str]] = {}

    async def available(self, region: str, style: str) -> int:
        return self.stock.get((region, style), 0)

    async def reserve(self, claim_id: str, region: str, style: str) -> str:
        if claim_id not in self.reservations:
            if self.stock.get((region, style), 0) < 1:
                raise Conflict("out of stock", code="replacement_out_of_stock")
            self.stock[(region, style)] -= 1
            self.reservations[claim_id] = (region, style)
        return f"res-{claim_id}"

    async def release(self, claim_id: str) -> None:
        held = self.reservations.pop(claim_id, None)
        if held is not None:
            self.stock[held] = self.stock.get(held, 0) + 1
