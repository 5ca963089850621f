"""Use cases: the customer's contact details and message preferences."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from shared.actor import Actor
from shared.clock import Clock
from shared.errors import NotFound

from ..domain.channels import Category, Channel
from ..domain.preferences import Contact, Preferences, QuietHours, lookup_key
from .access import customer_of, require_agent
from .unit_of_work import UnitOfWork

MOST_MATCHES = 20  # a search, not a listing: more than a handful means the query was too wide


class ContactsAndPreferences:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def put_contact(
        self,
        actor: Actor | None,
        customer_id: str | None,
        *,
        name: str,
        email: str | None,
        phone: str | None,
        push_tokens: Sequence[str],
        locale: str,
        time_zone: str | None,
    ) -> tuple[Contact, datetime]:
        customer = customer_of(actor, customer_id)  # before validating: strangers learn nothing
        contact = Contact(customer, name, email, phone, tuple(push_tokens), locale, time_zone)
        now = self.clock.now()
        async with self.uow() as work:
            await work.contacts.save(contact, now)
        return contact, now

    async def get_contact(
        self, actor: Actor | None, customer_id: str | None
    ) -> tuple[Contact, datetime | None]:
        customer = customer_of(actor, customer_id)
        async with self.uow.read() as work:
            contact = await work.contacts.get(customer)
            updated = await work.contacts.updated_at(customer)
        if contact is None:
            raise NotFound("no contact details yet", code="notifications_contact_not_found")
        return contact, updated

    async def find_customers(
        self, actor: Actor | None, *, email: str | None, phone: str | None
    ) -> list[tuple[Contact, datetime]]:
        """Agents only: the customers whose email address or phone number this is (a caller
        gives those, not her customer id), at most MOST_MATCHES, the most recently updated
        first. Several ids may share one address (a family's), so it is a list."""
        require_agent(actor, "look customers up")
        by, value = lookup_key(email, phone)
        async with self.uow.read() as work:
            return await work.contacts.find(by, value, MOST_MATCHES)

    async def get_preferences(self, actor: Actor | None, customer_id: str | None) -> Preferences:
        customer = customer_of(actor, customer_id)
        async with self.uow.read() as work:
            return await work.preferences.get(customer)

    async def put_preferences(
        self,
        actor: Actor | None,
        customer_id: str | None,
        *,
        opt_ins: Mapping[Category, frozenset[Channel]],
        kind_overrides: Mapping[str, frozenset[Channel]],
        quiet_hours: QuietHours | None,
    ) -> Preferences:
        prefs = Preferences(
            customer_of(actor, customer_id),
            opt_ins=dict(opt_ins),
            kind_overrides=dict(kind_overrides),
            quiet_hours=quiet_hours,
        )
        async with self.uow() as work:
            await work.preferences.save(prefs, self.clock.now())
        return prefs
