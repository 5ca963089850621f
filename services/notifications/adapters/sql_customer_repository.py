"""Contacts, preferences and the claim facts the thank-you card needs (Core SQL)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

import sqlalchemy as sa

from shared.persistence.prepared_read import PreparedRead
from shared.persistence.session import Session

from ..domain.channels import Category, Channel
from ..domain.preferences import Contact, Preferences, QuietHours, email_key
from .sql import upsert
from .tables import contacts, preferences, thank_you_cards

# Read for every event that causes a message: on SQLite without SQLAlchemy's per-statement path
# (shared/persistence/prepared_read.py).
_CONTACT = PreparedRead(
    sa.select(contacts).where(contacts.c.customer_id == sa.bindparam("customer_id"))
)
_PREFERENCES = PreparedRead(
    sa.select(preferences).where(preferences.c.customer_id == sa.bindparam("customer_id"))
)
# Both in one statement (each statement is a round trip through the database driver's thread):
# the customer's key outer-joined to each, so a customer with neither still gets a row.
_KEY = sa.select(sa.bindparam("customer_id", type_=sa.String).label("customer_id")).subquery("k")
_PROFILE = PreparedRead(
    sa.select(
        *(c for c in contacts.c if c.name != "updated_at"),
        preferences.c.customer_id.label("preferences_id"),
        preferences.c.opt_ins,
        preferences.c.kind_overrides,
        preferences.c.quiet_start,
        preferences.c.quiet_end,
    )
    .select_from(_KEY)
    .outerjoin(contacts, contacts.c.customer_id == _KEY.c.customer_id)
    .outerjoin(preferences, preferences.c.customer_id == _KEY.c.customer_id)
)


class SqlContactRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    async def get(self, customer_id: str) -> Contact | None:
        row = await _CONTACT.first(self.session, {"customer_id": customer_id})
        return _contact(row) if row is not None else None

    async def with_preferences(self, customer_id: str) -> tuple[Contact | None, Preferences]:
        """The contact (None if unknown) and the preferences, read together."""
        row = await _PROFILE.one(self.session, {"customer_id": customer_id})
        contact = _contact(row) if row.customer_id is not None else None
        if row.preferences_id is None:
            return contact, Preferences(customer_id)
        return contact, _preferences(customer_id, row)

    async def updated_at(self, customer_id: str) -> datetime | None:
        query = sa.select(contacts.c.updated_at).where(contacts.c.customer_id == customer_id)
        return (await self.session.execute(query)).scalar()

    async def save(self, contact: Contact, now: datetime) -> None:
        values = {
            "customer_id": contact.customer_id,
            "name": contact.name,
            "email": contact.email,
            "email_key": email_key(contact.email) if contact.email else None,
            "phone": contact.phone,
            "push_tokens": list(contact.push_tokens),
            "locale": contact.locale,
            "time_zone": contact.time_zone,
            "updated_at": now,
        }
        await self.session.execute(upsert(self.session, contacts, "customer_id", values))

    async def find(self, by: str, value: str, limit: int) -> list[tuple[Contact, datetime]]:
        """Customers whose email (its case-folded key: ix_contacts_email_key) or phone (E.164:
        ix_contacts_phone) is `value`, the most recently updated first."""
        column = contacts.c.email_key if by == "email" else contacts.c.phone
        query = (
            sa.select(contacts)
            .where(column == value)
            .order_by(contacts.c.updated_at.desc(), contacts.c.customer_id)
            .limit(limit)
        )
        rows = (await self.session.execute(query)).all()
        return [(_contact(row), row.updated_at) for row in rows]


def _contact(row: Any) -> Contact:
    return Contact(
        customer_id=row.customer_id,
        name=row.name,
        email=row.email,
        phone=row.phone,
        push_tokens=tuple(row.push_tokens or ()),
        locale=row.locale,
        time_zone=row.time_zone,
    )


def _preferences(customer_id: str, row: Any) -> Preferences:
    quiet = None
    if row.quiet_start and row.quiet_end:
        quiet = QuietHours(time.fromisoformat(row.quiet_start), time.fromisoformat(row.quiet_end))
    return Preferences(
        customer_id,
        opt_ins={Category(k): frozenset(map(Channel, v)) for k, v in row.opt_ins.items()},
        kind_overrides={k: frozenset(map(Channel, v)) for k, v in row.kind_overrides.items()},
        quiet_hours=quiet,
    )


def _hhmm(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


class SqlPreferenceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    async def get(self, customer_id: str) -> Preferences:
        row = await _PREFERENCES.first(self.session, {"customer_id": customer_id})
        return _preferences(customer_id, row) if row is not None else Preferences(customer_id)

    async def save(self, prefs: Preferences, now: datetime) -> None:
        quiet = prefs.quiet_hours
        values = {
            "customer_id": prefs.customer_id,
            "opt_ins": {str(k): sorted(map(str, v)) for k, v in prefs.opt_ins.items()},
            "kind_overrides": {k: sorted(map(str, v)) for k, v in prefs.kind_overrides.items()},
            "quiet_start": _hhmm(quiet.start if quiet else None),
            "quiet_end": _hhmm(quiet.end if quiet else None),
            "updated_at": now,
        }
        await self.session.execute(upsert(self.session, preferences, "customer_id", values))


class SqlClaimFactsRepository:
    """What the thank-you note and card need about a claim, gathered from its events."""

    def __init__(self, session: Session) -> None:
        self.session = session

    async def lock(self, claim_id: str) -> None:
        """Serialise the claim's read-merge-write across replicas until the transaction ends.

        PostgreSQL: a transaction-scoped advisory lock (the facts row may not exist yet, so a
        row lock would not do). SQLite: writes are serialised already (one writer)."""
        if self.session.dialect.name == "postgresql":
            key = sa.func.hashtext("thank_you_cards:" + claim_id)
            await self.session.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))

    async def get(self, claim_id: str) -> dict[str, Any]:
        query = sa.select(thank_you_cards).where(thank_you_cards.c.claim_id == claim_id)
        row = (await self.session.execute(query)).first()
        return dict(row._mapping) if row is not None else {}

    async def save(self, facts: dict[str, Any]) -> None:
        await self.session.execute(upsert(self.session, thank_you_cards, "claim_id", facts))
