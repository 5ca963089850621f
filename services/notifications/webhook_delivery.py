"""Sends pending webhook deliveries: sign, POST, classify, then retry, disable or dead-letter.

The same `webhook-id` (the event id) goes with every attempt and every replay, so partners can
deduplicate. A row is leased before sending and its outcome recorded afterwards, with the
attempt in the delivery log.
"""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog

from shared.contracts import notifications as c
from shared.messaging.outbox import UnitOfWork

from .adapters.secret_box import SecretBox, SecretUnreadable
from .adapters.tables import webhook_attempts, webhook_deliveries, webhook_endpoints
from .adapters.webhook_sender import SendResult, WebhookSender
from .adapters.webhook_signing import signed_headers
from .domain.webhooks import Decision, NextStep, RetrySchedule, classify, decide
from .handlers import Clock, message_event, utcnow
from .webhook_handlers import load_endpoint

log = structlog.get_logger()

UNREADABLE_SECRET_RETRY = timedelta(minutes=5)


class WebhookWorker:
    def __init__(
        self,
        uow: UnitOfWork,
        sender: WebhookSender,
        schedule: RetrySchedule,
        *,
        secret_box: SecretBox,
        lease_seconds: float = 60.0,
        batch_size: int = 20,
        clock: Clock = utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self.uow = uow
        self.sender = sender
        self.box = secret_box
        self.schedule = schedule
        self.lease = timedelta(seconds=lease_seconds)
        self.batch_size = batch_size
        self.clock = clock
        self.rng = rng or random.Random()

    def _due(self, now: datetime) -> sa.ColumnElement[bool]:
        t = webhook_deliveries
        return sa.and_(
            t.c.status == "pending",
            t.c.next_attempt_at <= now,
            sa.or_(t.c.lease_until.is_(None), t.c.lease_until <= now),
        )

    async def run_once(self) -> int:
        now = self.clock()
        async with self.uow.db.read() as session:
            ids = (
                (
                    await session.execute(
                        sa.select(webhook_deliveries.c.id)
                        .where(self._due(now))
                        .order_by(webhook_deliveries.c.next_attempt_at)
                        .limit(self.batch_size)
                    )
                )
                .scalars()
                .all()
            )
        results = await asyncio.gather(*(self._attempt(i) for i in ids))
        return sum(results)

    async def run_forever(self, poll_interval: float) -> None:
        while True:
            if await self.run_once() == 0:
                await asyncio.sleep(poll_interval)

    async def _attempt(self, delivery_id: str) -> int:
        """One delivery, contained: whatever goes wrong with it, the worker carries on."""
        try:
            return await self._attempt_one(delivery_id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("webhook.attempt_crashed", delivery_id=delivery_id)
            return await self._park(delivery_id, f"internal_error:{type(exc).__name__}")

    async def _park(self, delivery_id: str, reason: str) -> int:
        """Dead-letter a delivery that broke the worker (replayable once the cause is fixed)."""
        t = webhook_deliveries
        try:
            async with self.uow() as tx:
                await tx.session.execute(
                    sa.update(t)
                    .where(t.c.id == delivery_id, t.c.status == "pending")
                    .values(
                        status="dead_letter",
                        next_attempt_at=None,
                        lease_until=None,
                        last_error=reason,
                    )
                )
        except Exception:  # the database itself is failing: the lease expires, try later
            log.exception("webhook.park_failed", delivery_id=delivery_id)
            return 0
        log.warning("webhook.dead_letter", delivery_id=delivery_id, reason=reason)
        return 1

    async def _attempt_one(self, delivery_id: str) -> int:
        try:
            leased = await self._lease(delivery_id)
        except SecretUnreadable:
            # A key was dropped while secrets sealed with it remain: a configuration error.
            # Never sign with anything else; park the delivery and say so loudly.
            log.error("webhook.secret_unreadable", delivery_id=delivery_id)
            await self._postpone(delivery_id, UNREADABLE_SECRET_RETRY)
            return 0
        if leased is None:
            return 0
        row, endpoint = leased
        # Each attempt runs in its own task (gather): this binding stays with this delivery.
        if row.correlation_id:
            structlog.contextvars.bind_contextvars(correlation_id=row.correlation_id)
        now = self.clock()
        if endpoint is None or not endpoint.enabled:
            reason = "endpoint_disabled" if endpoint is not None else "endpoint_deleted"
            await self._finish(row, None, Decision(NextStep.DEAD_LETTER), reason, now)
            return 1
        headers = signed_headers(row.event_id, now, row.payload, endpoint.signing_secrets(now))
        result = await self.sender.send(endpoint.url, row.payload.encode(), headers)
        outcome = classify(result.status_code, result.headers, self.clock(), result.error)
        decision = decide(outcome, row.attempts, self.clock(), self.schedule, self.rng)
        await self._finish(row, result, decision, outcome.reason, now)
        return 1

    async def _lease(self, delivery_id: str) -> tuple[Any, Any] | None:
        now = self.clock()
        t = webhook_deliveries
        async with self.uow() as tx:
            result = await tx.session.execute(
                sa.update(t)
                .where(t.c.id == delivery_id, self._due(now))
                .values(lease_until=now + self.lease, attempts=t.c.attempts + 1)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                return None
            row = (await tx.session.execute(sa.select(t).where(t.c.id == delivery_id))).first()
            assert row is not None
            endpoint = await load_endpoint(
                tx.session,
                sa.and_(
                    webhook_endpoints.c.id == row.endpoint_id,
                    webhook_endpoints.c.deleted_at.is_(None),
                ),
                self.box,
            )
        return row, endpoint

    async def _postpone(self, delivery_id: str, delay: timedelta) -> None:
        t = webhook_deliveries
        async with self.uow() as tx:
            await tx.session.execute(
                sa.update(t)
                .where(t.c.id == delivery_id)
                .values(next_attempt_at=self.clock() + delay, last_error="secret_unreadable")
            )

    async def _finish(self, row: Any, result: SendResult | None, decision: Decision,
                      reason: str, started: datetime) -> None:  # fmt: skip
        now = self.clock()
        t = webhook_deliveries
        values: dict[str, Any] = {
            "lease_until": None,
            "last_status_code": result.status_code if result else None,
            "last_error": None if decision.step is NextStep.DONE else reason,
        }
        if decision.step is NextStep.DONE:
            values.update(status="delivered", delivered_at=now, next_attempt_at=None)
        elif decision.step is NextStep.RETRY:
            values.update(status="pending", next_attempt_at=decision.next_attempt_at)
        else:
            values.update(status="dead_letter", next_attempt_at=None)
        async with self.uow() as tx:
            if result is not None:
                await tx.session.execute(
                    sa.insert(webhook_attempts).values(
                        delivery_id=row.id,
                        attempt=row.attempts,
                        at=started,
                        status_code=result.status_code,
                        error=result.error or (None if decision.step is NextStep.DONE else reason),
                        duration_ms=result.duration_ms,
                    )
                )
            await tx.session.execute(sa.update(t).where(t.c.id == row.id).values(**values))
            if decision.step is NextStep.DISABLE_ENDPOINT:
                await tx.session.execute(
                    sa.update(webhook_endpoints)
                    .where(webhook_endpoints.c.id == row.endpoint_id)
                    .values(disabled_at=now, disabled_reason=reason)
                )
                tx.publish(
                    message_event(
                        c.WEBHOOK_ENDPOINT_DISABLED,
                        c.WebhookEndpointDisabled(endpoint_id=row.endpoint_id, reason=reason),
                        row.endpoint_id,
                    )
                )
        log.info("webhook." + str(values["status"]), delivery_id=row.id,
                 attempt=row.attempts, reason=reason)  # fmt: skip
