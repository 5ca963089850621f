"""Use cases: turn claim/order events into messages, and the customer's own settings and inbox.

Each use case runs in one unit of work (`uow()`): state and outgoing events commit together.
Delivery over external channels happens later, in `delivery.py`, outside any transaction.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
import structlog

from shared.contracts import notifications as c
from shared.contracts.envelope import RawEvent, make_event
from shared.errors import DomainError, ErrorKind, NotFound
from shared.logging import current_correlation_id
from shared.messaging.outbox import Tx, UnitOfWork
from shared.rpc import Actor

from . import views
from .adapters import store
from .adapters.rendering import RenderedMessage, RenderError, render
from .adapters.tables import deliveries, inbox_items
from .adapters.thank_you_card import ThankYouCard, render_thank_you_card
from .domain.channels import Category, Channel
from .domain.context import locale_for_region, message_context
from .domain.messages import kinds_for_event, plan
from .domain.preferences import Contact, Preferences, QuietHours

log = structlog.get_logger()
Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Forbidden(DomainError):
    code = "notifications_forbidden"
    kind = ErrorKind.FORBIDDEN


def customer_of(actor: Actor | None, requested: str | None) -> str:
    """Whose data this call may touch: customers only their own, agents anyone they name."""
    if actor is None or actor.type == "partner":
        raise Forbidden("only customers and agents manage customer notifications")
    if actor.type == "customer":
        if requested not in (None, actor.id):
            raise NotFound("no such customer")
        return actor.id
    customer = requested or actor.on_behalf_of
    if not customer:
        raise DomainError(
            "customer_id is required for agents", code="notifications_customer_required"
        )
    return customer


def message_event(type_: str, model: Any, subject: str) -> Any:
    return make_event(
        type=type_,
        source=c.SOURCE,
        subject=subject,
        data=model,
        correlation_id=current_correlation_id(),
    )


class Notifications:
    def __init__(self, uow: UnitOfWork, *, base_url: str, clock: Clock = utcnow) -> None:
        self.uow = uow
        self.base_url = base_url
        self.clock = clock

    # Events -> messages (runs inside the consumer's inbox-guarded transaction) ----------------

    async def on_event(self, tx: Tx, event: RawEvent) -> int:
        """Plan every message an event causes; returns how many deliveries were new."""
        data = event.data
        await self._remember_claim_facts(tx, event)
        customer_id = data.get("customer_id")
        kinds = kinds_for_event(event.type)
        if not kinds or not customer_id:
            return 0
        session = tx.session
        contact = await store.load_contact(session, customer_id) or Contact(
            customer_id, locale=locale_for_region(data.get("region"))
        )
        prefs = await store.load_preferences(session, customer_id)
        facts = await store.claim_facts(session, data["claim_id"]) if "claim_id" in data else {}
        context = message_context(
            event.type,
            data,
            customer_name=contact.greeting_name,
            base_url=self.base_url,
            facts=facts,
            occurred_at=event.time,
        )
        rendered: dict[str, RenderedMessage] = {}
        for kind in kinds:
            try:
                rendered[kind.name] = render(kind.name, contact.locale, context)
            except RenderError as exc:  # one broken template must not block the others
                log.error("message.render_failed", kind=kind.name, code=exc.code, error=exc.message)
        now = self.clock()
        created = 0
        order = {kind.name: i for i, kind in enumerate(kinds)}
        for planned in plan(event.id, event.type, contact, prefs, now):
            message = rendered.get(planned.key.kind)
            if message is None:
                continue
            # Two messages from one event go out in catalogue order (shipped back, then thanks).
            planned = replace(
                planned, send_at=planned.send_at + timedelta(microseconds=order[planned.key.kind])
            )
            if await self._store(tx, event, planned, message, now, data):
                created += 1
        return created

    async def _store(self, tx: Tx, event: RawEvent, planned: Any, msg: RenderedMessage,
                     now: datetime, data: dict[str, Any]) -> bool:  # fmt: skip
        key = planned.key
        in_app = key.channel is Channel.IN_APP
        values = {
            "id": key.digest,
            "event_id": key.event_id,
            "event_type": event.type,
            "kind": key.kind,
            "channel": str(key.channel),
            "recipient": key.recipient,
            "customer_id": data["customer_id"],
            "address": planned.address,
            "subject": msg.subject,
            "text_body": msg.text,
            "html_body": msg.html,
            "short_text": msg.short_text,
            "status": "delivered" if in_app else "pending",
            "attempts": 1 if in_app else 0,
            "send_at": planned.send_at,
            "next_attempt_at": None if in_app else planned.send_at,
            "created_at": now,
            "sent_at": now if in_app else None,
        }
        if not await store.insert_delivery(tx.session, values):
            return False
        if in_app:
            await store.insert_inbox_item(
                tx.session,
                {
                    "id": key.digest,
                    "customer_id": data["customer_id"],
                    "kind": key.kind,
                    "title": msg.subject,
                    "body": msg.text,
                    "claim_id": data.get("claim_id"),
                    "order_id": data.get("order_id"),
                    "created_at": now,
                },
            )
            tx.publish(
                message_event(
                    c.MESSAGE_DELIVERED,
                    c.MessageDelivered(
                        message_id=key.digest,
                        customer_id=data["customer_id"],
                        source_event_id=event.id,
                        source_event_type=event.type,
                        kind=key.kind,
                        channel="in_app",
                        attempt=1,
                    ),
                    data["customer_id"],
                )
            )
        return True

    async def _remember_claim_facts(self, tx: Tx, event: RawEvent) -> None:
        """What the thank-you note and card need later: the item and what was done to it."""
        data = event.data
        if not event.type.startswith("warranty.claim.") or "claim_id" not in data:
            return
        known = await store.claim_facts(tx.session, data["claim_id"])
        if not known and event.type not in (
            "warranty.claim.repair_started",
            "warranty.claim.replacement_started",
            "warranty.claim.shipped_back",
        ):
            return
        parts = data.get("parts")
        resolution = known.get("resolution", "repair")
        if event.type.endswith("replacement_started"):
            resolution = "replacement"
        elif event.type.endswith("repair_started"):
            resolution = "repair"
        elif data.get("resolution"):
            resolution = "repair" if data["resolution"] == "repair" else "replacement"
        await store.save_claim_facts(
            tx.session,
            {
                "claim_id": data["claim_id"],
                "customer_id": data.get("customer_id") or known.get("customer_id", ""),
                "item_name": data.get("product_name") or known.get("item_name") or "item",
                "resolution": resolution,
                "parts": parts if parts is not None else known.get("parts", []),
                "replacement_name": data.get("replacement_name")
                or data.get("replacement_style")
                or known.get("replacement_name"),
                "repair_summary": known.get("repair_summary")
                or (", ".join(data["components"]) if data.get("components") else None),
                "created_at": known.get("created_at") or self.clock(),
            },
        )

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
        if request.before is not None:
            query = query.where(t.c.created_at < request.before)
        query = query.order_by(t.c.created_at.desc(), t.c.id).limit(request.limit)
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
        query = (
            sa.select(t)
            .where(t.c.customer_id == customer_id)
            .order_by(t.c.created_at.desc(), t.c.id)
            .limit(request.limit)
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
