"""Repair parts in stock at each regional repair centre, and the parts a repair took."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from services.warranty.domain.reference import PartStock
from services.warranty.domain.resolution import PartUse
from shared.errors import Conflict, ErrorKind
from shared.persistence.session import Session

from .tables import parts_used, repair_parts_stock


class PartsUnavailable(Conflict):
    code = "repair_parts_unavailable"
    kind = ErrorKind.CONFLICT


class SqlPartsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    async def stock_for(self, style: str, colour: str) -> list[PartStock]:
        s = repair_parts_stock
        rows = await self.session.execute(
            sa.select(s).where(s.c.style == style, s.c.colour == colour)
        )
        by_part: dict[str, dict[str, int]] = {}
        for r in rows.mappings():
            by_part.setdefault(r["part"], {})[r["region"]] = r["quantity"]
        return [PartStock(part, style, colour, stock) for part, stock in sorted(by_part.items())]

    async def reserve(self, claim_id: str, uses: Iterable[PartUse], at: datetime) -> None:
        """Take the parts from stock for this claim; all or nothing (the caller's transaction)."""
        s = repair_parts_stock
        for use in uses:
            key = (s.c.part == use.part, s.c.style == use.style, s.c.colour == use.colour,
                   s.c.region == use.region)  # fmt: skip
            result = await self.session.execute(
                sa.update(s).where(*key, s.c.quantity >= use.quantity)
                .values(quantity=s.c.quantity - use.quantity)
            )  # fmt: skip
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise PartsUnavailable(
                    "A repair part is no longer in stock.",
                    details={"part": use.part, "style": use.style, "region": use.region},
                )
            await self.session.execute(
                sa.insert(parts_used).values(
                    claim_id=claim_id, part=use.part, style=use.style, colour=use.colour,
                    region=use.region, quantity=use.quantity, reserved_at=at,
                )
            )  # fmt: skip

    async def used_by(self, claim_id: str) -> list[PartUse]:
        rows = await self.session.execute(
            sa.select(parts_used).where(parts_used.c.claim_id == claim_id)
        )
        return [PartUse(r.part, r.style, r.colour, r.region, r.quantity) for r in rows]
