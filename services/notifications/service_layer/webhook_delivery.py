"""Use case: send pending webhook deliveries: sign, POST, classify, then retry, disable or
dead-letter.

The same `webhook-id` (the event id) goes with every attempt and every replay, so partners can
deduplicate. A delivery is leased before sending and its outcome recorded afterwards, with the
attempt in the delivery log.
"""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta
from typing import Any

import structlog

from shared.clock import Clock

from ..domain import events as ev
from ..domain.errors import SecretUnreadable
from ..domain.ports import SendResult, WebhookPoster, WebhookSigner
from ..domain.webhook_deliveries import WebhookAttempt, WebhookDelivery
from ..domain.webhook_deliveries import WebhookDeliveryStatus as Status
from ..domain.webhooks import Decision, NextStep, RetrySchedule, WebhookEndpoint, classify, decide
from .unit_of_work import UnitOfWork

log = structlog.get_logger()

UNREADABLE_SECRET_RETRY = timedelta(minutes=5)


class WebhookWorker:
    def __init__(self, uow: UnitOfWork, sender: WebhookPoster, sign: WebhookSigner,
                 schedule: RetrySchedule, clock: Clock, *, lease_seconds: float = 60.0,
                 batch_size: int = 20, rng: random.Random | None = None) -> None:  # fmt: skip
        self.uow = uow
        self.sender = sender
        self.sign = sign
        self.schedule = schedule
        self.clock = clock
        self.lease = timedelta(seconds=lease_seconds)
        self.batch_size = batch_size
        self.rng = rng or random.Random()

    async def run_once(self) -> int:
        async with self.uow.read() as work:
            ids = await work.webhook_deliveries.due(self.clock.now(), self.batch_size)
        results = await asyncio.gather(*(self._attempt(i) for i in ids))
        return sum(results)

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
        try:
            async with self.uow() as work:
                await work.webhook_deliveries.update(
                    delivery_id, only_pending=True, status=Status.DEAD_LETTER,
                    next_attempt_at=None, lease_until=None, last_error=reason,
                )  # fmt: skip
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
        delivery, endpoint = leased
        # Each attempt runs in its own task (gather): this binding stays with this delivery.
        if delivery.correlation_id:
            structlog.contextvars.bind_contextvars(correlation_id=delivery.correlation_id)
        now = self.clock.now()
        if endpoint is None or not endpoint.enabled:
            reason = "endpoint_disabled" if endpoint is not None else "endpoint_deleted"
            await self._finish(delivery, None, Decision(NextStep.DEAD_LETTER), reason, now)
            return 1
        secrets = endpoint.signing_secrets(now)
        headers = self.sign(delivery.event_id, now, delivery.payload, secrets)
        result = await self.sender.send(endpoint.url, delivery.payload.encode(), headers)
        outcome = classify(result.status_code, result.headers, self.clock.now(), result.error)
        decision = decide(outcome, delivery.attempts, self.clock.now(), self.schedule, self.rng)
        await self._finish(delivery, result, decision, outcome.reason, now)
        return 1

    async def _lease(
        self, delivery_id: str
    ) -> tuple[WebhookDelivery, WebhookEndpoint | None] | None:
        now = self.clock.now()
        async with self.uow() as work:
            delivery = await work.webhook_deliveries.lease(delivery_id, now, now + self.lease)
            if delivery is None:
                return None
            found = await work.endpoints.get(delivery.endpoint_id)
        return delivery, found.endpoint if found else None

    async def _postpone(self, delivery_id: str, delay: timedelta) -> None:
        async with self.uow() as work:
            await work.webhook_deliveries.update(
                delivery_id,
                next_attempt_at=self.clock.now() + delay,
                last_error="secret_unreadable",
            )

    async def _finish(self, delivery: WebhookDelivery, result: SendResult | None,
                      decision: Decision, reason: str, started: datetime) -> None:  # fmt: skip
        now = self.clock.now()
        values = _outcome(result, decision, reason, now)
        async with self.uow() as work:
            if result is not None:
                error = result.error or (None if decision.step is NextStep.DONE else reason)
                await work.webhook_deliveries.log_attempt(
                    WebhookAttempt(
                        delivery.id,
                        delivery.attempts,
                        started,
                        result.status_code,
                        error,
                        result.duration_ms,
                    )
                )
            await work.webhook_deliveries.update(delivery.id, **values)
            if decision.step is NextStep.DISABLE_ENDPOINT:
                await work.endpoints.disable(delivery.endpoint_id, now, reason)
                work.publish(ev.WebhookEndpointDisabled(delivery.endpoint_id, reason))
        log.info("webhook." + str(values["status"]), delivery_id=delivery.id,
                 attempt=delivery.attempts, reason=reason)  # fmt: skip


def _outcome(
    result: SendResult | None, decision: Decision, reason: str, now: datetime
) -> dict[str, Any]:
    """The delivery's new state after an attempt, as `decision` has it."""
    values: dict[str, Any] = {
        "lease_until": None,
        "last_status_code": result.status_code if result else None,
        "last_error": None if decision.step is NextStep.DONE else reason,
    }
    if decision.step is NextStep.DONE:
        return values | {"status": Status.DELIVERED, "delivered_at": now, "next_attempt_at": None}
    if decision.step is NextStep.RETRY:
        return values | {"status": Status.PENDING, "next_attempt_at": decision.next_attempt_at}
    return values | {"status": Status.DEAD_LETTER, "next_attempt_at": None}
