"""Use case: turn a claim or order event into the messages it causes, each planned once.

Runs inside the consumer's inbox-guarded transaction: the planned messages, the in-app inbox
items and their events commit together with the event's inbox mark. Sending over external
channels happens later (message_delivery.py), outside any transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import structlog

from shared.clock import Clock
from shared.logging import current_correlation_id

from ..domain import events as ev
from ..domain.channels import PARTS_SHOWN, Channel, Part
from ..domain.context import locale_for_region, message_context
from ..domain.deliveries import DeliveryStatus, Message
from ..domain.errors import RenderError
from ..domain.inbox import InboxItem
from ..domain.incoming import IncomingEvent
from ..domain.messages import CATALOGUE, MessageKind, PlannedDelivery, kinds_for_event, plan
from ..domain.ports import RenderedMessage, Renderer
from ..domain.preferences import Contact
from .claim_facts import (
    THANK_YOU,
    hold_note,
    note_must_wait,
    remember_claim_facts,
    take_waiting_note,
)
from .unit_of_work import Work

log = structlog.get_logger()
KIND_RANK = {name: rank for rank, name in enumerate(CATALOGUE)}


class MessagePlanning:
    def __init__(self, *, base_url: str, render: Renderer, clock: Clock) -> None:
        self.base_url = base_url
        self.render = render
        self.clock = clock

    async def on_event(self, work: Work, event: IncomingEvent) -> int:
        """Plan every message an event causes; returns how many deliveries were new.

        A thank-you note whose facts are not in yet waits for them (claim_facts.py): the event
        that brings them plans it."""
        facts = await remember_claim_facts(work, event, self.clock.now())
        kinds = kinds_for_event(event.type)
        if note_must_wait(event, facts):
            await hold_note(work, facts, event)
            kinds = tuple(kind for kind in kinds if kind.name != THANK_YOU)
        created = await self._plan(work, event, kinds, facts)
        closing = await take_waiting_note(work, facts)
        if closing is not None:
            note = tuple(k for k in kinds_for_event(closing.type) if k.name == THANK_YOU)
            created += await self._plan(work, closing, note, facts)
        return created

    async def _plan(self, work: Work, event: IncomingEvent, kinds: tuple[MessageKind, ...],
                    facts: Mapping[str, Any]) -> int:  # fmt: skip
        customer_id = event.data.get("customer_id")
        if not kinds or not customer_id:
            return 0
        known, prefs = await work.contacts.with_preferences(customer_id)
        contact = known or Contact(customer_id, locale=locale_for_region(event.data.get("region")))
        now = self.clock.now()
        planned = plan(event.id, event.type, contact, prefs, now)
        rendered = self._render(kinds, contact, event, facts, _parts_shown(planned))
        created = 0
        for delivery in planned:
            message = rendered.get(delivery.key.kind)
            if message is not None and await _store(work, event, delivery, message, now):
                created += 1
        return created

    def _render(
        self,
        kinds: tuple[MessageKind, ...],
        contact: Contact,
        event: IncomingEvent,
        facts: Mapping[str, Any],
        parts: Mapping[str, frozenset[Part]],
    ) -> dict[str, RenderedMessage]:
        context = message_context(event.type, event.data, customer_name=contact.greeting_name,
                                  base_url=self.base_url, facts=facts, occurred_at=event.time)  # fmt: skip
        rendered: dict[str, RenderedMessage] = {}
        for kind in kinds:
            if kind.name not in parts:
                continue  # planned on no channel: nothing to render
            try:
                rendered[kind.name] = self.render(
                    kind.name, contact.locale, context, parts[kind.name]
                )
            except RenderError as exc:  # one broken template must not block the others
                log.error("message.render_failed", kind=kind.name, code=exc.code, error=exc.message)
        return rendered


def _parts_shown(planned: list[PlannedDelivery]) -> dict[str, frozenset[Part]]:
    """Per message kind, the parts its planned channels show (PARTS_SHOWN)."""
    parts: dict[str, frozenset[Part]] = {}
    for delivery in planned:
        key = delivery.key
        parts[key.kind] = parts.get(key.kind, frozenset()) | PARTS_SHOWN[key.channel]
    return parts


def fact_time(event: IncomingEvent, kind: str) -> datetime:
    """When the message's fact happened, to order messages (and the inbox) by.

    Messages go out (and the inbox reads) in the order the facts happened, whatever order the
    events were applied in. Facts stamped with the same time (one transaction of the producer)
    and the messages of one event follow the catalogue, which lists each lifecycle in order: a
    microsecond per catalogue position.
    """
    return event.happened + timedelta(microseconds=KIND_RANK[kind])


async def _store(work: Work, event: IncomingEvent, planned: PlannedDelivery,
                 rendered: RenderedMessage, now: datetime) -> bool:  # fmt: skip
    """Store one planned message; in-app ones are delivered on the spot (into the inbox)."""
    message = planned_message(event, planned, rendered, now)
    if not await work.messages.add(message):
        return False  # a redelivered event: planned already
    if message.status is DeliveryStatus.DELIVERED:
        await work.inbox.add(
            InboxItem(
                id=message.id,
                customer_id=message.customer_id,
                kind=message.kind,
                title=rendered.subject,
                body=rendered.text,
                claim_id=event.data.get("claim_id"),
                order_id=event.data.get("order_id"),
                created_at=fact_time(event, message.kind),
            )
        )
        work.publish(
            ev.MessageDelivered(
                message_id=message.id,
                customer_id=message.customer_id,
                source_event_id=event.id,
                source_event_type=event.type,
                kind=message.kind,
                channel="in_app",
                attempt=1,
            )
        )
    return True


def planned_message(
    event: IncomingEvent, planned: PlannedDelivery, rendered: RenderedMessage, now: datetime
) -> Message:
    key = planned.key
    in_app = key.channel is Channel.IN_APP
    return Message(
        id=key.digest,
        event_id=key.event_id,
        event_type=event.type,
        kind=key.kind,
        channel=str(key.channel),
        recipient=key.recipient,
        customer_id=event.data["customer_id"],
        address=planned.address,
        subject=rendered.subject,
        text_body=rendered.text,
        html_body=rendered.html,
        short_text=rendered.short_text,
        status=DeliveryStatus.DELIVERED if in_app else DeliveryStatus.PENDING,
        attempts=1 if in_app else 0,
        send_at=planned.send_at,
        event_time=fact_time(event, key.kind),
        next_attempt_at=None if in_app else planned.send_at,
        created_at=now,
        sent_at=now if in_app else None,
        correlation_id=current_correlation_id(),
    )
