"""Inbox-guarded JetStream consumers with group commit, in stream order.

Each consumer is a durable push consumer with a deliver group (replicas share it). Its callback
only queues the message; a per-consumer worker (`GroupCommit.run`) applies whatever is queued,
up to 64 events, in ONE database transaction: the inbox rows of the group are claimed in one
statement, then each new event is applied in order. One commit per group instead of one per
event, and a lone message is applied at once, so latency stays low. If any event fails, the
transaction rolls back and the group is applied again one event per transaction, so a failing
event never takes the others down with it. Acks are sent only after the commit; a crash before
the commit redelivers the group, and the inbox rows committed with the effects make the
redelivery harmless.

Outcomes per message:
- applied, or already applied (inbox hit): ack after commit;
- malformed, or refused by the domain (DomainError): dead-lettered with the reason, terminated;
- any other error: rolled back, nak'ed with a growing delay; on its last allowed delivery it is
  dead-lettered with the error as the reason.
"""

from __future__ import annotations

import asyncio
import time
import warnings
from dataclasses import dataclass
from enum import Enum

import structlog
from faststream import AckPolicy
from faststream.nats import ConsumerConfig, DeliverPolicy, JStream, NatsBroker
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

BATCH_SIZE = 64  # events applied per transaction, at most
MAX_IN_FLIGHT = 1024  # unacked deliveries per consumer (JetStream max_ack_pending)


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

    @property
    def deliveries(self) -> int:
        return int(self.raw.metadata.num_delivered)


def register_consumer(broker: NatsBroker, route: EventRoute, rt: ConsumerRuntime) -> GroupCommit:
    """Subscribe `route` and return its GroupCommit, whose `run()` the owner must keep running."""
    group = GroupCommit(route, rt)
    config = ConsumerConfig(
        max_deliver=route.max_deliver,
        ack_wait=route.ack_wait_s,
        deliver_policy=DeliverPolicy.ALL,
        max_ack_pending=MAX_IN_FLIGHT,
    )

    # A push consumer with a deliver group: replicas of a service share the durable, and each
    # process receives its messages one callback at a time, in stream order. (FastStream warns
    # about any durable push consumer; with `queue` set it does scale across processes, which
    # tests/integration/runtime/test_replicas.py shows.)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The JetStream Push consumer with the `durable`")
        subscriber = broker.subscriber(
            route.subject,
            stream=JStream(route.stream.name, declare=False),
            durable=route.durable,
            queue=route.durable,
            config=config,
            ack_policy=AckPolicy.MANUAL,
            title=route.durable,
        )

    @subscriber
    async def on_event(msg: NatsMessage) -> None:
        group.enqueue(msg.raw_message)

    return group


class GroupCommit:
    """Applies the deliveries of one consumer in arrival order, a group per transaction.

    The subscriber callback only queues a message (so it returns at once and the next one is
    delivered in order); `run()` takes everything queued, up to BATCH_SIZE, applies it in one
    transaction, then acks. A lone message is applied at once: no waiting to fill a batch.
    """

    def __init__(self, route: EventRoute, rt: ConsumerRuntime) -> None:
        self.route = route
        self.rt = rt
        self._queue: list[Msg] = []
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()

    def enqueue(self, raw: Msg) -> None:
        self._queue.append(raw)
        self._idle.clear()
        self._wake.set()

    async def run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                group, self._queue = self._queue[:BATCH_SIZE], self._queue[BATCH_SIZE:]
                await self._apply(group)
            self._idle.set()

    async def drain(self, timeout: float) -> None:
        """Wait (bounded) until what was queued is applied and acked; the rest is redelivered."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            log.warning(
                "consumer.drain_timeout", consumer=self.route.durable, queued=len(self._queue)
            )

    async def _apply(self, raws: list[Msg]) -> None:
        started = time.perf_counter()
        deliveries = [_parse(raw) for raw in raws]
        valid = [d for d in deliveries if d.outcome is not Outcome.POISON]
        try:
            if valid:
                await _apply_in_one_transaction(self.route, self.rt, valid)
        except Exception as exc:  # the commit itself failed (database down...): retry them all
            for d in valid:
                d.outcome, d.reason = Outcome.RETRY, f"{type(exc).__name__}: {exc}"
        for d in deliveries:
            try:
                await _settle(self.route, self.rt, d)
            except Exception as exc:  # connection lost: the message is redelivered after ack_wait
                log.warning("consumer.settle_failed", consumer=self.route.durable, error=str(exc))
        applied = sum(d.outcome is Outcome.APPLIED for d in deliveries)
        if applied:
            causes = sorted({d.event.correlationid for d in valid if d.event.correlationid})  # type: ignore[union-attr]
            log.info(
                "events.applied",
                correlation_id=causes[0] if len(causes) == 1 else None,
                correlation_ids=causes if len(causes) > 1 else None,
                consumer=self.route.durable,
                count=applied,
                group=len(raws),
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
