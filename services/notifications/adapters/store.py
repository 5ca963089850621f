"""Repositories for contacts, preferences, deliveries, the inbox and claim facts (Core SQL)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.channels import Category, Channel
from ..domain.preferences import Contact, Preferences, QuietHours
from .tables import contacts, deliveries, inbox_items, preferences, thank_you_cards


def newest_first_page(query: Any, table: sa.Table, page: Any, limit: int) -> Any:
    """`query` ordered (created_at desc, id) from just after the page position `page` gave.

    Rows sharing the boundary instant are told apart by id, the sort's tie-break, so a page
    boundary inside a burst of same-instant rows neither skips nor repeats any.
    """
    created, ident = table.c.created_at, table.c.id
    if page.before is not None:
        same_instant = sa.and_(created == page.before, ident > page.before_id)
        query = query.where(
            sa.or_(created < page.before, same_instant) if page.before_id else created < page.before
        )
    return query.order_by(created.desc(), ident).limit(limit)


def insert_ignore(session: AsyncSession, table: sa.Table) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING for the session's dialect."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing()


def upsert(session: AsyncSession, table: sa.Table, key: str, values: dict[str, Any]) -> Any:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).values(**values)
    return stmt.on_conflict_do_update(
        index_elements=[key], set_={k: v for k, v in values.items() if k != key}
    )


# Contacts and preferences ---------------------------------------------------------------------


async def load_contact(session: AsyncSession, customer_id: str) -> Contact | None:
    row = (
        await session.execute(sa.select(contacts).where(contacts.c.customer_id == customer_id))
    ).first()
    if row is None:
        return None
    return Contact(
        customer_id=row.customer_id,
        name=row.name,
        email=row.email,
        phone=row.phone,
        push_tokens=tuple(row.push_tokens or ()),
        locale=row.locale,
        time_zone=row.time_zone,
    )


async def contact_updated_at(session: AsyncSession, customer_id: str) -> datetime | None:
    return (
        await session.execute(
            sa.select(contacts.c.updated_at).where(contacts.c.customer_id == customer_id)
        )
    ).scalar()


async def save_contact(session: AsyncSession, contact: Contact, now: datetime) -> None:
    values = {
        "customer_id": contact.customer_id,
        "name": contact.name,
        "email": contact.email,
        "phone": contact.phone,
        "push_tokens": list(contact.push_tokens),
        "locale": contact.locale,
        "time_zone": contact.time_zone,
        "updated_at": now,
    }
    await session.execute(upsert(session, contacts, "customer_id", values))


def _hhmm(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


async def load_preferences(session: AsyncSession, customer_id: str) -> Preferences:
    row = (
        await session.execute(
            sa.select(preferences).where(preferences.c.customer_id == customer_id)
        )
    ).first()
    if row is None:
        return Preferences(customer_id)
    quiet = None
    if row.quiet_start and row.quiet_end:
        quiet = QuietHours(time.fromisoformat(row.quiet_start), time.fromisoformat(row.quiet_end))
    return Preferences(
        customer_id,
        opt_ins={Category(k): frozenset(map(Channel, v)) for k, v in row.opt_ins.items()},
        kind_overrides={k: frozenset(map(Channel, v)) for k, v in row.kind_overrides.items()},
        quiet_hours=quiet,
    )


async def save_preferences(session: AsyncSession, prefs: Preferences, now: datetime) -> None:
    quiet = prefs.quiet_hours
    values = {
        "customer_id": prefs.customer_id,
        "opt_ins": {str(k): sorted(map(str, v)) for k, v in prefs.opt_ins.items()},
        "kind_overrides": {k: sorted(map(str, v)) for k, v in prefs.kind_overrides.items()},
        "quiet_start": _hhmm(quiet.start if quiet else None),
        "quiet_end": _hhmm(quiet.end if quiet else None),
        "updated_at": now,
    }
    await session.execute(upsert(session, preferences, "customer_id", values))


# Deliveries and inbox -------------------------------------------------------------------------


async def insert_delivery(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert a planned delivery; False when its key already exists (a redelivered event)."""
    result = await session.execute(insert_ignore(session, deliveries).values(**values))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def insert_inbox_item(session: AsyncSession, values: dict[str, Any]) -> bool:
    result = await session.execute(insert_ignore(session, inbox_items).values(**values))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def claim_facts(session: AsyncSession, claim_id: str) -> dict[str, Any]:
    row = (
        await session.execute(
            sa.select(thank_you_cards).where(thank_you_cards.c.claim_id == claim_id)
        )
    ).first()
    return dict(row._mapping) if row is not None else {}


async def save_claim_facts(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(upsert(session, thank_you_cards, "claim_id", values))
