"""Agents' side of uncertain hand-overs: list the held messages and settle each one.

A message is held (status `uncertain`) when its hand-over to the provider broke off before the
provider answered and the provider cannot be asked (see `delivery.py`). Sending it again could
give the customer a second copy; not sending could leave them without it. An agent checks the
provider's own records (the SMTP relay's log, the SMS dashboard) and settles it:

- `sent`: it did go out; recorded as sent, with `notifications.message.sent`;
- `resend`: it did not; back to `pending`, the delivery worker sends it on its next pass.
"""

from __future__ import annotations

import sqlalchemy as sa
import structlog

from shared.actor import Actor
from shared.contracts import notifications as c
from shared.errors import Conflict, NotFound
from shared.messaging.outbox import UnitOfWork

from . import views
from .adapters import store
from .adapters.tables import deliveries
from .common import Clock, Forbidden, message_event, utcnow

log = structlog.get_logger()


class HeldMessages:
    def __init__(self, uow: UnitOfWork, *, clock: Clock = utcnow) -> None:
        self.uow = uow
        self.clock = clock

    async def list(self, request: c.ListHeldMessagesRequest, actor: Actor | None) -> c.HeldMessages:
        _require_agent(actor)
        t = deliveries
        held = sa.select(t).where(t.c.status == "uncertain")
        query = store.newest_first_page(held, t, request, request.limit)
        async with self.uow.db.read() as session:
            rows = (await session.execute(query)).all()
        return c.HeldMessages(messages=[views.held_message(r) for r in rows])

    async def resolve(
        self, request: c.ResolveHeldMessageRequest, actor: Actor | None
    ) -> c.HeldMessage:
        _require_agent(actor)
        t = deliveries
        now = self.clock()
        held = sa.and_(t.c.id == request.message_id, t.c.status == "uncertain")
        async with self.uow() as tx:
            row = (
                await tx.session.execute(sa.select(t).where(t.c.id == request.message_id))
            ).first()
            if row is None:
                raise NotFound("no such message", code="notifications_message_not_found")
            if row.status != "uncertain":
                raise Conflict(
                    f"the message is {row.status}, not held",
                    code="notifications_message_not_held",
                )
            if request.outcome == "sent":
                values = {"status": "sent", "sent_at": now, "last_error": None}
            else:
                values = {"status": "pending", "next_attempt_at": now}
            result = await tx.session.execute(sa.update(t).where(held).values(**values))
            if not result.rowcount:  # type: ignore[attr-defined]  # another agent just settled it
                raise Conflict("the message was settled meanwhile",
                               code="notifications_message_not_held")  # fmt: skip
            log.info("message.settled_by_agent", message_id=row.id, outcome=request.outcome,
                     agent=actor.id if actor else None)  # fmt: skip
            if request.outcome == "sent":
                event = c.MessageSent(**views.message_event_fields(row))
                tx.publish(message_event(c.MESSAGE_SENT, event, row.customer_id))
            updated = (await tx.session.execute(sa.select(t).where(t.c.id == row.id))).one()
        return views.held_message(updated)


def _require_agent(actor: Actor | None) -> None:
    if actor is None or actor.type != "agent":
        raise Forbidden("only agents settle held messages")
