"""Orders in the database, with optimistic concurrency (a version column checked on save)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from services.orders.adapters import tables as t
from services.orders.adapters.order_serialization import (
    order_from_parts,
    order_quote_to_dict,
    order_state_to_dict,
)
from services.orders.domain.errors import ConcurrentUpdate, OrderNotFound
from services.orders.domain.orders import Order
from services.orders.domain.reference import StyleDeclaration
from shared.persistence.prepared import Prepared
from shared.persistence.prepared_read import PreparedRead
from shared.persistence.session import Session

# The placement's insert, the saga steps' save (four per order) and their reads of the order
# (and the sweep's) are Prepared: on SQLite they skip SQLAlchemy's per-statement path
# (shared/persistence/prepared.py, prepared_read.py); PostgreSQL runs them as Core statements.
_INSERT = Prepared(sa.insert(t.orders))
# What a load reads: the columns `_from_row` uses. Not `updated_at`, `next_check_at`,
# `open_saga` and `quote_id` (derived from the state and the quote on a save): each result
# column is processed when its row is built, two of those datetimes parsed, for nothing.
_LOADED_COLUMNS = (
    "order_id customer_id agent_id payment_token status created_at version quote state"
)
_LOADED = sa.select(*(t.orders.c[name] for name in _LOADED_COLUMNS.split()))
_BY_ID = _LOADED.where(t.orders.c.order_id == sa.bindparam("order_id"))
_GET = PreparedRead(_BY_ID)
_GET_FOR_UPDATE = PreparedRead(_BY_ID.with_for_update())  # FOR UPDATE: PostgreSQL only
_BY_QUOTE = PreparedRead(_LOADED.where(t.orders.c.quote_id == sa.bindparam("q")))
_DUE = PreparedRead(_LOADED.where(t.orders.c.next_check_at <= sa.bindparam("now")))
# A saga step's save (the bind names differ from the columns': SQLAlchemy reserves those).
_SAVE = Prepared(
    sa.update(t.orders)
    .where(t.orders.c.order_id == sa.bindparam("oid"), t.orders.c.version == sa.bindparam("seen"))
    .values(
        status=sa.bindparam("p_status"),
        updated_at=sa.bindparam("p_updated_at"),
        state=sa.bindparam("p_state"),
        open_saga=sa.bindparam("p_open_saga"),
        next_check_at=sa.bindparam("p_next_check_at"),
        version=sa.bindparam("p_version"),
    )
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # before any next check
# The sweep's deferrals, one executemany per sweep (Prepared.many).
_DEFER = Prepared(
    sa.update(t.orders)
    .where(
        t.orders.c.order_id == sa.bindparam("oid"),
        t.orders.c.version == sa.bindparam("seen"),
        t.orders.c.open_saga.is_(True),
    )
    .values(next_check_at=sa.bindparam("until"))
)


class SqlOrderRepository:
    """Orders with optimistic concurrency: `save` fails if someone saved in between.

    `style_declarations` (style -> the catalogue's origin, description and name) completes cart
    orders stored before their lines kept theirs (cart_serialization.py)."""

    def __init__(
        self, session: Session, style_declarations: Mapping[str, StyleDeclaration] | None = None
    ) -> None:
        self.session = session
        self.style_declarations = style_declarations

    async def add(self, order: Order) -> None:
        order.version = 1
        await _INSERT.rowcount(self.session, {**self._row(order), "version": 1})

    async def get(self, order_id: str, *, for_update: bool = False) -> Order:
        query = _GET_FOR_UPDATE if for_update else _GET
        row = await query.first(self.session, {"order_id": order_id})
        if row is None:
            raise OrderNotFound("no such order", details={"order_id": order_id})
        return self._from_row(row)

    async def by_quote(self, quote_id: str) -> Order | None:
        row = await _BY_QUOTE.first(self.session, {"q": quote_id})
        if row is None:
            return None
        return self._from_row(row)

    async def save(self, order: Order) -> None:
        version = order.version
        changes = {"p_" + k: v for k, v in self._changes(order).items()}
        params = {"oid": order.order_id, "seen": version, "p_version": version + 1, **changes}
        if await _SAVE.rowcount(self.session, params) != 1:
            raise ConcurrentUpdate(
                "order changed concurrently", details={"order_id": order.order_id}
            )
        order.version = version + 1

    async def list_for_customer(
        self, customer_id: str | None, limit: int = 50, after: dict[str, str] | None = None
    ) -> tuple[list[Order], dict[str, str] | None]:
        """Most recent first, keyset-paginated on (created_at, order_id)."""
        o = t.orders
        query = _LOADED.order_by(o.c.created_at.desc(), o.c.order_id.desc()).limit(limit + 1)
        if customer_id is not None:
            query = query.where(o.c.customer_id == customer_id)
        if after:
            at = datetime.fromisoformat(after["created_at"])
            query = query.where(
                sa.or_(
                    o.c.created_at < at,
                    sa.and_(o.c.created_at == at, o.c.order_id < after["order_id"]),
                )
            )
        rows = (await self.session.execute(query)).all()
        orders = [self._from_row(r) for r in rows[:limit]]
        if len(rows) <= limit:
            return orders, None
        last = orders[-1]
        return orders, {"created_at": last.created_at.isoformat(), "order_id": last.order_id}

    async def open_sagas(self) -> list[tuple[str, str]]:
        """(order id, status) of every order the saga runner still has work on.

        An open saga always has a next check (insert, save and deferral keep `next_check_at`
        set exactly while it is open): a range on it lets the read use its index (SQLite's
        planner does not for `IS NOT NULL`)."""
        o = t.orders
        query = sa.select(o.c.order_id, o.c.status).where(
            o.c.next_check_at >= _EPOCH, o.c.open_saga.is_(True)
        )
        return [(r.order_id, r.status) for r in (await self.session.execute(query)).all()]

    async def due_sagas(self, now: datetime) -> list[tuple[str, str]]:
        """(order id, status) of the open sagas whose next check is due (an index range scan)."""
        o = t.orders
        query = sa.select(o.c.order_id, o.c.status).where(o.c.next_check_at <= now)
        return [(r.order_id, r.status) for r in (await self.session.execute(query)).all()]

    async def defer(self, order_id: str, until: datetime) -> None:
        """Look at this open saga again at `until`. A schedule, not order state: the version is
        not bumped, and a later save of the order makes it due again at once."""
        o = t.orders
        await self.session.execute(
            sa.update(o)
            .where(o.c.order_id == order_id, o.c.open_saga.is_(True))
            .values(next_check_at=until)
        )

    async def due_orders(self, now: datetime) -> list[Order]:
        """The open sagas whose next check is due, whole: the sweep reads them once."""
        return [self._from_row(r) for r in await _DUE.all(self.session, {"now": now})]

    async def defer_all(self, until: Sequence[tuple[str, int, datetime]]) -> None:
        """`defer` for many (order id, version looked at, until): one statement (executemany).
        An order saved since the version looked at is left due (it changed: look again)."""
        if until:
            rows = [{"oid": o, "seen": v, "until": u} for o, v, u in until]
            await _DEFER.many(self.session, rows)

    @staticmethod
    def _row(order: Order) -> dict[str, Any]:
        updated = order.timeline[-1].at if order.timeline else order.created_at
        return {
            "order_id": order.order_id,
            "customer_id": order.customer_id,
            "agent_id": order.agent_id,
            "quote_id": order.quote.quote_id,
            "status": str(order.status),
            "payment_token": order.payment_token,
            "created_at": order.created_at,
            "updated_at": updated,
            "quote": order_quote_to_dict(order),
            "state": order_state_to_dict(order),
            "open_saga": order.saga_open,
            "next_check_at": updated if order.saga_open else None,
        }

    @staticmethod
    def _changes(order: Order) -> dict[str, Any]:
        """What a saga step can change (the accepted quote never does)."""
        updated = order.timeline[-1].at if order.timeline else order.created_at
        return {
            "status": str(order.status),
            "updated_at": updated,
            "state": order_state_to_dict(order),
            "open_saga": order.saga_open,
            "next_check_at": updated if order.saga_open else None,  # changed: look again now
        }

    def _from_row(self, row: Any) -> Order:
        order = order_from_parts(
            order_id=row.order_id,
            customer_id=row.customer_id,
            agent_id=row.agent_id,
            payment_token=row.payment_token,
            status=row.status,
            created_at=_aware(row.created_at),
            quote=row.quote,
            state=row.state,
            style_declarations=self.style_declarations,
        )
        order.version = row.version
        return order


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
