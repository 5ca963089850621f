"""Delivery of planned messages over email, SMS and push: each message once, none lost.

No provider here is idempotent, so "exactly once" rests on knowing which messages might have
been handed over. For each due row the worker

1. *prepares* the send (SMTP: connect, MAIL FROM, RCPT TO): safe to repeat, nothing recorded
   yet; a refusal here is recorded as an ordinary failure;
2. *leases* the row in its own committed transaction (status `sending`, attempts + 1,
   `lease_until`): the durable mark "about to hand over";
3. *hands over* (SMTP: DATA and its final dot), outside any transaction;
4. *records* the outcome with its `notifications.message.*` event, fenced on the attempt number
   so a late writer cannot overwrite a newer decision.

A process killed between 2 and 4 leaves a `sending` row whose lease expires. That row, and a
hand-over that broke off with no answer, is *uncertain*: the worker asks the channel whether the
provider accepted it (the file sink can tell; SMTP, SMS and push cannot). If the provider does
not know, the `uncertain` policy decides: `hold` (default) never sends it again by itself, marks
it `uncertain` with a `notifications.message.uncertain` event and leaves it to an agent
(`held_messages.py`); `resend` sends it again with the same Message-ID, trading a possible
duplicate for no wait. A kill anywhere before 2 costs nothing: the row is still `pending`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
import structlog

from shared.contracts import notifications as c
from shared.messaging.outbox import UnitOfWork
from shared.runtime.faults import crash_point

from . import views
from .adapters import fenced
from .adapters.channels import (
    Channel,
    Handoff,
    OutboundEmail,
    OutboundShortMessage,
    Receipt,
    SendOutcome,
    SendStatus,
)
from .adapters.tables import deliveries
from .domain.channels import Channel as ChannelName
from .domain.channels import error_code
from .domain.messages import DeliveryKey
from .handlers import Clock, message_event, utcnow

log = structlog.get_logger()


class UncertainPolicy(StrEnum):
    HOLD = "hold"
    RESEND = "resend"


@dataclass(frozen=True)
class Fence:
    """Where a worker left a row: its status (one of) and its attempt count. Every write is
    conditional on it, so a worker whose view is stale (another leased, held or settled the row
    meanwhile) changes nothing."""

    statuses: tuple[str, ...]
    attempts: int

    def holds(self, row_id: str) -> sa.ColumnElement[bool]:
        t = deliveries
        return sa.and_(
            t.c.id == row_id, t.c.status.in_(self.statuses), t.c.attempts == self.attempts
        )


def unleased(row: Any) -> Fence:
    return Fence(("pending",), row.attempts)


def leased(attempt: int) -> Fence:
    return Fence(("sending",), attempt)


class DeliveryWorker:
    def __init__(
        self,
        uow: UnitOfWork,
        *,
        email: Channel[OutboundEmail],
        sms: Channel[OutboundShortMessage],
        push: Channel[OutboundShortMessage],
        uncertain: UncertainPolicy = UncertainPolicy.HOLD,
        max_attempts: int = 6,
        retry_base_seconds: float = 30.0,
        lease_seconds: float = 60.0,
        batch_size: int = 20,
        clock: Clock = utcnow,
    ) -> None:
        self.uow = uow
        self.channels: Mapping[str, Channel[Any]] = {"email": email, "sms": sms, "push": push}
        self.uncertain = uncertain
        self.max_attempts = max_attempts
        self.retry_base = retry_base_seconds
        self.lease = timedelta(seconds=lease_seconds)
        self.batch_size = batch_size
        self.clock = clock

    # The loop ----------------------------------------------------------------------------

    async def run_once(self) -> int:
        """Deliver every due message once and settle interrupted ones; returns how many."""
        now = self.clock()
        t = deliveries
        due = sa.or_(
            sa.and_(t.c.status == "pending", t.c.next_attempt_at <= now),
            sa.and_(t.c.status == "sending", t.c.lease_until <= now),
        )
        async with self.uow.db.read() as session:
            rows = (
                await session.execute(
                    sa.select(t)
                    .where(due)
                    .order_by(
                        sa.func.coalesce(t.c.event_time, t.c.next_attempt_at), t.c.next_attempt_at
                    )
                    .limit(self.batch_size)
                )
            ).all()
        done = 0
        for row in rows:
            done += await self._one(row)
        return done

    async def _one(self, row: Any) -> bool:
        """One row, contained: a message that breaks the worker is parked, the rest go on.

        Its log lines and events carry the correlation id of the request that caused it."""
        cause = {"correlation_id": row.correlation_id} if row.correlation_id else {}
        with structlog.contextvars.bound_contextvars(message_id=row.id, **cause):
            try:
                if row.status == "sending":
                    return await self._settle_interrupted(row)
                return await self._deliver(row)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.exception("message.delivery_crashed")
                return await self._park(row, f"internal_error:{type(exc).__name__}")

    async def _park(self, row: Any, reason: str) -> bool:
        """Record a permanent failure if the row is still where this worker found it."""
        outcome = SendOutcome(SendStatus.PERMANENT_FAILURE, error=reason)
        fence = Fence((str(row.status),), row.attempts)
        try:
            return await self._finish(row, row.attempts, outcome, fence)
        except Exception:  # the row cannot even be described as an event: mark it alone
            log.exception("message.park_event_failed", message_id=row.id)
        try:
            async with self.uow() as tx:
                await tx.session.execute(
                    sa.update(deliveries)
                    .where(fence.holds(row.id))
                    .values(
                        status="failed", last_error=reason, lease_until=None, next_attempt_at=None
                    )
                )
        except Exception:
            log.exception("message.park_failed", message_id=row.id)
            return False
        return True

    async def run_forever(self, poll_interval: float) -> None:
        while True:
            if await self.run_once() == 0:
                await asyncio.sleep(poll_interval)

    # One message ---------------------------------------------------------------------------

    async def _deliver(self, row: Any) -> bool:
        channel = self.channels.get(row.channel)
        if channel is None:
            refusal = SendOutcome(
                SendStatus.PERMANENT_FAILURE, error=f"no_sender_for_{row.channel}"
            )
            return await self._finish(row, row.attempts + 1, refusal, unleased(row))
        message = outbound(row)
        prepared = await fenced.prepare(channel, message)
        if isinstance(prepared, SendOutcome):  # refused before anything was handed over
            return await self._finish(row, row.attempts + 1, prepared, unleased(row))
        try:
            crash_point("notifications.before_handoff")
            attempt = await self._lease(row)
            if attempt is None:
                return False  # another worker is sending it
            # From the lease on, the message is in doubt until its outcome is recorded. A stop
            # (the runtime cancels this task) waits for that rather than leave it to be held.
            finishing = asyncio.ensure_future(
                self._hand_over_and_record(row, attempt, channel, message, prepared)
            )
            try:
                return await asyncio.shield(finishing)
            except asyncio.CancelledError:
                await asyncio.wait({finishing}, timeout=self.lease.total_seconds())
                raise
        finally:
            await fenced.close(prepared)

    async def _hand_over_and_record(
        self, row: Any, attempt: int, channel: Channel[Any], message: Any, prepared: Handoff
    ) -> bool:
        crash_point("notifications.before_send")
        outcome = await fenced.hand_over(prepared)
        crash_point("notifications.after_send")
        if outcome.status is SendStatus.UNCERTAIN:
            return await self._settle(row, attempt, channel, message, outcome.error or "")
        # A "sent" that comes late still lands if nobody has leased the row again since (same
        # attempt number): another worker may have held it, or queued a resend, in the meantime.
        fence = leased(attempt)
        if outcome.status is SendStatus.SENT:
            fence = Fence(("sending", "uncertain", "pending"), attempt)
        return await self._finish(row, attempt, outcome, fence)

    async def _lease(self, row: Any) -> int | None:
        """Mark the row `sending` (committed) before the hand-over; None if someone else did."""
        t = deliveries
        async with self.uow() as tx:
            result = await tx.session.execute(
                sa.update(t)
                .where(unleased(row).holds(row.id))
                .values(
                    status="sending",
                    lease_until=self.clock() + self.lease,
                    attempts=row.attempts + 1,
                )
            )
        return row.attempts + 1 if result.rowcount else None  # type: ignore[attr-defined]

    # Interrupted hand-overs ----------------------------------------------------------------

    async def _settle_interrupted(self, row: Any) -> bool:
        """A `sending` row whose lease ran out: its worker died or hung mid hand-over."""
        channel = self.channels.get(row.channel)
        if channel is None:
            return False
        return await self._settle(row, row.attempts, channel, outbound(row), "interrupted")

    async def _settle(
        self, row: Any, attempt: int, channel: Channel[Any], message: Any, reason: str
    ) -> bool:
        receipt = await fenced.confirm(channel, message)
        log.warning("message.handoff_uncertain", message_id=row.id, channel=row.channel,
                    reason=reason, receipt=str(receipt), policy=str(self.uncertain))  # fmt: skip
        if receipt is Receipt.ACCEPTED:
            outcome = SendOutcome(SendStatus.SENT)
        elif receipt is Receipt.NOT_ACCEPTED:
            outcome = SendOutcome(SendStatus.TRANSIENT_FAILURE, error=f"{reason}; not accepted")
        elif self.uncertain is UncertainPolicy.RESEND:
            error = f"{reason}; resending with the same message id"
            outcome = SendOutcome(SendStatus.TRANSIENT_FAILURE, error=error)
        else:
            return await self._hold(row, attempt, reason)
        return await self._finish(row, attempt, outcome, leased(attempt))

    async def _hold(self, row: Any, attempt: int, reason: str) -> bool:
        t = deliveries
        async with self.uow() as tx:
            result = await tx.session.execute(
                sa.update(t)
                .where(leased(attempt).holds(row.id))
                .values(status="uncertain", lease_until=None, last_error=reason[:500])
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                return False
            event = c.MessageUncertain(**_event_base(row, attempt), reason=error_code(reason))
            tx.publish(message_event(c.MESSAGE_UNCERTAIN, event, row.customer_id))
        return True

    # Recording -----------------------------------------------------------------------------

    async def _finish(self, row: Any, attempt: int, outcome: SendOutcome, fence: Fence) -> bool:
        """Record attempt number `attempt`'s outcome and its event, if `fence` still holds."""
        now = self.clock()
        t = deliveries
        event: c.MessageSent | c.MessageFailed
        if outcome.status is SendStatus.SENT:
            values: dict[str, Any] = {
                "status": "sent",
                "sent_at": now,
                "provider_message_id": outcome.provider_message_id,
                "last_error": None,
            }
            event = c.MessageSent(
                **_event_base(row, attempt), provider_message_id=outcome.provider_message_id
            )
            type_ = c.MESSAGE_SENT
        else:
            retry = outcome.retryable and attempt < self.max_attempts
            values = {
                "status": "pending" if retry else "failed",
                "last_error": outcome.error,
                "next_attempt_at": now + self._backoff(attempt) if retry else None,
            }
            event = c.MessageFailed(
                **_event_base(row, attempt),
                error=error_code(outcome.error),
                permanent=outcome.status is SendStatus.PERMANENT_FAILURE,
                will_retry=retry,
            )
            type_ = c.MESSAGE_FAILED
        async with self.uow() as tx:
            result = await tx.session.execute(
                sa.update(t)
                .where(fence.holds(row.id))
                .values(**values, attempts=attempt, lease_until=None)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                log.warning("message.outcome_superseded", message_id=row.id, attempt=attempt)
                return False
            tx.publish(message_event(type_, event, row.customer_id))
        log.info("message." + values["status"], kind=row.kind, channel=row.channel,
                 attempt=attempt, error=outcome.error)  # fmt: skip
        return True

    def _backoff(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.retry_base * 2 ** (attempts - 1), 6 * 3600))


def outbound(row: Any) -> OutboundEmail | OutboundShortMessage:
    key = DeliveryKey(row.event_id, row.kind, ChannelName(row.channel), row.recipient)
    if row.channel == "email":
        return OutboundEmail(key, row.address, row.subject, row.text_body, row.html_body)
    return OutboundShortMessage(key, row.address, row.short_text, row.subject)


def _event_base(row: Any, attempt: int) -> dict[str, Any]:
    return views.message_event_fields(row) | {"attempt": attempt}
