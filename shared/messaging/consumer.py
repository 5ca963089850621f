"""Inbox-guarded JetStream consumers that apply a pulled batch in one transaction.

Group commit: FastStream hands the messages of each pull (up to 64) to concurrent handler calls;
the first call to arrive leads, the others queue behind it, and the leader applies everything
queued in ONE database transaction: the inbox rows of the whole group are claimed in one
statement, then each new event is applied; one commit per group instead of one per event. A
lone message is applied at once (no waiting to fill a batch), so latency stays low. If any event fails, that transaction rolls back and the batch is
applied again one event per transaction, so a failing event never takes the others down with
it. Acks are sent only after the commit; a crash before the commit redelivers the batch, and the
inbox rows committed with the effects make the redelivery harmless.

Outcomes per message:
- applied, or already applied (inbox hit): ack after commit;
- malformed, or refused by the domain (DomainError): dead-lettered with the reason, terminated;
- any other error: rolled back, nak'ed with a growing delay; on its last allowed delivery it is
  dead-lettered with the error as the reason.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import structlog
from faststream import AckPolicy
from faststream.nats import ConsumerConfig, DeliverPolicy, JStream, NatsBroker, PullSub
from faststream.nats.annotations import NatsMessage
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from pydantic import ValidationError

from shared.contracts.envelope import RawEvent
from shared.errors import DomainError
from shared.logging import bind_correlation_id, clear
from shared.messaging.dlq import dead_letter
from shared.messaging.glue import EventRoute
from shared.messaging.inbox import claim_event, claim_events
from shared.messaging.outbox import Tx, UnitOfWork

log = structlog.get_logger()

BATCH_SIZE = 64


@dataclass
class ConsumerRuntime:
    """What a consumer needs at run time, filled in by the service runtime at start-up."""

    uow: UnitOfWork
    js: JetStreamContext | None = None
    retry_base_delay: float = 0.5


def retry_delay(base: float, deliveries: int) -> float:
    """0.5 s, 2 s, 4.5 s, 8 s... with the default base: quadratic, capped at 60 s."""
    return float(min(60.0, base * deliveries * deliveries))


class Outcome(Enum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    POISON = "poison"
    RETRY = "retry"


@dataclass
class Delivery:
    raw: Msg
    event: RawEvent | None = None
    outcome: Outcome = Outcome.APPLIED
    reason: str = ""
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def deliveries(self) -> int:
        return int(self.raw.metadata.num_delivered)


def register_consumer(broker: NatsBroker, route: EventRoute, rt: ConsumerRuntime) -> None:
    config = ConsumerConfig(
        max_deliver=route.max_deliver,
        ack_wait=route.ack_wait_s,
        deliver_policy=DeliverPolicy.ALL,
    )

    @broker.subscriber(
        route.subject,
        stream=JStream(route.stream.name, declare=False),
        durable=route.durable,
        config=config,
        pull_sub=PullSub(batch_size=BATCH_SIZE, timeout=1.0),
        ack_policy=AckPolicy.MANUAL,
        title=route.durable,
    )
    async def on_event(msg: NatsMessage) -> None:
        await group.submit(msg.raw_message)

    group = GroupCommit(route, rt)


class GroupCommit:
    """Applies concurrently arriving deliveries of one consumer together (see module doc)."""

    def __init__(self, route: EventRoute, rt: ConsumerRuntime) -> None:
        self.route = route
        self.rt = rt
        self._queue: list[tuple[Delivery, asyncio.Future[None]]] = []
        self._leading = False

    async def submit(self, raw: Msg) -> None:
        delivery = _parse(raw)
        if delivery.outcome is not Outcome.POISON:
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._queue.append((delivery, done))
            if self._leading:
                await done
            else:
                await self._lead()
        await _settle(self.route, self.rt, delivery)

    async def _lead(self) -> None:
        self._leading = True
        try:
            await asyncio.sleep(0)  # let the rest of this pull join the group
            while self._queue:
                group, self._queue = self._queue[:BATCH_SIZE], self._queue[BATCH_SIZE:]
                await self._apply(group)
        finally:
            self._leading = False

    async def _apply(self, group: list[tuple[Delivery, asyncio.Future[None]]]) -> None:
        started = time.perf_counter()
        deliveries = [d for d, _ in group]
        try:
            await _apply_in_one_transaction(self.route, self.rt, deliveries)
        except Exception as exc:  # the commit itself failed (database down...): retry them all
            for d in deliveries:
                d.outcome, d.reason = Outcome.RETRY, f"{type(exc).__name__}: {exc}"
        finally:
            for _, done in group:
                if not done.done():
                    done.set_result(None)
        applied = sum(d.outcome is Outcome.APPLIED for d in deliveries)
        if applied:
            log.info(
                "events.applied",
                consumer=self.route.durable,
                count=applied,
                group=len(group),
                ms=round((time.perf_counter() - started) * 1000, 2),
            )


def _parse(raw: Msg) -> Delivery:
    try:
        return Delivery(raw, RawEvent.model_validate_json(raw.data))
    except ValidationError as exc:
        return Delivery(raw, None, Outcome.POISON, f"malformed_event: {exc.errors()[:3]}")


class _BatchFailed(Exception):
    """One event of the group failed: roll the group back and apply its events one by one."""


async def _apply_in_one_transaction(
    route: EventRoute, rt: ConsumerRuntime, batch: list[Delivery]
) -> None:
    if len(batch) > 1:
        try:
            async with rt.uow() as tx:
                fresh = await claim_events(tx.session, route.durable, [_id(d) for d in batch])
                for d in batch:
                    if _id(d) not in fresh:
                        d.outcome = Outcome.DUPLICATE
                        continue
                    fresh.discard(_id(d))  # the same event twice in one group: apply it once
                    if not await _apply_one(route, tx, d):
                        raise _BatchFailed
            return
        except _BatchFailed:
            for d in batch:
                d.outcome, d.reason = Outcome.APPLIED, ""
    for d in batch:  # one transaction per event
        try:
            async with rt.uow() as tx:
                if not await claim_event(tx.session, route.durable, _id(d)):
                    d.outcome = Outcome.DUPLICATE
                    continue
                if not await _apply_one(route, tx, d):
                    raise _BatchFailed
        except _BatchFailed:
            pass


def _id(d: Delivery) -> str:
    assert d.event is not None
    return d.event.id


async def _apply_one(route: EventRoute, tx: Tx, d: Delivery) -> bool:
    """Run the handler for one event; False (with the outcome set) if it failed."""
    assert d.event is not None
    bind_correlation_id(d.event.correlationid)
    structlog.contextvars.bind_contextvars(event_id=d.event.id, event_type=d.event.type)
    try:
        await route.handler(tx, d.event)
        return True
    except DomainError as exc:  # the domain refused it: retrying cannot help
        d.outcome, d.reason = Outcome.POISON, f"{exc.code}: {exc.message}"
    except Exception as exc:
        log.warning("event.failed", consumer=route.durable, error=f"{type(exc).__name__}: {exc}")
        d.outcome, d.reason = Outcome.RETRY, f"{type(exc).__name__}: {exc}"
    finally:
        clear()
    return False


async def _settle(route: EventRoute, rt: ConsumerRuntime, d: Delivery) -> None:
    if d.outcome in (Outcome.APPLIED, Outcome.DUPLICATE):
        await d.raw.ack()
        return
    if d.outcome is Outcome.RETRY and d.deliveries < route.max_deliver:
        log.warning("event.retry", consumer=route.durable, deliveries=d.deliveries, error=d.reason)
        await d.raw.nak(delay=retry_delay(rt.retry_base_delay, d.deliveries))
        return
    await _dead_letter(route, rt, d)
    await d.raw.term()


async def _dead_letter(route: EventRoute, rt: ConsumerRuntime, d: Delivery) -> None:
    raw = d.raw
    if rt.js is None:
        log.error("dlq.unavailable", consumer=route.durable, reason=d.reason)
        return
    await dead_letter(
        rt.js,
        stream=raw.metadata.stream,
        stream_seq=raw.metadata.sequence.stream,
        consumer=route.durable,
        subject=raw.subject,
        payload=raw.data,
        headers=dict(raw.headers or {}),
        reason=d.reason,
        deliveries=d.deliveries,
    )
