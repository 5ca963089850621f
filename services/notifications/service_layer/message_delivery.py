"""Use case: deliver planned messages over email, SMS and push; each message once, none lost.

No provider here is idempotent, so "exactly once" rests on knowing which messages might have
been handed over. For each due message the worker

1. *prepares* the send (SMTP: connect, MAIL FROM, RCPT TO): safe to repeat, nothing recorded
   yet; a refusal here is recorded as an ordinary failure;
2. *leases* the message in its own committed transaction (sending, attempts + 1, a lease
   time): the durable mark "about to hand over";
3. *hands over* (SMTP: DATA and its final dot), outside any transaction;
4. *records* the outcome with its `notifications.message.*` event, fenced on the attempt
   number so a late writer cannot overwrite a newer decision (delivery_records.py).

A process killed between 2 and 4 leaves a sending message whose lease expires. That message,
and a hand-over that broke off with no answer, is in doubt: the worker asks the channel whether
the provider accepted it (the file sink can tell; SMTP, SMS and push cannot). If the provider
does not know, the policy decides: `hold` (default) never sends it again by itself, holds it
with a `notifications.message.uncertain` event and leaves it to an agent (held_messages.py);
`resend` sends it again with the same Message-ID, trading a possible duplicate for no wait. A
kill anywhere before 2 costs nothing: the message is still pending.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import structlog

from shared.clock import Clock
from shared.runtime.faults import crash_point

from ..domain.channels import Channel as ChannelName
from ..domain.deliveries import DeliveryStatus, Fence, Message, Step
from ..domain.messages import DeliveryKey
from ..domain.ports import (
    Channel,
    Handoff,
    OutboundEmail,
    OutboundShortMessage,
    Receipt,
    SendOutcome,
    SendStatus,
)
from . import fenced_calls as fenced
from .delivery_records import DeliveryRecords
from .unit_of_work import UnitOfWork

log = structlog.get_logger()


class UncertainPolicy(StrEnum):
    HOLD = "hold"
    RESEND = "resend"


class DeliveryWorker:
    def __init__(
        self,
        uow: UnitOfWork,
        records: DeliveryRecords,
        channels: Mapping[str, Channel[Any]],
        clock: Clock,
        *,
        uncertain: UncertainPolicy = UncertainPolicy.HOLD,
        batch_size: int = 20,
    ) -> None:
        self.uow = uow
        self.records = records
        self.channels = channels
        self.clock = clock
        self.uncertain = uncertain
        self.batch_size = batch_size

    async def run_once(self) -> int:
        """Deliver every due message once and settle interrupted ones; returns how many."""
        async with self.uow.read() as work:
            due = await work.messages.due(self.clock.now(), self.batch_size)
        done = 0
        for message in due:
            done += await self._one(message)
        return done

    async def _one(self, message: Message) -> bool:
        """One message, contained: a message that breaks the worker is parked, the rest go on.

        Its log lines and events carry the correlation id of the request that caused it."""
        cause = {"correlation_id": message.correlation_id} if message.correlation_id else {}
        with structlog.contextvars.bound_contextvars(message_id=message.id, **cause):
            try:
                if message.status is DeliveryStatus.SENDING:
                    return await self._settle_interrupted(message)
                return await self._deliver(message)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.exception("message.delivery_crashed")
                return await self.records.park(message, f"internal_error:{type(exc).__name__}")

    async def _deliver(self, message: Message) -> bool:
        unleased = Fence.for_step(Step.REFUSE, message.attempts)
        channel = self.channels.get(message.channel)
        if channel is None:
            error = f"no_sender_for_{message.channel}"
            refusal = SendOutcome(SendStatus.PERMANENT_FAILURE, error=error)
            return await self.records.finish(message, message.attempts + 1, refusal, unleased)
        outbound_message = outbound(message)
        prepared = await fenced.prepare(channel, outbound_message)
        if isinstance(prepared, SendOutcome):  # refused before anything was handed over
            return await self.records.finish(message, message.attempts + 1, prepared, unleased)
        try:
            crash_point("notifications.before_handoff")
            attempt = await self.records.lease_for_hand_over(message)
            if attempt is None:
                return False  # another worker is sending it
            # From the lease on, the message is in doubt until its outcome is recorded. A stop
            # (the runtime cancels this task) waits for that rather than leave it to be held.
            finishing = asyncio.ensure_future(
                self._hand_over_and_record(message, attempt, channel, outbound_message, prepared)
            )
            try:
                return await asyncio.shield(finishing)
            except asyncio.CancelledError:
                await asyncio.wait({finishing}, timeout=self.records.lease.total_seconds())
                raise
        finally:
            await fenced.close(prepared)

    async def _hand_over_and_record(self, message: Message, attempt: int, channel: Channel[Any],
                                    outbound_message: Any, prepared: Handoff) -> bool:  # fmt: skip
        crash_point("notifications.before_send")
        outcome = await fenced.hand_over(prepared)
        crash_point("notifications.after_send")
        if outcome.status is SendStatus.UNCERTAIN:
            reason = outcome.error or ""
            return await self._settle(message, attempt, channel, outbound_message, reason)
        step = Step.RECORD_SENT if outcome.status is SendStatus.SENT else Step.RECORD
        return await self.records.finish(message, attempt, outcome, Fence.for_step(step, attempt))

    async def _settle_interrupted(self, message: Message) -> bool:
        """A sending message whose lease ran out: its worker died or hung mid hand-over."""
        channel = self.channels.get(message.channel)
        if channel is None:
            return False
        return await self._settle(
            message, message.attempts, channel, outbound(message), "interrupted"
        )

    async def _settle(self, message: Message, attempt: int, channel: Channel[Any],
                      outbound_message: Any, reason: str) -> bool:  # fmt: skip
        """A hand-over in doubt: ask the provider; if it cannot say, follow the policy."""
        receipt = await fenced.confirm(channel, outbound_message)
        log.warning("message.handoff_uncertain", message_id=message.id, channel=message.channel,
                    reason=reason, receipt=str(receipt), policy=str(self.uncertain))  # fmt: skip
        if receipt is Receipt.ACCEPTED:
            outcome = SendOutcome(SendStatus.SENT)
        elif receipt is Receipt.NOT_ACCEPTED:
            outcome = SendOutcome(SendStatus.TRANSIENT_FAILURE, error=f"{reason}; not accepted")
        elif self.uncertain is UncertainPolicy.RESEND:
            error = f"{reason}; resending with the same message id"
            outcome = SendOutcome(SendStatus.TRANSIENT_FAILURE, error=error)
        else:
            return await self.records.hold(message, attempt, reason)
        fence = Fence.for_step(Step.RECORD, attempt)
        return await self.records.finish(message, attempt, outcome, fence)


def outbound(message: Message) -> OutboundEmail | OutboundShortMessage:
    """What the channel is handed: the stored message, keyed for the provider's dedup id."""
    m = message
    key = DeliveryKey(m.event_id, m.kind, ChannelName(m.channel), m.recipient)
    if m.channel == "email":
        return OutboundEmail(key, m.address, m.subject, m.text_body, m.html_body)
    return OutboundShortMessage(key, m.address, m.short_text, m.subject)
