"""Stock in the database: atomic, idempotent reservations on SQLite and PostgreSQL.

The reservation is one conditional UPDATE (`... WHERE on_hand - reserved >= :q`): on PostgreSQL
the row lock plus the re-checked predicate serialise concurrent orders for the last units; on
SQLite writers are serialised anyway. A CHECK constraint (reserved <= on_hand) backs it up.
The reservation row is keyed by (owner, purpose), so a retried step finds its first reservation
instead of taking more units.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import NoReturn

import sqlalchemy as sa

from services.orders.adapters import tables as t
from services.orders.domain.errors import InsufficientStock, InvalidQuantity, UnknownReservation
from services.orders.domain.stock import Reservation, ReservationStatus
from shared.errors import InvalidTransition
from shared.persistence.prepared import Prepared
from shared.persistence.prepared_read import PreparedRead
from shared.persistence.session import Session
from shared.persistence.statements import insert_or_ignore

# The saga's statements, built once (bind names differ from the columns': SQLAlchemy reserves
# those). Prepared: a reservation and its commit (four statements per order) skip SQLAlchemy's
# per-statement path on SQLite (shared/persistence/prepared.py); PostgreSQL runs them as Core.
_s, _r = t.stock, t.reservations
_TAKE = Prepared(
    sa.update(_s)
    .where(
        _s.c.warehouse == sa.bindparam("w"),
        _s.c.style == sa.bindparam("st"),
        _s.c.on_hand - _s.c.reserved >= sa.bindparam("q"),
    )
    .values(reserved=_s.c.reserved + sa.bindparam("q"))
)
_FIND = PreparedRead(
    sa.select(_r).where(_r.c.owner_id == sa.bindparam("o"), _r.c.purpose == sa.bindparam("p"))
)
_GET = PreparedRead(sa.select(_r).where(_r.c.reservation_id == sa.bindparam("rid")))
_SET_STATUS = Prepared(
    sa.update(_r)
    .where(_r.c.reservation_id == sa.bindparam("rid"), _r.c.status == sa.bindparam("was"))
    .values(status=sa.bindparam("to"), updated_at=sa.bindparam("at"))
)
# A held reservation leaves `held` in one statement, which hands back what it held.
_LEAVE_HELD = Prepared(
    sa.update(_r)
    .where(_r.c.reservation_id == sa.bindparam("rid"), _r.c.status == str(ReservationStatus.HELD))
    .values(status=sa.bindparam("to"), updated_at=sa.bindparam("at"))
    .returning(_r.c.warehouse, _r.c.style, _r.c.quantity)
)
_MOVE = Prepared(
    sa.update(_s)
    .where(_s.c.warehouse == sa.bindparam("w"), _s.c.style == sa.bindparam("st"))
    .values(reserved=_s.c.reserved + sa.bindparam("dr"), on_hand=_s.c.on_hand + sa.bindparam("dh"))
)


class SqlStockRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    async def seed(self, initial: Mapping[tuple[str, str], int]) -> int:
        """Insert stock rows that do not exist yet (never overwrites live counts)."""
        existing = {
            (r.warehouse, r.style)
            for r in (await self.session.execute(sa.select(t.stock.c.warehouse, t.stock.c.style)))
        }
        rows = [
            {"warehouse": w, "style": s, "on_hand": q, "reserved": 0}
            for (w, s), q in initial.items()
            if (w, s) not in existing
        ]
        if rows:
            await self.session.execute(sa.insert(t.stock), rows)
        return len(rows)

    async def available(self) -> dict[tuple[str, str], int]:
        rows = await self.session.execute(
            sa.select(t.stock.c.warehouse, t.stock.c.style, t.stock.c.on_hand, t.stock.c.reserved)
        )
        return {(r.warehouse, r.style): r.on_hand - r.reserved for r in rows}

    async def level(self, warehouse: str, style: str) -> tuple[int, int]:
        """(on_hand, reserved)."""
        row = (
            await self.session.execute(
                sa.select(t.stock.c.on_hand, t.stock.c.reserved).where(
                    t.stock.c.warehouse == warehouse, t.stock.c.style == style
                )
            )
        ).first()
        return (0, 0) if row is None else (row.on_hand, row.reserved)

    async def reserve(
        self,
        *,
        owner_id: str,
        warehouse: str,
        style: str,
        quantity: int,
        now: datetime,
        purpose: str = "order",
    ) -> Reservation:
        """Hold units for an owner; a repeat for the same (owner, purpose) finds the first."""
        if quantity < 1:
            raise InvalidQuantity("quantity must be at least 1", details={"quantity": quantity})
        # Take the units, then add the row unless (owner, purpose) has one: a repeat is rare,
        # so it pays the extra statements (giving the units back), not every first attempt.
        if not await self._took(warehouse, style, quantity):
            existing = await self.find(owner_id, purpose)  # a repeat after the last unit?
            if existing is not None:
                return existing
            await self._short(warehouse, style, quantity)
        reservation = Reservation(
            uuid.uuid4().hex, owner_id, warehouse, style, quantity, now, purpose=purpose
        )
        if await self._insert(reservation):
            return reservation
        await _MOVE.rowcount(self.session, {"w": warehouse, "st": style, "dr": -quantity, "dh": 0})
        existing = await self.find(owner_id, purpose)
        assert existing is not None  # the row that was in the way
        return existing

    async def _took(self, warehouse: str, style: str, quantity: int) -> bool:
        """The one conditional UPDATE that makes an oversell impossible."""
        return await _TAKE.rowcount(self.session, {"w": warehouse, "st": style, "q": quantity}) == 1

    async def _short(self, warehouse: str, style: str, quantity: int) -> NoReturn:
        on_hand, reserved = await self.level(warehouse, style)
        raise InsufficientStock(
            f"only {max(on_hand - reserved, 0)} of {style} available at {warehouse}",
            details={
                "warehouse": warehouse,
                "style": style,
                "requested": quantity,
                "available": max(on_hand - reserved, 0),
            },
        )

    async def _insert(self, res: Reservation) -> bool:
        """Add the reservation; False if (owner, purpose) has one already (nothing added)."""
        return await insert_or_ignore(
            self.session,
            _r,
            {
                "reservation_id": res.reservation_id,
                "owner_id": res.owner_id,
                "purpose": res.purpose,
                "warehouse": res.warehouse,
                "style": res.style,
                "quantity": res.quantity,
                "status": str(ReservationStatus.HELD),
                "created_at": res.created_at,
                "updated_at": res.created_at,
            },
        )

    async def find(self, owner_id: str, purpose: str = "order") -> Reservation | None:
        row = await _FIND.first(self.session, {"o": owner_id, "p": purpose})
        return None if row is None else _reservation(row)

    async def release(self, reservation_id: str, now: datetime) -> bool:
        """Give the units back; False (no-op) if already released."""
        res = await self._get(reservation_id)
        if res.status is ReservationStatus.RELEASED:
            return False
        if res.status is ReservationStatus.COMMITTED:
            raise InvalidTransition(
                "units already shipped cannot be released",
                details={"reservation_id": reservation_id},
            )
        await self._set_status(res, ReservationStatus.RELEASED, now, reserved_delta=-res.quantity)
        return True

    async def commit(self, reservation_id: str, now: datetime) -> bool:
        """The parcel left: the reserved units leave the stock for good."""
        params = {"rid": reservation_id, "to": str(ReservationStatus.COMMITTED), "at": now}
        held = await _LEAVE_HELD.first(self.session, params)
        if held is not None:  # the usual case: two statements, no read first
            q = -held.quantity
            await _MOVE.rowcount(
                self.session, {"w": held.warehouse, "st": held.style, "dr": q, "dh": q}
            )
            return True
        res = await self._get(reservation_id)  # not held: say why
        if res.status is ReservationStatus.COMMITTED:
            return False
        if res.status is ReservationStatus.RELEASED:
            raise InvalidTransition(
                "a released reservation cannot ship", details={"reservation_id": reservation_id}
            )
        await self._set_status(
            res,
            ReservationStatus.COMMITTED,
            now,
            reserved_delta=-res.quantity,
            on_hand_delta=-res.quantity,
        )
        return True

    async def replenish(self, warehouse: str, style: str, quantity: int) -> tuple[int, int]:
        """Add units; returns (available before, available after)."""
        on_hand, reserved = await self.level(warehouse, style)
        s = t.stock
        if on_hand == 0 and reserved == 0:
            await self.seed({(warehouse, style): 0})
        await self.session.execute(
            sa.update(s)
            .where(s.c.warehouse == warehouse, s.c.style == style)
            .values(on_hand=s.c.on_hand + quantity)
        )
        return on_hand - reserved, on_hand - reserved + quantity

    async def _get(self, reservation_id: str) -> Reservation:
        row = await _GET.first(self.session, {"rid": reservation_id})
        if row is None:
            raise UnknownReservation(
                "unknown reservation", details={"reservation_id": reservation_id}
            )
        return _reservation(row)

    async def _set_status(
        self,
        res: Reservation,
        status: ReservationStatus,
        now: datetime,
        *,
        reserved_delta: int,
        on_hand_delta: int = 0,
    ) -> None:
        # Guarded on the old status so two concurrent releases cannot both give units back.
        changed = await _SET_STATUS.rowcount(
            self.session,
            {"rid": res.reservation_id, "was": str(res.status), "to": str(status), "at": now},
        )
        if changed != 1:
            return
        await _MOVE.rowcount(
            self.session,
            {"w": res.warehouse, "st": res.style, "dr": reserved_delta, "dh": on_hand_delta},
        )


def _reservation(row: sa.Row) -> Reservation:
    from datetime import UTC

    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
    return Reservation(
        row.reservation_id,
        row.owner_id,
        row.warehouse,
        row.style,
        row.quantity,
        created,
        ReservationStatus(row.status),
        row.purpose,
    )
