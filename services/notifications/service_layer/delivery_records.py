"""Recording what happened to a message's hand-over, each write fenced (domain/deliveries.py).

Every outcome is written with its `notifications.message.*` event in one transaction, and only
if the row is still where the writer left it: a late writer cannot overwrite a newer decision.
"""

from __future__ import annotations

from datetime import timedelta

import structlog

from shared.clock import Clock

from ..domain import events as ev
from ..domain.channels import error_code
from ..domain.deliveries import DeliveryStatus, Fence, Message, Step
from ..domain.ports import SendOutcome, SendStatus
from .message_events import event_fields
from .unit_of_work import UnitOfWork

log = structlog.get_logger()


class DeliveryRecords:
    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        *,
        max_attempts: int,
        retry_base_seconds: float,
        lease: timedelta,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.max_attempts = max_attempts
        self.retry_base = retry_base_seconds
        self.lease = lease

    async def lease_for_hand_over(self, message: Message) -> int | None:
        """Mark the message as being sent (committed) before the hand-over; returns the attempt
        number, or None if another worker took it first."""
        attempt = message.attempts + 1
        async with self.uow() as work:
            leased = await work.messages.move(
                message.id,
                Fence.for_step(Step.LEASE, message.attempts),
                DeliveryStatus.SENDING,
                lease_until=self.clock.now() + self.lease,
                attempts=attempt,
            )
        return attempt if leased else None

    async def hold(self, message: Message, attempt: int, reason: str) -> bool:
        """Hold an attempt in doubt for an agent (never sent again by itself)."""
        async with self.uow() as work:
            held = await work.messages.move(
                message.id, Fence.for_step(Step.HOLD, attempt), DeliveryStatus.HELD,
                lease_until=None, last_error=reason[:500],
            )  # fmt: skip
            if not held:
                return False
            fields = event_fields(message, attempt)
            work.publish(ev.MessageHeld(**fields, reason=error_code(reason)))
        return True

    async def finish(
        self, message: Message, attempt: int, outcome: SendOutcome, fence: Fence
    ) -> bool:
        """Record attempt number `attempt`'s outcome and its event, if `fence` still holds."""
        to, values, event = self._outcome(message, attempt, outcome)
        async with self.uow() as work:
            values |= {"attempts": attempt, "lease_until": None}
            if not await work.messages.move(message.id, fence, to, **values):
                log.warning("message.outcome_superseded", message_id=message.id, attempt=attempt)
                return False
            work.publish(event)
        log.info("message." + to, kind=message.kind, channel=message.channel,
                 attempt=attempt, error=outcome.error)  # fmt: skip
        return True

    def _outcome(
        self, message: Message, attempt: int, outcome: SendOutcome
    ) -> tuple[DeliveryStatus, dict[str, object], ev.MessageSent | ev.MessageFailed]:
        now = self.clock.now()
        fields = event_fields(message, attempt)
        if outcome.status is SendStatus.SENT:
            values: dict[str, object] = {"sent_at": now, "last_error": None,
                                         "provider_message_id": outcome.provider_message_id}  # fmt: skip
            return (
                DeliveryStatus.SENT,
                values,
                ev.MessageSent(**fields, provider_message_id=outcome.provider_message_id),
            )
        retry = outcome.retryable and attempt < self.max_attempts
        values = {
            "last_error": outcome.error,
            "next_attempt_at": now + self._backoff(attempt) if retry else None,
        }
        failed = ev.MessageFailed(
            **fields,
            error=error_code(outcome.error),
            permanent=outcome.status is SendStatus.PERMANENT_FAILURE,
            will_retry=retry,
        )
        return (DeliveryStatus.PENDING if retry else DeliveryStatus.FAILED), values, failed

    async def park(self, message: Message, reason: str) -> bool:
        """Record a permanent failure if the row is still where the worker found it."""
        outcome = SendOutcome(SendStatus.PERMANENT_FAILURE, error=reason)
        fence = Fence.where_found(message)
        try:
            return await self.finish(message, message.attempts, outcome, fence)
        except Exception:  # the row cannot even be described as an event: mark it alone
            log.exception("message.park_event_failed", message_id=message.id)
        try:
            async with self.uow() as work:
                await work.messages.move(
                    message.id, fence, DeliveryStatus.FAILED,
                    last_error=reason, lease_until=None, next_attempt_at=None,
                )  # fmt: skip
        except Exception:
            log.exception("message.park_failed", message_id=message.id)
            return False
        return True

    def _backoff(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.retry_base * 2 ** (attempts - 1), 6 * 3600))
