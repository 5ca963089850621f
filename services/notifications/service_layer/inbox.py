"""Use cases: the customer's inbox, their message log, and the thank-you card download."""

from __future__ import annotations

from shared.actor import Actor
from shared.clock import Clock
from shared.errors import Forbidden, NotFound

from ..domain.deliveries import Message
from ..domain.inbox import InboxItem
from ..domain.paging import Page
from ..domain.ports import CardPrinter
from ..domain.thank_you_card import ThankYouCard, part_labels
from .access import FORBIDDEN, customer_of
from .unit_of_work import UnitOfWork


class Inbox:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def list_inbox(
        self, actor: Actor | None, customer_id: str | None, page: Page, *, unread_only: bool
    ) -> tuple[list[InboxItem], int]:
        """A page of the inbox, newest first, and how many items are unread in all."""
        customer = customer_of(actor, customer_id)
        async with self.uow.read() as work:
            items = await work.inbox.page(customer, page, unread_only=unread_only)
            return items, await work.inbox.unread(customer)

    async def mark_read(
        self, actor: Actor | None, customer_id: str | None, item_id: str
    ) -> InboxItem:
        customer = customer_of(actor, customer_id)
        async with self.uow() as work:
            item = await work.inbox.mark_read(customer, item_id, self.clock.now())
        if item is None:
            raise NotFound("no such notification", code="notifications_item_not_found")
        return item

    async def list_messages(
        self, actor: Actor | None, customer_id: str | None, page: Page
    ) -> list[Message]:
        customer = customer_of(actor, customer_id)
        async with self.uow.read() as work:
            return await work.messages.for_customer(customer, page)


class ThankYouCards:
    """The card the repair centre packs with the item; the customer may download it too."""

    def __init__(self, uow: UnitOfWork, print_card: CardPrinter) -> None:
        self.uow = uow
        self.print_card = print_card

    async def thank_you_card(self, actor: Actor | None, claim_id: str) -> bytes:
        if actor is None:
            raise Forbidden("sign in to download the card", code=FORBIDDEN)
        async with self.uow.read() as work:
            facts = await work.claim_facts.get(claim_id)
            customer = facts.get("customer_id", "") if facts else ""
            contact = await work.contacts.get(customer) if facts else None
        # Customers see only their own claim's card; the repair centre (agent/partner) any.
        if not facts or (actor.type == "customer" and facts["customer_id"] != actor.id):
            raise NotFound("no thank-you card for this claim", code="notifications_card_not_found")
        card = ThankYouCard(
            customer_name=contact.name if contact else "",
            item_name=facts["item_name"],
            resolution="replacement" if facts["resolution"] == "replacement" else "repair",
            claim_id=claim_id,
            parts=part_labels(facts.get("parts")),
            replacement_name=facts.get("replacement_name"),
            repair_summary=facts.get("repair_summary"),
        )
        return self.print_card(card)
