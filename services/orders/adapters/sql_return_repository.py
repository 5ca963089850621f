"""Returns in the database, with optimistic concurrency (a version column checked on save)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from services.orders.adapters import tables as t
from services.orders.adapters.return_serialization import return_from_row, return_to_dict
from services.orders.domain.errors import ConcurrentUpdate
from services.orders.domain.order_returns import Return, ReturnNotFound
from shared.persistence.session import Session

R = t.returns


class SqlReturnRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    async def add(self, ret: Return) -> None:
        ret.version = 1
        await self.session.execute(sa.insert(R).values(**self._row(ret), version=1))

    async def get(self, return_id: str) -> Return:
        row = (await self.session.execute(sa.select(R).where(R.c.return_id == return_id))).first()
        if row is None:
            raise ReturnNotFound("no such return", details={"return_id": return_id})
        return return_from_row(row)

    async def find(self, return_id: str) -> Return | None:
        row = (await self.session.execute(sa.select(R).where(R.c.return_id == return_id))).first()
        return None if row is None else return_from_row(row)

    async def for_order(
        self, order_id: str, limit: int = 200, after: dict[str, str] | None = None
    ) -> tuple[list[Return], dict[str, str] | None]:
        """Oldest first, keyset-paginated on (created_at, return_id)."""
        query = (
            sa.select(R)
            .where(R.c.order_id == order_id)
            .order_by(R.c.created_at, R.c.return_id)
            .limit(limit + 1)
        )
        if after:
            at = datetime.fromisoformat(after["created_at"])
            query = query.where(
                sa.or_(
                    R.c.created_at > at,
                    sa.and_(R.c.created_at == at, R.c.return_id > after["return_id"]),
                )
            )
        rows = (await self.session.execute(query)).all()
        found = [return_from_row(row) for row in rows[:limit]]
        if len(rows) <= limit:
            return found, None
        last = found[-1]
        return found, {"created_at": last.created_at.isoformat(), "return_id": last.return_id}

    async def for_orders(self, order_ids: Sequence[str]) -> list[Return]:
        query = sa.select(R).where(R.c.order_id.in_(list(order_ids)))
        return [return_from_row(row) for row in (await self.session.execute(query)).all()]

    async def save(self, ret: Return) -> None:
        version = ret.version
        result = await self.session.execute(
            sa.update(R)
            .where(R.c.return_id == ret.return_id, R.c.version == version)
            .values(**self._changes(ret), version=version + 1)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentUpdate(
                "return changed concurrently", details={"return_id": ret.return_id}
            )
        ret.version = version + 1

    async def due(self, now: datetime, limit: int = 100) -> list[str]:
        """Ids of open returns due for a look at `now`."""
        query = (
            sa.select(R.c.return_id)
            .where(R.c.next_check_at.is_not(None), R.c.next_check_at <= now)
            .order_by(R.c.next_check_at)
            .limit(limit)
        )
        return list((await self.session.execute(query)).scalars())

    async def defer(self, return_id: str, until: datetime) -> None:
        await self.session.execute(
            sa.update(R)
            .where(R.c.return_id == return_id, R.c.next_check_at.is_not(None))
            .values(next_check_at=until)
        )

    def _row(self, ret: Return) -> dict[str, Any]:
        return {
            "return_id": ret.return_id,
            "return_number": ret.return_number,
            "order_id": ret.order_id,
            "customer_id": ret.customer_id,
            "created_at": ret.created_at,
            **self._changes(ret),
        }

    @staticmethod
    def _changes(ret: Return) -> dict[str, Any]:
        last = ret.timeline[-1][1] if ret.timeline else ret.created_at
        return {
            "status": str(ret.status),
            "updated_at": last,
            # A save makes an open return due at once; a closed one is never looked at again.
            "next_check_at": last if ret.is_open else None,
            "document": return_to_dict(ret),
        }
