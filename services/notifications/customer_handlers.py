"""Use cases of the customer's own side: contact details, preferences, inbox, message log, and
the thank-you card (which the repair centre downloads too)."""

from __future__ import annotations

import base64
from datetime import time

import sqlalchemy as sa

from shared.actor import Actor
from shared.contracts import notifications as c
from shared.errors import NotFound
from shared.messaging.outbox import UnitOfWork

from . import views
from .adapters import store
from .adapters.tables import deliveries, inbox_items
from .common import Clock, Forbidden, customer_of, utcnow
from .domain.channels import Category, Channel
from .domain.preferences import Contact, Preferences, QuietHours


class CustomerCare:
    def __init__(self, uow: UnitOfWork, *, clock: Clock = utcnow) -> None:
        self.uow = uow
        self.clock = clock

    # Contact and preferences ----------------------------------------------------------------

    async def put_contact(self, request: c.PutContactRequest, actor: Actor | None) -> c.ContactView:
        customer_id = customer_of(actor, request.customer_id)
        contact = Contact(
            customer_id=customer_id,
            name=request.name,
            email=request.email,
            phone=request.phone,
            push_tokens=tuple(request.push_tokens),
            locale=request.locale,
            time_zone=request.time_zone,
        )
        now = self.clock()
        async with self.uow() as tx:
            await store.save_contact(tx.session, contact, now)
        return views.contact_view(contact, now)

    async def get_contact(self, request: c.CustomerRef, actor: Actor | None) -> c.ContactView:
        customer_id = customer_of(actor, request.customer_id)
        async with self.uow.db.read() as session:
            contact = await store.load_contact(session, customer_id)
            updated = await store.contact_updated_at(session, customer_id)
        if contact is None:
            raise NotFound("no contact details yet", code="notifications_contact_not_found")
        return views.contact_view(contact, updated)

    async def get_preferences(
        self, request: c.CustomerRef, actor: Actor | None
    ) -> c.PreferencesView:
        customer_id = customer_of(actor, request.customer_id)
        async with self.uow.db.read() as session:
            prefs = await store.load_preferences(session, customer_id)
        return views.preferences_view(prefs)

    async def put_preferences(
        self, request: c.PutPreferencesRequest, actor: Actor | None
    ) -> c.PreferencesView:
        customer_id = customer_of(actor, request.customer_id)
        quiet = None
        if request.quiet_hours is not None:
            quiet = QuietHours(
                time.fromisoformat(request.quiet_hours.start),
                time.fromisoformat(request.quiet_hours.end),
            )
        prefs = Preferences(
            customer_id,
            opt_ins={
                Category.TRANSACTIONAL: frozenset(map(Channel, request.transactional)),
                Category.MARKETING: frozenset(map(Channel, request.marketing)),
            },
            kind_overrides={
                k: frozenset(map(Channel, v)) for k, v in request.kind_overrides.items()
            },
            quiet_hours=quiet,
        )
        async with self.uow() as tx:
            await store.save_preferences(tx.session, prefs, self.clock())
        return views.preferences_view(prefs)

    # Inbox, message log, thank-you card -----------------------------------------------------

    async def list_inbox(self, request: c.ListInboxRequest, actor: Actor | None) -> c.InboxPage:
        customer_id = customer_of(actor, request.customer_id)
        t = inbox_items
        query = sa.select(t).where(t.c.customer_id == customer_id)
        if request.unread_only:
            query = query.where(t.c.read_at.is_(None))
        query = store.newest_first_page(query, t, request, request.limit)
        unread_q = sa.select(sa.func.count()).where(
            t.c.customer_id == customer_id, t.c.read_at.is_(None)
        )
        async with self.uow.db.read() as session:
            rows = (await session.execute(query)).all()
            unread = int((await session.execute(unread_q)).scalar() or 0)
        return c.InboxPage(items=[views.inbox_item(r) for r in rows], unread=unread)

    async def mark_read(self, request: c.MarkReadRequest, actor: Actor | None) -> c.InboxItem:
        customer_id = customer_of(actor, request.customer_id)
        t = inbox_items
        mine = sa.and_(t.c.id == request.item_id, t.c.customer_id == customer_id)
        async with self.uow() as tx:
            await tx.session.execute(
                sa.update(t).where(mine, t.c.read_at.is_(None)).values(read_at=self.clock())
            )
            row = (await tx.session.execute(sa.select(t).where(mine))).first()
        if row is None:
            raise NotFound("no such notification", code="notifications_item_not_found")
        return views.inbox_item(row)

    async def list_messages(
        self, request: c.ListMessagesRequest, actor: Actor | None
    ) -> c.MessageLog:
        customer_id = customer_of(actor, request.customer_id)
        t = deliveries
        query = store.newest_first_page(
            sa.select(t).where(t.c.customer_id == customer_id), t, request, request.limit
        )
        async with self.uow.db.read() as session:
            rows = (await session.execute(query)).all()
        return c.MessageLog(messages=[views.log_entry(r) for r in rows])

    async def thank_you_card(
        self, request: c.ThankYouCardRequest, actor: Actor | None
    ) -> c.ThankYouCardReply:
        if actor is None:
            raise Forbidden("sign in to download the card")
        async with self.uow.db.read() as session:
            facts = await store.claim_facts(session, request.claim_id)
            contact = (
                await store.load_contact(session, facts.get("customer_id", "")) if facts else None
            )
        # Customers see only their own claim's card; the repair centre (agent/partner) any.
        if not facts or (actor.type == "customer" and facts["customer_id"] != actor.id):
            raise NotFound("no thank-you card for this claim", code="notifications_card_not_found")
        # Imported on first use: fpdf2 costs start-up time every process would pay.
        from .adapters.thank_you_card import ThankYouCard, render_thank_you_card

        card = ThankYouCard(
            customer_name=contact.name if contact else "",
            item_name=facts["item_name"],
            resolution="replacement" if facts["resolution"] == "replacement" else "repair",
            claim_id=request.claim_id,
            parts=views.part_labels(facts.get("parts")),
            replacement_name=facts.get("replacement_name"),
            repair_summary=facts.get("repair_summary"),
        )
        pdf = render_thank_you_card(card)
        return c.ThankYouCardReply(
            claim_id=request.claim_id,
            filename=f"thank-you-{request.claim_id}.pdf",
            pdf_base64=base64.b64encode(pdf).decode(),
        )
