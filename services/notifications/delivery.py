"""Delivery of planned messages over email, SMS and push, with per-channel retries.

A due row is first *leased* in its own short transaction (status `sending`, attempts + 1,
`lease_until`), then sent outside any transaction, then the outcome is recorded together with
its `notifications.message.*` event. A process killed mid-send leaves a lease that expires and
the row is tried again; the email's Message-ID is derived from the delivery key, so the rare
resend after a crash between "SMTP accepted" and "recorded" is recognisable as the same message.
Only one worker can hold a lease (the UPDATE checks the state it expects).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog

from shared.contracts import notifications as c
from shared.messaging.outbox import UnitOfWork
from shared.runtime.faults import crash_point

from .adapters.channels import (
    EmailChannel,
    OutboundEmail,
    OutboundShortMessage,
    PushProvider,
    SendOutcome,
    SendStatus,
    SmsProvider,
)
from .adapters.tables import deliveries
from .domain.channels import Channel
from .domain.messages import DeliveryKey
from .handlers import Clock, message_event, utcnow

log = structlog.get_logger()


class DeliveryWorker:
    def __init__(
        self,
        uow: UnitOfWork,
        *,
        email: EmailChannel,
        sms: SmsProvider,
        push: PushProvider,
        max_attempts: int = 6,
        retry_base_seconds: float = 30.0,
        lease_seconds: float = 60.0,
        batch_size: int = 20,
        clock: Clock = utcnow,
    ) -> None:
        self.uow = uow
        self.senders: Mapping[str, Any] = {"email": email, "sms": sms, "push": push}
        self.max_attempts = max_attempts
        self.retry_base = retry_base_seconds
        self.lease = timedelta(seconds=lease_seconds)
        self.batch_size = batch_size
        self.clock = clock

    def _due(self, now: datetime) -> sa.ColumnElement[bool]:
        t = deliveries
        return sa.or_(
            sa.and_(t.c.status == "pending", t.c.next_attempt_at <= now),
            sa.and_(t.c.status == "sending", t.c.lease_until <= now),
        )

    async def run_once(self) -> int:
        """Send every due message once; returns how many were attempted."""
        now = self.clock()
        async with self.uow.db.read() as session:
            ids = (
                (
                    await session.execute(
                        sa.select(deliveries.c.id)
                        .where(self._due(now))
                        .order_by(
                            sa.func.coalesce(deliveries.c.event_time, deliveries.c.next_attempt_at),
                            deliveries.c.next_attempt_at,
                        )
                        .limit(self.batch_size)
                    )
                )
                .scalars()
                .all()
            )
        attempted = 0
        for delivery_id in ids:
            row = await self._lease(delivery_id)
            if row is None:
                continue  # another worker took it
            attempted += 1
            crash_point("notifications.before_send")
            outcome = await self._send(row)
            crash_point("notifications.after_send")
            await self._record(row, outcome)
        return attempted

    async def run_forever(self, poll_interval: float) -> None:
        while True:
            if await self.run_once() == 0:
                await asyncio.sleep(poll_interval)

    async def _lease(self, delivery_id: str) -> Any:
        now = self.clock()
        t = deliveries
        async with self.uow() as tx:
            result = await tx.session.execute(
                sa.update(t)
                .where(t.c.id == delivery_id, self._due(now))
                .values(status="sending", lease_until=now + self.lease, attempts=t.c.attempts + 1)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                return None
            return (await tx.session.execute(sa.select(t).where(t.c.id == delivery_id))).first()

    async def _send(self, row: Any) -> SendOutcome:
        key = DeliveryKey(row.event_id, row.kind, Channel(row.channel), row.recipient)
        sender = self.senders.get(row.channel)
        if sender is None:
            return SendOutcome(SendStatus.PERMANENT_FAILURE, error=f"no_sender_for_{row.channel}")
        try:
            if row.channel == "email":
                message: Any = OutboundEmail(
                    key, row.address, row.subject, row.text_body, row.html_body
                )
            else:
                message = OutboundShortMessage(key, row.address, row.short_text, row.subject)
            return await sender.send(message)
        except Exception as exc:  # a provider bug must not kill the worker
            log.exception("message.send_crashed", channel=row.channel)
            return SendOutcome(SendStatus.TRANSIENT_FAILURE, error=type(exc).__name__)

    async def _record(self, row: Any, outcome: SendOutcome) -> None:
        now = self.clock()
        t = deliveries
        base = {
            "message_id": row.id,
            "customer_id": row.customer_id,
            "source_event_id": row.event_id,
            "source_event_type": row.event_type,
            "kind": row.kind,
            "channel": row.channel,
            "attempt": row.attempts,
        }
        event: c.MessageSent | c.MessageFailed
        async with self.uow() as tx:
            if outcome.status is SendStatus.SENT:
                values: dict[str, Any] = {
                    "status": "sent",
                    "sent_at": now,
                    "lease_until": None,
                    "provider_message_id": outcome.provider_message_id,
                    "last_error": None,
                }
                event = c.MessageSent(**base, provider_message_id=outcome.provider_message_id)
                type_ = c.MESSAGE_SENT
            else:
                retry = outcome.retryable and row.attempts < self.max_attempts
                values = {
                    "status": "pending" if retry else "failed",
                    "lease_until": None,
                    "last_error": outcome.error,
                    "next_attempt_at": now + self._backoff(row.attempts) if retry else None,
                }
                event = c.MessageFailed(
                    **base,
                    error=outcome.error or "unknown",
                    permanent=outcome.status is SendStatus.PERMANENT_FAILURE,
                    will_retry=retry,
                )
                type_ = c.MESSAGE_FAILED
            await tx.session.execute(sa.update(t).where(t.c.id == row.id).values(**values))
            tx.publish(message_event(type_, event, row.customer_id))
        log.info("message." + values["status"], kind=row.kind, channel=row.channel,
                 attempt=row.attempts, error=outcome.error)  # fmt: skip

    def _backoff(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.retry_base * 2 ** (attempts - 1), 6 * 3600))
