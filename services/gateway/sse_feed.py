"""One JetStream consumer per gateway process for a subject every stream reads, fanned out by key.

The in-app inbox streams all read `notifications.message.delivered` and each keeps its own
customer's events. With a consumer per stream, N open streams had NATS push every delivered
message N times and the gateway parse it N times. `SharedFeed` reads the subject once (an
ordered consumer, started when the first stream joins and deleted when the last one leaves),
parses each event once and queues it only for the streams of its key (the customer).

What a stream sees is what its own consumer would have sent:
- Order, no gap, no repeat: the feed is an ordered consumer (nats-py restarts it after the last
  sequence it delivered on a gap), and a stream that joins gets every event with a sequence
  above the feed's position when it joined (`Listener.joined_at`), in order.
- A new stream reads the stream's last sequence after joining (its `ready` id), which is at or
  above `joined_at`, and skips what it got up to there. A resume (`Last-Event-ID: R`) at or above
  `joined_at` skips up to R; one below it (older than the feed) is not served here: the caller
  gives that stream its own consumer from R + 1, as before.
- A slow client cannot hold up the others: its queue is bounded (`QUEUE_LIMIT`); when it is full
  the stream is cut off the feed and, once it has sent what it had queued, goes on with its own
  consumer from the last event it sent, so it still misses nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Collection
from typing import Any

import orjson
import structlog
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy
from sse_starlette import ServerSentEvent

log = structlog.get_logger()

QUEUE_LIMIT = 1000  # events queued for one stream before it is cut off to a consumer of its own
INACTIVE_THRESHOLD_S = 30.0  # the server drops a forgotten consumer after this

# (stream sequence, event type, the event's JSON as text)
Item = tuple[int, str, str]


class Listener:
    """One stream's place on the feed."""

    def __init__(self, key: str, joined_at: int) -> None:
        self.key = key
        self.joined_at = joined_at
        self.queue: asyncio.Queue[Item] = asyncio.Queue(QUEUE_LIMIT)
        self.cut_off = False  # its queue overflowed: it goes on with a consumer of its own


class SharedFeed:
    def __init__(
        self,
        js: JetStreamContext,
        stream: str,
        subject: str,
        key_of: Callable[[dict[str, Any]], str | None],
    ) -> None:
        self._js, self.stream, self.subject, self._key_of = js, stream, subject, key_of
        self._listeners: dict[str, set[Listener]] = {}
        self._count = 0
        self._lock = asyncio.Lock()
        self._sub: Any = None
        self.position = 0  # the last stream sequence the feed has handed out

    @property
    def listening(self) -> int:
        return self._count

    async def join(self, key: str) -> Listener:
        async with self._lock:
            if self._sub is None:
                await self._start()
            # No await between reading the position and registering: nothing falls between.
            listener = Listener(key, self.position)
            self._listeners.setdefault(key, set()).add(listener)
            self._count += 1
            return listener

    async def leave(self, listener: Listener) -> None:
        self._detach(listener)
        self._count -= 1
        if self._count == 0:
            async with self._lock:
                if self._count == 0 and self._sub is not None:
                    sub, self._sub = self._sub, None
                    await close_consumer(self._js, self.stream, sub)

    async def last_seq(self) -> int:
        return int((await self._js.stream_info(self.stream)).state.last_seq)

    async def _start(self) -> None:
        last = await self.last_seq()
        config = ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
            opt_start_seq=last + 1,
            inactive_threshold=INACTIVE_THRESHOLD_S,
        )
        self.position = last
        self._sub = await self._js.subscribe(
            self.subject, stream=self.stream, ordered_consumer=True, config=config, cb=self._on_msg
        )

    async def _on_msg(self, msg: Any) -> None:
        seq = msg.metadata.sequence.stream
        self.position = seq
        event = self._event(msg.data, msg.subject)
        key = self._key_of(event) if event is not None else None
        group = self._listeners.get(key) if key is not None else None
        if not group:
            return
        assert event is not None
        item = (seq, str(event.get("type", "message")), msg.data.decode())
        for listener in list(group):
            if listener.queue.full():
                log.info("sse.feed_cut_off", stream=self.stream, queued=QUEUE_LIMIT)
                self._cut_off(listener)
            else:
                listener.queue.put_nowait(item)

    def _event(self, data: bytes, subject: str) -> dict[str, Any] | None:
        try:
            event = orjson.loads(data)
        except orjson.JSONDecodeError:
            log.warning("sse.bad_event", stream=self.stream, subject=subject)
            return None
        return event if isinstance(event, dict) else None

    def _cut_off(self, listener: Listener) -> None:
        listener.cut_off = True
        self._detach(listener)

    def _detach(self, listener: Listener) -> None:
        group = self._listeners.get(listener.key)
        if group is not None:
            group.discard(listener)
            if not group:
                del self._listeners[listener.key]


async def close_consumer(js: JetStreamContext, stream: str, sub: Any) -> None:
    """Unsubscribe and delete the consumer now: unsubscribing alone leaves it on the server for
    INACTIVE_THRESHOLD_S, and open consumers are what the per-caller cap is meant to bound."""
    try:
        name = (await sub.consumer_info()).name
        await sub.unsubscribe()
        await js.delete_consumer(stream, name)
    except Exception as exc:  # connection already closed: the consumer times out on its own
        log.debug("sse.unsubscribe_failed", error=str(exc))


async def feed_events(
    feed: SharedFeed,
    key: str,
    resume_after: int | None,
    alone: Callable[[int], AsyncIterator[ServerSentEvent]],
    *,
    heartbeat_seconds: float = 15.0,
    types: Collection[str] | None = None,
) -> AsyncIterator[ServerSentEvent]:
    """`key`'s events from the shared feed as SSE, like `stream_events` on a consumer of its own
    (`alone(after)`, which this falls back to for an old resume position or once cut off)."""
    listener = await feed.join(key)
    try:
        last = resume_after
        if last is None or last >= listener.joined_at:  # else older than the feed: alone
            if last is None:
                last = await feed.last_seq()
                yield ServerSentEvent(id=str(last), event="ready", data=f'{{"position":{last}}}')
            queued = _queued(listener, last, heartbeat_seconds, types)
            try:
                async for event in queued:
                    last = int(event.id) if event.id is not None else last
                    yield event
            finally:
                await queued.aclose()  # type: ignore[attr-defined]
    finally:
        await asyncio.shield(feed.leave(listener))
    # Cut off the feed (or never on it): on with a consumer of its own after the last event sent.
    rest = alone(last)
    try:
        async for event in rest:
            yield event
    finally:
        await rest.aclose()  # type: ignore[attr-defined]


async def _queued(
    listener: Listener, after: int, heartbeat_seconds: float, types: Collection[str] | None
) -> AsyncIterator[ServerSentEvent]:
    """The listener's events above `after` (and heartbeats when quiet) until it is cut off."""
    queue = listener.queue
    while not (listener.cut_off and queue.empty()):
        try:
            async with asyncio.timeout(heartbeat_seconds):
                item = await queue.get()
        except TimeoutError:
            yield ServerSentEvent(comment="heartbeat")
            continue
        seq, kind, data = item
        if seq > after and (types is None or kind in types):
            yield ServerSentEvent(id=str(seq), event=kind, data=data)


def in_app_customer(event: dict[str, Any]) -> str | None:
    """The inbox feed's key: the customer of an `in_app` delivery (None: no inbox shows it)."""
    data = event.get("data")
    if isinstance(data, dict) and data.get("channel") == "in_app":
        customer = data.get("customer_id")
        return customer if isinstance(customer, str) else None
    return None


def in_app_delivery_for(customer_id: str) -> Callable[[dict[str, Any]], bool]:
    """`notifications.message.delivered` on the `in_app` channel for this customer: the same
    test as the feed's key, for a stream on a consumer of its own."""

    def mine(event: dict[str, Any]) -> bool:
        return in_app_customer(event) == customer_id

    return mine


def order_or_its_returns(order_id: str) -> Callable[[dict[str, Any]], bool]:
    """An order's own events (its id is their subject) and its returns' (their subject is the
    return; they carry the order's id), for an order page that follows both on one stream."""

    def ours(event: dict[str, Any]) -> bool:
        kind = str(event.get("type", ""))
        if kind.startswith("orders.return."):
            data = event.get("data")
            return isinstance(data, dict) and data.get("order_id") == order_id
        return kind.startswith("orders.order.") and event.get("subject") == order_id

    return ours
