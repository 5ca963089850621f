"""Inbox-guarded JetStream consumers: durable pull consumers shared by replicas, group commit.

Each `EventRoute` is one durable *pull* consumer. Every replica of the service binds to the same
durable and fetches from it; JetStream hands each message to one fetcher. No replica depends on
a deliver subject chosen by whoever created the consumer first: with push consumers and a deliver
group, replicas racing at start-up could leave one of them listening on an inbox nothing
published to (issue 20). A replica that dies simply stops fetching; what it held unacked is
redelivered to the others after `ack_wait`.

A replica keeps a pull request open (`shared.messaging.pull.PullFeed`: messages are pushed as
they arrive and wait in hand while it works), takes what is in hand, up to BATCH_SIZE (an event
that came alone waits LINGER_S for the rest of its burst; under a stream of events a group
gathers for `ConsumerRuntime.gather_s`), applies them in ONE database
transaction (the inbox rows of the group are claimed in one statement, then each new event is
applied in stream order), acks after the commit, and takes the next group. If any event fails,
the transaction rolls back and the group is applied again one event per transaction, so a
failing event never takes the others down with it. A crash before the commit redelivers the
group; the inbox rows committed with the effects make the redelivery harmless.

Outcomes per message:
- applied, or already applied (inbox hit): ack after commit;
- malformed, or refused by the domain (DomainError): dead-lettered with the reason, terminated;
- any other error: rolled back, nak'ed with a growing delay; on its last allowed delivery it is
  dead-lettered with the error as the reason.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from enum import Enum

import structlog
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
from shared.messaging.pull import PullFeed, bind_pull_consumer, pull_config

log = structlog.get_logger()

BATCH_SIZE = 64  # events fetched and applied per transaction, at most
FETCH_WAIT_S = 2.0  # a pull request stays open this long; a clean stop waits for it at most this
# An event that came alone waits this long for the rest of its burst: a producer's transaction
# often publishes two events a few hundred microseconds apart (measured on the order path), and
# applying them in one transaction instead of two halves the commits.
LINGER_S = 0.001
FETCH_ERROR_BACKOFF_S = (0.2, 5.0)  # first and longest pause after a failed fetch


@dataclass
class ConsumerRuntime:
    """What a consumer needs at run time, filled in by the service runtime at start-up."""

    uow: UnitOfWork
    js: JetStreamContext | None = None
    retry_base_delay: float = 0.5
    # Under a stream of events (a group's first event came less than this after the newest
    # event of the groups before) a group gathers for this long from its first event, or until
    # it holds `gather_events`: more events share each transaction, and with them the commit,
    # the inbox claim, the relay's cycle and the log line every group costs (docs/benchmarks.md,
    # "Issue 14", ninth and tenth passes). A slow stream (the orders' late events, one every 10 ms)
    # fills a group only with a long window; a fast one fills it in a few ms and is not held
    # longer. Each event waits at most `gather_s`; after a quiet spell an event only lingers
    # LINGER_S. `<P>CONSUMER_GATHER_MS` (0 turns it off) and `<P>CONSUMER_GATHER_EVENTS`.
    gather_s: float = 0.0
    gather_events: int = BATCH_SIZE


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


class PullConsumer:
    """One replica's worker on a shared durable pull consumer: fetch a group, apply, ack, again."""

    def __init__(self, route: EventRoute, rt: ConsumerRuntime) -> None:
        self.route = route
        self.rt = rt
        self._feed: PullFeed | None = None
        self._stopping = False
        self._stopped = asyncio.Event()
        self.applied = 0  # events this replica applied (for tests and logs)

    async def bind(self) -> None:
        """Create the durable (idempotent across replicas) and open a feed to pull from it."""
        assert self.rt.js is not None
        self._feed = await bind_pull_consumer(
            self.rt.js, self.route.stream.name, pull_config(self.route),
            batch=BATCH_SIZE, expires_s=FETCH_WAIT_S,
        )  # fmt: skip

    async def run(self) -> None:
        pause = FETCH_ERROR_BACKOFF_S[0]
        try:
            while True:
                try:
                    if self._feed is None:
                        if self._stopping:
                            return
                        await self.bind()
                    assert self._feed is not None
                    raws = await self._feed.next_group(
                        BATCH_SIZE, LINGER_S, self.rt.gather_s, self.rt.gather_events
                    )
                except Exception as exc:  # connection lost, consumer gone: bind again, later
                    log.warning("consumer.fetch_failed", consumer=self.route.durable,
                                error=f"{type(exc).__name__}: {exc}", retry_in=pause)  # fmt: skip
                    self._feed = await _close(self._feed)
                    await asyncio.sleep(0 if self._stopping else pause)
                    pause = min(pause * 2, FETCH_ERROR_BACKOFF_S[1])
                    continue
                pause = FETCH_ERROR_BACKOFF_S[0]
                if raws:
                    await self._apply(raws)
                elif self._feed.drained:
                    return
        finally:
            self._stopped.set()

    async def drain(self, timeout: float) -> None:
        """Ask for nothing more; apply and ack what is in hand and what the open request still
        brings (it expires within FETCH_WAIT_S), waiting at most `timeout`."""
        self._stopping = True
        if self._feed is not None:
            self._feed.closing = True
        try:
            await asyncio.wait_for(self._stopped.wait(), timeout)
        except TimeoutError:
            log.warning("consumer.drain_timeout", consumer=self.route.durable)
        self._feed = await _close(self._feed)

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
        self.applied += applied
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


async def _close(feed: PullFeed | None) -> PullFeed | None:
    """Close the feed if open; returns None, the feed's new value."""
    if feed is not None:
        await feed.close()
    return None


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
