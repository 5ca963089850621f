"""Keeps the sandbox providers' state in the orders database, so it survives a crash.

A real payment processor or carrier remembers what it did; the sandboxes must too, or a saga
resumed after a crash would try to capture an authorization nobody knows. Each write is its own
short transaction (the provider is "another system"), never inside the saga's unit of work.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url

from services.orders.adapters import tables as t
from shared.persistence.db import Database, is_sqlite
from shared.persistence.prepared import Prepared
from shared.persistence.prepared_read import PreparedRead
from shared.persistence.statements import insert_or_ignore

SANDBOX_TABLES = (t.sandbox_payments, t.sandbox_shipments, t.sandbox_refunds)


def _by(table: sa.Table, column: str) -> PreparedRead:
    return PreparedRead(sa.select(table).where(table.c[column] == sa.bindparam("value")))


# The lookups, built once: every tracking poll reads its shipment through them (four per order),
# on SQLite without SQLAlchemy's per-statement path (shared/persistence/prepared_read.py).
_LOOKUPS = {
    (table.name, column): _by(table, column)
    for table, columns in ((t.sandbox_payments, ("idempotency_key", "authorization_id")),
                           (t.sandbox_shipments, ("idempotency_key", "shipment_id")))
    for column in columns
}  # fmt: skip


# The upserts, built once per (dialect, table, columns written): the columns written, not all
# of the table's, so a column a row does not name is never overwritten.
_UPSERTS: dict[tuple[str, str, frozenset[str]], Prepared] = {}


def _upsert_statement(dialect: str, table: sa.Table, key: str, columns: frozenset[str]) -> Prepared:
    cached = _UPSERTS.get((dialect, table.name, columns))
    if cached is not None:
        return cached
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    changed = {c: stmt.excluded[c] for c in sorted(columns) if c != key}
    prepared = Prepared(stmt.on_conflict_do_update(index_elements=[table.c[key]], set_=changed))
    _UPSERTS[(dialect, table.name, columns)] = prepared
    return prepared


_p = t.sandbox_payments
# A payment's status moves only from the status it was seen in (compare and set). The journal's
# writes are Prepared (three per order: an authorization, a booking, a capture), on SQLite
# without SQLAlchemy's per-statement path (shared/persistence/prepared.py).
_MOVE_PAYMENT = Prepared(
    sa.update(_p)
    .where(_p.c.authorization_id == sa.bindparam("aid"), _p.c.status == sa.bindparam("was"))
    .values(status=sa.bindparam("to"))
)


def sandbox_url(service_url: str) -> str:
    """Where the sandboxes keep their state: beside the service's SQLite file (its own file, so
    its writes never queue behind the service's single SQLite writer), or the same PostgreSQL
    database (tables from the service's migration)."""
    if not is_sqlite(service_url):
        return service_url
    url = make_url(service_url)
    if not url.database or url.database == ":memory:":
        return service_url
    path = Path(url.database)
    return str(url.set(database=str(path.with_name(path.stem + "-sandbox" + path.suffix))))


async def ensure_sandbox_tables(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda c: t.metadata.create_all(c, tables=list(SANDBOX_TABLES)))


class DatabaseSandboxJournal:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save_payment(self, row: dict[str, Any]) -> None:
        await self._upsert(t.sandbox_payments, "idempotency_key", row)

    async def add_payment(self, row: dict[str, Any]) -> bool:
        """Store a new authorization; False if its key was taken first (nothing written)."""
        return await self._insert_first(t.sandbox_payments, row)

    async def move_payment(self, authorization_id: str, was: str, to: str) -> bool:
        """Set the status of an authorization that is `was`; False if it is not (or unknown)."""
        async with self.db.transaction() as session:
            moved = await _MOVE_PAYMENT.rowcount(
                session, {"aid": authorization_id, "was": was, "to": to}
            )
            return moved == 1

    async def load_payments(self) -> list[dict[str, Any]]:
        return await self._all(t.sandbox_payments)

    async def load_payment(
        self, *, key: str | None = None, authorization_id: str | None = None
    ) -> dict[str, Any] | None:
        if key is not None:
            return await self._one(t.sandbox_payments, "idempotency_key", key)
        return await self._one(t.sandbox_payments, "authorization_id", authorization_id)

    async def save_refund(self, row: dict[str, Any]) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(sa.insert(t.sandbox_refunds).values(**row))

    async def load_refunds(self, authorization_id: str) -> list[dict[str, Any]]:
        r = t.sandbox_refunds
        async with self.db.read() as conn:
            rows = await conn.execute(sa.select(r).where(r.c.authorization_id == authorization_id))
            return [dict(x._mapping) for x in rows]

    async def load_shipment(
        self, *, key: str | None = None, shipment_id: str | None = None
    ) -> dict[str, Any] | None:
        if key is not None:
            return await self._one(t.sandbox_shipments, "idempotency_key", key)
        return await self._one(t.sandbox_shipments, "shipment_id", shipment_id)

    async def save_shipment(self, row: dict[str, Any]) -> None:
        await self._upsert(t.sandbox_shipments, "shipment_id", row)

    async def add_shipment(self, row: dict[str, Any]) -> bool:
        """Store a new booking; False if its key was booked first (nothing written)."""
        return await self._insert_first(t.sandbox_shipments, row)

    async def load_shipments(self) -> list[dict[str, Any]]:
        return await self._all(t.sandbox_shipments)

    async def _upsert(self, table: sa.Table, key: str, row: dict[str, Any]) -> None:
        dialect = self.db.engine.dialect.name
        upsert = _upsert_statement(dialect, table, key, frozenset(row))
        async with self.db.transaction() as session:
            await upsert.rowcount(session, row)

    async def _insert_first(self, table: sa.Table, row: dict[str, Any]) -> bool:
        # Insert unless a row with the same key (or any other unique value) exists; the row
        # count says which.
        async with self.db.transaction() as session:
            return await insert_or_ignore(session, table, row)

    async def _one(self, table: sa.Table, column: str, value: Any) -> dict[str, Any] | None:
        query = _LOOKUPS[(table.name, column)]
        async with self.db.read() as session:
            row = await query.first(session, {"value": value})
            return None if row is None else dict(row._mapping)

    async def _all(self, table: sa.Table) -> list[dict[str, Any]]:
        async with self.db.read() as conn:
            rows = await conn.execute(sa.select(table))
            return [dict(r._mapping) for r in rows]
