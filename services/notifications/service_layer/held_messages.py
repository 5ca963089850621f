"""Agents' side of interrupted hand-overs: list the held messages and settle each one.

A message is held when its hand-over to the provider broke off before the provider answered
and the provider cannot be asked (message_delivery.py). Sending it again could give the
customer a second copy; not sending could leave them without it. An agent checks the
provider's own records (the SMTP relay's log, the SMS dashboard) and settles it:

- `sent`: it did go out; recorded as sent, with `notifications.message.sent`;
- `resend`: it did not; back to pending, the delivery worker sends it on its next pass.
"""

from __future__ import annotations

from typing import Literal

import structlog

from shared.actor import Actor
from shared.clock import Clock
from shared.errors import Conflict, NotFound

from ..domain import events as ev
from ..domain.deliveries import DeliveryStatus, Fence, Message, Step
from ..domain.paging import Page
from .access import require_agent
from .message_events import event_fields
from .unit_of_work import UnitOfWork

log = structlog.get_logger()


class HeldMessages:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def list(self, actor: Actor | None, page: Page) -> list[Message]:
        require_agent(actor)
        async with self.uow.read() as work:
            return await work.messages.held(page)

    async def resolve(
        self, actor: Actor | None, message_id: str, outcome: Literal["sent", "resend"]
    ) -> Message:
        agent = require_agent(actor)
        now = self.clock.now()
        async with self.uow() as work:
            message = await work.messages.get(message_id)
            if message is None:
                raise NotFound("no such message", code="notifications_message_not_found")
            if message.status is not DeliveryStatus.HELD:
                raise Conflict(f"the message is {message.status}, not held",
                               code="notifications_message_not_held")  # fmt: skip
            fence = Fence.for_step(Step.SETTLE, message.attempts)
            if outcome == "sent":
                moved = await work.messages.move(
                    message.id, fence, DeliveryStatus.SENT, sent_at=now, last_error=None
                )
            else:
                moved = await work.messages.move(
                    message.id, fence, DeliveryStatus.PENDING, next_attempt_at=now
                )
            if not moved:  # another agent just settled it
                raise Conflict("the message was settled meanwhile",
                               code="notifications_message_not_held")  # fmt: skip
            log.info("message.settled_by_agent", message_id=message.id, outcome=outcome,
                     agent=agent.id)  # fmt: skip
            if outcome == "sent":
                work.publish(ev.MessageSent(**event_fields(message)))
            settled = await work.messages.get(message.id)
        assert settled is not None
        return settled
