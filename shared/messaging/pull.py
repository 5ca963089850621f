"""The durable pull consumer of an `EventRoute`: created the same way from every replica, and
pulled from through a `PullFeed` (one request kept open, messages pushed as they arrive).

Every replica calls `bind_pull_consumer` at start-up, possibly at the same instant. Creating a
pull consumer is idempotent in JetStream (same config: the existing consumer is returned; a
changed limit such as `max_deliver`: it is updated), and a pull consumer has no deliver subject,
so there is nothing a racing replica can bind differently.

Consumers created before issue 20 were push consumers with a deliver group. JetStream cannot turn
a push consumer into a pull one, so the first replica that finds one deletes it and creates the
pull consumer starting after the push consumer's ack floor: nothing acked is delivered again,
and whatever was in flight is redelivered (the inbox makes that harmless).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, ConsumerInfo, DeliverPolicy, Header
from nats.js.errors import NotFoundError

from shared.messaging.glue import EventRoute

log = structlog.get_logger()

MAX_IN_FLIGHT = 1024  # unacked deliveries per consumer, all replicas together (max_ack_pending)


def pull_config(route: EventRoute) -> ConsumerConfig:
    return ConsumerConfig(
        durable_name=route.durable,
        name=route.durable,
        filter_subject=route.subject,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=route.ack_wait_s,
        max_deliver=route.max_deliver,
        deliver_policy=DeliverPolicy.ALL,
        max_ack_pending=MAX_IN_FLIGHT,
    )


async def bind_pull_consumer(
    js: JetStreamContext, stream: str, config: ConsumerConfig, *, batch: int, expires_s: float
) -> PullFeed:
    durable = config.durable_name or ""
    existing = await _consumer_info(js, stream, durable)
    if existing is not None and existing.config.deliver_subject:
        config = _after_push_consumer(existing, config)
        try:
            await js.delete_consumer(stream, durable)
        except NotFoundError:  # another replica migrated it first
            pass
        log.info("consumer.migrated_to_pull", consumer=durable, start_seq=config.opt_start_seq)
    elif existing is not None:
        # The start position cannot change once set (a migrated consumer starts at a sequence).
        config.deliver_policy = existing.config.deliver_policy
        config.opt_start_seq = existing.config.opt_start_seq
    await js.add_consumer(stream, config)
    feed = PullFeed(js, stream, durable, batch=batch, expires_s=expires_s)
    await feed.open()
    return feed


def _after_push_consumer(push: ConsumerInfo, config: ConsumerConfig) -> ConsumerConfig:
    floor = push.ack_floor.stream_seq if push.ack_floor is not None else 0
    config.deliver_policy = DeliverPolicy.BY_START_SEQUENCE
    config.opt_start_seq = (floor or 0) + 1
    return config


async def _consumer_info(js: JetStreamContext, stream: str, durable: str) -> ConsumerInfo | None:
    try:
        return await js.consumer_info(stream, durable)
    except NotFoundError:
        return None


class ConsumerGone(Exception):
    """The durable cannot be pulled from any more (deleted, or no JetStream answers): bind again."""


@dataclass
class _Request:
    """One pull request: `left` of its messages still to come on `reply`, until `ends_by`."""

    reply: str
    left: int
    ends_by: float  # monotonic; a request whose end never came (lost status) is over by then
    over: bool = False


class PullFeed:
    """Keeps a pull request open on a durable, so JetStream pushes each message as it arrives.

    nats-py's `fetch` asks and returns as soon as it has something, so each group the consumer
    applied cost a request, the status that ended it and a round trip before its first message;
    and two events a producer committed together were often split in two groups (two
    transactions): the server ended the request after the first, the second came 0.1 ms later.
    Here a request for `batch` messages stays open `expires_s`; messages wait in a local queue
    while the consumer works; the next request goes out when the open one is over (filled,
    expired, or ended by the server) and the queue holds less than a batch, so at most two
    batches are held unacked. Each request has a reply subject of its own: the status ending an
    old request is never taken for the end of the current one. Acks, redelivery after
    `ack_wait`, `max_deliver` and dead letters are the consumer's, exactly as with `fetch`.
    """

    def __init__(self, js: JetStreamContext, stream: str, durable: str, *, batch: int,
                 expires_s: float) -> None:  # fmt: skip
        self._nc = js._nc  # nats-py has no public accessor for these two
        self._next = f"{js._prefix}.CONSUMER.MSG.NEXT.{stream}.{durable}"
        self.batch = batch
        self.expires_s = expires_s
        self._inbox = ""
        self._sub: Subscription | None = None
        self._queue: deque[tuple[float, Msg]] = deque()  # in hand: (when it came, monotonic; it)
        # When the newest message taken so far came (monotonic): a stream is told by the gaps
        # between messages, not by when groups were taken (see `next_group`).
        self._last_came = float("-inf")
        self._waiter: asyncio.Future[None] | None = None
        self._request: _Request | None = None
        self._asked = 0
        self.gone: str | None = None
        self.closing = False  # no new requests: the open one runs out, then the feed is drained

    async def open(self) -> None:
        self._inbox = self._nc.new_inbox()
        self._sub = await self._nc.subscribe(f"{self._inbox}.*", cb=self._on_msg)

    async def close(self) -> None:
        sub, self._sub = self._sub, None
        if sub is not None:
            try:
                await sub.unsubscribe()
            except Exception:  # already closed with its connection
                pass

    @property
    def drained(self) -> bool:
        return self.closing and not self._queue and self._over()

    async def next_group(
        self, limit: int, linger_s: float, gather_s: float = 0.0, enough: int | None = None
    ) -> list[Msg]:
        """Up to `limit` messages in hand. Waits for the first (at most until the open request
        ends: [] then). Then, while messages come as a stream (the first in hand came less than
        `gather_s` after the newest message of the groups before), the group gathers until
        `gather_s` after its first message came or `enough` (at most `limit`) are in hand:
        fewer, larger groups under load, each message held at most `gather_s`, and a fast
        stream's group not held once it is large enough. Otherwise a first message that came
        alone waits `linger_s` for a second one of the same burst (a producer's transaction).

        The gap is measured between messages, not from when the last group was taken: a group
        that waited out the window is taken `gather_s` after its first message, so measured
        from then, messages up to twice the window apart (one every 40 ms at 25 orders/s, say)
        each looked like a stream and each waited the whole window alone."""
        while not self._queue:
            if self.gone is not None:
                raise ConsumerGone(self.gone)
            if self._over():
                if self.closing:
                    return []
                await self._ask()
            assert self._request is not None
            ends_by = self._request.ends_by
            await self._wait(ends_by, lambda: bool(self._queue) or self._over() or bool(self.gone))
        first = self._queue[0][0]
        if gather_s > 0 and first - self._last_came < gather_s:
            stop_at = min(limit, enough or limit)
            await self._wait(first + gather_s, lambda: len(self._queue) >= stop_at)
        elif len(self._queue) == 1 and linger_s > 0:
            await self._wait(time.monotonic() + linger_s, lambda: len(self._queue) > 1)
        taken = [self._queue.popleft() for _ in range(min(limit, len(self._queue)))]
        self._last_came = taken[-1][0]
        group = [msg for _, msg in taken]
        if not self.closing and self._over() and len(self._queue) < self.batch:
            await self._ask()  # the next batch travels while this group is applied
        return group

    def _over(self) -> bool:
        r = self._request
        return r is None or r.over or r.left <= 0 or time.monotonic() >= r.ends_by

    async def _ask(self) -> None:
        self._asked += 1
        reply = f"{self._inbox}.{self._asked}"
        self._request = _Request(reply, self.batch, time.monotonic() + self.expires_s + 1.0)
        expires_ns = int(self.expires_s * 1e9)
        payload = b'{"batch":%d,"expires":%d}' % (self.batch, expires_ns)
        await self._nc.publish(self._next, payload, reply=reply)

    async def _wait(self, deadline: float, done: Callable[[], bool]) -> None:
        """Until `done()` (checked at each message or status) or the monotonic `deadline`."""
        loop = asyncio.get_running_loop()
        while not done():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            waiter = self._waiter = loop.create_future()
            timer = loop.call_later(left, _wake, waiter)
            try:
                await waiter
            finally:
                timer.cancel()
                self._waiter = None

    async def _on_msg(self, msg: Msg) -> None:
        headers = msg.headers or {}
        status = headers.get(Header.STATUS)
        request = self._request
        if status is None:
            self._queue.append((time.monotonic(), msg))
            if request is not None:
                request.left -= 1
        elif status == "100":  # heartbeat or flow control: never asked for, nothing to do
            return
        elif _consumer_gone(status, headers.get(Header.DESCRIPTION, "")):
            self.gone = f"{status} {headers.get(Header.DESCRIPTION, '')}".strip()
        elif request is not None and msg.subject == request.reply:
            request.over = True  # 408 expired, or a 409 ending this request (leader change...)
        if self._waiter is not None:
            _wake(self._waiter)


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


def _consumer_gone(status: str, description: str) -> bool:
    """503: no responders (no JetStream, or no such consumer); a 409 saying it is deleted."""
    if status == "503":
        return True
    text = description.lower()
    return status == "409" and ("deleted" in text or "push based" in text)
