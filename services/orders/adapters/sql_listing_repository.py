"""Operator listing changes on top of the packaged listings.json (price overrides, delistings)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from services.orders.adapters import tables as t
from shared.persistence.session import Session


class SqlListingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    async def overrides(self) -> dict[tuple[str, str], Decimal | None]:
        """(style, region) -> the operator's price there, or None where it was delisted."""
        rows = (await self.session.execute(sa.select(t.listing_overrides))).all()
        return {(r.style, r.region): None if r.price is None else Decimal(r.price) for r in rows}

    async def set(self, style: str, region: str, price: Decimal | None, now: datetime) -> None:
        """List the style in the region at `price` (None: delist), replacing any earlier change."""
        o = t.listing_overrides
        await self.session.execute(sa.delete(o).where(o.c.style == style, o.c.region == region))
        await self.session.execute(
            sa.insert(o).values(
                style=style,
                region=region,
                price=None if price is None else str(price),
                updated_at=now,
            )
        )
