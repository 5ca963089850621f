"""Use cases: turn claim/order events into messages (customer-side use cases: customer_handlers).

Each use case runs in one unit of work (`uow()`): state and outgoing events commit together.
Delivery over external channels happens later, in `delivery.py`, outside any transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from shared.contracts import notifications as c
from shared.contracts.envelope import RawEvent
from shared.logging import current_correlation_id
from shared.messaging.outbox import Tx, UnitOfWork

from .adapters import store
from .adapters.rendering import RenderedMessage, RenderError, render
from .common import Clock, Forbidden, customer_of, message_event, utcnow
from .customer_handlers import CustomerCare
from .domain.channels import Channel
from .domain.context import locale_for_region, message_context
from .domain.messages import CATALOGUE, kinds_for_event, plan
from .domain.preferences import Contact

log = structlog.get_logger()
KIND_RANK = {name: rank for rank, name in enumerate(CATALOGUE)}

__all__ = ["Clock", "Forbidden", "Notifications", "customer_of", "message_event", "utcnow"]


class Notifications(CustomerCare):
    """Events in, messages planned; plus the customer-side use cases it inherits."""

    def __init__(self, uow: UnitOfWork, *, base_url: str, clock: Clock = utcnow) -> None:
        super().__init__(uow, clock=clock)
        self.base_url = base_url

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
        for planned in plan(event.id, event.type, contact, prefs, now):
            message = rendered.get(planned.key.kind)
            if message is None:
                continue
            # Messages go out (and the inbox reads) in the order the facts happened, whatever
            # order the events were applied in. Facts stamped with the same time (one
            # transaction of the producer) and the messages of one event follow the catalogue,
            # which lists each lifecycle in order: a microsecond per catalogue position.
            happened = event.time if event.time.tzinfo else event.time.replace(tzinfo=UTC)
            fact_time = happened + timedelta(microseconds=KIND_RANK[planned.key.kind])
            if await self._store(tx, event, planned, message, now, data, fact_time):
                created += 1
        return created

    async def _store(self, tx: Tx, event: RawEvent, planned: Any, msg: RenderedMessage,
                     now: datetime, data: dict[str, Any], fact_time: datetime) -> bool:  # fmt: skip
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
            "event_time": fact_time,
            "next_attempt_at": None if in_app else planned.send_at,
            "created_at": now,
            "sent_at": now if in_app else None,
            "correlation_id": current_correlation_id(),
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
                    "created_at": fact_time,  # the inbox reads in the order things happened
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
