"""Server-Sent Events fed from JetStream: live status of one claim, one order, or one inbox.

A claim or order stream reads the producer's stream through an ordered, ephemeral (memory, R1)
consumer of its own filtered on the entity's subjects (`warranty.claim.*`) and keeps the events
whose CloudEvent `subject` is the object id; the inbox streams of a process share one consumer
(sse_feed.py). The SSE `id` is the stream sequence, so a client that reconnects with
`Last-Event-ID: <seq>` resumes right after the last event it saw, and nothing is missed or
repeated. A new connection (no Last-Event-ID) starts at the stream's current end: it first gets a
`ready` event whose id is that position (so even a reconnect before any event resumes exactly),
then live events. History is the object's own GET/timeline, not the stream. Authorization is the
router's job and happens before `event_stream_response` is built.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Collection
from dataclasses import dataclass
from typing import Annotated, Any

import structlog
from fastapi import Depends, Header, Request
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.background import BackgroundTask

from services.gateway.auth import CALLER_ROLES, Principal, current_principal
from services.gateway.runtime import JetStream, get_runtime
from services.gateway.sse_event import event_for_caller
from services.gateway.sse_feed import (
    INACTIVE_THRESHOLD_S,
    SharedFeed,
    close_consumer,
    feed_events,
    in_app_customer,
    in_app_delivery_for,
    order_or_its_returns,
)
from services.gateway.sse_response import EventStreamResponse
from services.gateway.stream_slots import StreamLease, StreamSlots
from shared.errors import DomainError

log = structlog.get_logger()

CLAIM_STREAM = ("WARRANTY", "warranty.claim.*")
ORDER_STREAM = ("ORDERS", "orders.order.*")
RETURN_STREAM = ("ORDERS", "orders.return.*")
ORDER_AND_RETURNS = ("ORDERS", "orders.>")  # the order's events and its returns' (matched below)
# A message is in the customer's in-app inbox once it is delivered on the in_app channel.
NOTIFICATION_STREAM = ("NOTIFICATIONS", "notifications.message.delivered")


# A resume position is a JetStream stream sequence (uint64). 19 digits always fit, and so does the
# next sequence the consumer starts at; anything else never reaches NATS (which aborts the stream
# on an out-of-range start sequence). Published as the header's pattern, enforced here with 400.
LAST_EVENT_ID_PATTERN = r"^[0-9]{1,19}$"
_LAST_EVENT_ID_RE = re.compile(LAST_EVENT_ID_PATTERN)


def parse_last_event_id(value: str | None) -> int | None:
    """The stream sequence a client saw last (None: start from now); 400 for anything else."""
    if value is None:
        return None
    if not _LAST_EVENT_ID_RE.fullmatch(value):
        raise DomainError(
            "Last-Event-ID must be the `id` of an event this stream sent (1-19 digits).",
            code="invalid_last_event_id",
        )
    return int(value)


async def resume_position(
    last_event_id: Annotated[
        str | None,
        Header(
            alias="Last-Event-ID",
            description=(
                "Resume after this event: the `id` of the last event received (a stream "
                "sequence). Absent: start from now. Anything else is 400 "
                "`invalid_last_event_id`."
            ),
            json_schema_extra={"pattern": LAST_EVENT_ID_PATTERN, "maxLength": 19},
        ),
    ] = None,
) -> int | None:
    return parse_last_event_id(last_event_id)


def _consumer_config(start_seq: int) -> ConsumerConfig:
    return ConsumerConfig(
        deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
        opt_start_seq=start_seq,
        inactive_threshold=INACTIVE_THRESHOLD_S,
    )


async def stream_events(
    js: JetStreamContext,
    stream: str,
    subject_filter: str,
    object_id: str | None,
    resume_after: int | None = None,
    *,
    heartbeat_seconds: float = 15.0,
    match: Callable[[dict[str, Any]], bool] | None = None,
    types: Collection[str] | None = None,
    staff: bool = True,
) -> AsyncIterator[ServerSentEvent]:
    """Yield the object's events as SSE (and a heartbeat comment when quiet), forever.

    `object_id` is compared with the CloudEvent `subject`; `match` may replace that test (the
    notifications inbox matches on a field of `data`). `types`, when given, is the allow-list of
    event types this caller may see (e.g. customers do not get agent-only events); `staff`:
    the caller is an agent, who sees the id of an agent who acted (sse_event.py).
    """
    keep = match or (lambda event: event.get("subject") == object_id)
    last_seq = resume_after
    if last_seq is None:
        last_seq = (await js.stream_info(stream)).state.last_seq
        yield ServerSentEvent(id=str(last_seq), event="ready", data=f'{{"position":{last_seq}}}')
    sub = await _subscribe(js, stream, subject_filter, last_seq + 1)
    try:
        while True:
            try:
                msg = await sub.next_msg(timeout=heartbeat_seconds)
            except (NatsTimeoutError, TimeoutError):
                yield ServerSentEvent(comment="heartbeat")
                continue
            event = event_for_caller(msg, stream, keep, types, staff)
            if event is not None:
                yield event
    finally:
        # Also runs when the client goes away (the generator is cancelled/closed).
        await asyncio.shield(close_consumer(js, stream, sub))


_closing: set[asyncio.Task[None]] = set()


async def _subscribe(js: JetStreamContext, stream: str, subject_filter: str, start: int) -> Any:
    """An ordered consumer from `start`. A client that leaves while the server is creating it
    cancels us mid-request: the consumer would still be created, so close it once it exists."""
    pending = asyncio.ensure_future(
        js.subscribe(
            subject_filter, stream=stream, ordered_consumer=True, config=_consumer_config(start)
        )
    )
    try:
        return await asyncio.shield(pending)
    except asyncio.CancelledError:

        def close_when_made(task: asyncio.Future[Any]) -> None:
            if not task.cancelled() and task.exception() is None:
                closing = asyncio.ensure_future(close_consumer(js, stream, task.result()))
                _closing.add(closing)
                closing.add_done_callback(_closing.discard)

        pending.add_done_callback(close_when_made)
        raise


@dataclass
class LiveStreams:
    """What a stream endpoint needs, as one dependency: JetStream, where to resume, and the
    caller's share of open streams. Authorize first (the object's GET RPC), then call one of
    `claim`, `order` or `inbox`; the caller's stream slot is taken only then."""

    js: JetStreamContext
    resume_after: int | None
    heartbeat_seconds: float
    slots: StreamSlots
    caller: str
    inbox_feed: SharedFeed | None = None  # None: each inbox stream reads its own consumer
    staff: bool = False  # an agent: sees the id of an agent who acted

    def claim(self, claim_id: str, types: Collection[str] | None = None) -> EventSourceResponse:
        return self._respond(CLAIM_STREAM, claim_id, types=types)

    def order(self, order_id: str, types: Collection[str] | None = None,
              returns: bool = False) -> EventSourceResponse:  # fmt: skip
        """The order's events; `returns`: its returns' too, on this one stream."""
        if returns:
            return self._respond(ORDER_AND_RETURNS, None, match=order_or_its_returns(order_id),
                                 types=types)  # fmt: skip
        return self._respond(ORDER_STREAM, order_id, types=types)

    def return_(self, return_id: str) -> EventSourceResponse:
        """A return's events (`orders.return.*`), ids and figures only."""
        return self._respond(RETURN_STREAM, return_id)

    def inbox(self, customer_id: str) -> EventSourceResponse:
        """In-app notifications of one customer (the content stays behind the inbox RPC), from
        the process's shared feed of deliveries (sse_feed.py) when there is one."""
        if self.inbox_feed is None:
            return self._respond(NOTIFICATION_STREAM, None, match=in_app_delivery_for(customer_id))
        lease = self.slots.open(self.caller)  # 429 before anything is sent

        def alone(after: int) -> AsyncIterator[ServerSentEvent]:
            return self._events(NOTIFICATION_STREAM, None, after, in_app_delivery_for(customer_id))

        feed = feed_events(
            self.inbox_feed, customer_id, self.resume_after, alone,
            heartbeat_seconds=self.heartbeat_seconds,
        )  # fmt: skip
        return _response(feed, lease)

    def _respond(
        self,
        source: tuple[str, str],
        object_id: str | None,
        *,
        match: Callable[[dict[str, Any]], bool] | None = None,
        types: Collection[str] | None = None,
    ) -> EventSourceResponse:
        lease = self.slots.open(self.caller)  # 429 before anything is sent
        return _response(self._events(source, object_id, self.resume_after, match, types), lease)

    def _events(
        self,
        source: tuple[str, str],
        object_id: str | None,
        resume_after: int | None,
        match: Callable[[dict[str, Any]], bool] | None = None,
        types: Collection[str] | None = None,
    ) -> AsyncIterator[ServerSentEvent]:
        return stream_events(
            self.js, *source, object_id, resume_after,
            heartbeat_seconds=self.heartbeat_seconds, match=match, types=types, staff=self.staff,
        )  # fmt: skip


def _response(events: AsyncIterator[ServerSentEvent], lease: StreamLease) -> EventSourceResponse:
    # sse-starlette's own ping is off: the events carry heartbeats when the stream is quiet.
    # The lease goes back when the events end, and again (a no-op) when the response ends, in
    # case the client left before the generator ever started.
    return EventStreamResponse(
        _released_after(events, lease),
        ping=0,
        headers={"X-Accel-Buffering": "no"},
        background=BackgroundTask(lease.release),
    )


async def _released_after(
    events: AsyncIterator[ServerSentEvent], lease: StreamLease
) -> AsyncIterator[ServerSentEvent]:
    try:
        async for event in events:
            yield event
    finally:
        lease.release()
        await events.aclose()  # type: ignore[attr-defined]


async def live_streams(
    request: Request,
    principal: Annotated[Principal, Depends(current_principal)],
    resume_after: Annotated[int | None, Depends(resume_position)],  # 400 before anything else
    js: JetStream,
) -> LiveStreams:
    runtime = get_runtime(request)
    if runtime.inbox_feed is None:  # one per process, made on the first stream
        runtime.inbox_feed = SharedFeed(js, *NOTIFICATION_STREAM, in_app_customer)
    return LiveStreams(
        js=js,
        resume_after=resume_after,
        heartbeat_seconds=runtime.settings.sse_heartbeat_seconds,
        slots=runtime.stream_slots,
        caller=principal.key,
        inbox_feed=runtime.inbox_feed,
        staff=principal.type == "agent",
    )


# Needs a principal but restricts no role (the route's own dependency does).
setattr(live_streams, CALLER_ROLES, ("customer", "agent", "partner"))
Streams = Annotated[LiveStreams, Depends(live_streams)]
