"""Server-Sent Events fed from JetStream: live status of one claim, one order, or one inbox.

Each connection reads the producer's stream through an ordered, ephemeral (memory, R1) consumer
filtered on the entity's subjects (`warranty.claim.*`) and keeps the events whose CloudEvent
`subject` is the object id. The SSE `id` is the stream sequence, so a client that reconnects with
`Last-Event-ID: <seq>` resumes right after the last event it saw, and nothing is missed or
repeated. A new connection (no Last-Event-ID) starts at the stream's current end: it first gets a
`ready` event whose id is that position (so even a reconnect before any event resumes exactly),
then live events. History is the object's own GET/timeline, not the stream: replaying 30 days of
every claim to find one claim's events would cost each connection the whole stream.
Authorization is the router's job and happens before `event_stream_response` is built.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Collection
from typing import Any

import orjson
import structlog
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy
from sse_starlette import EventSourceResponse, ServerSentEvent

log = structlog.get_logger()

CLAIM_STREAM = ("WARRANTY", "warranty.claim.*")
ORDER_STREAM = ("ORDERS", "orders.order.*")
# A message is in the customer's in-app inbox once it is delivered on the in_app channel.
NOTIFICATION_STREAM = ("NOTIFICATIONS", "notifications.message.delivered")
INACTIVE_THRESHOLD_S = 30.0  # the server drops a forgotten consumer after this
# OpenAPI `responses={200: SSE_RESPONSE}` for stream endpoints.
SSE_RESPONSE: dict[str, Any] = {
    "description": (
        "Server-Sent Events: first `event: ready` (its `id` is the current position), then one "
        "event per CloudEvent (`event` = type, `id` = stream sequence, `data` = the CloudEvent "
        "JSON), and `: heartbeat` comments when quiet. Reconnect with `Last-Event-ID` to resume "
        "after the last event seen. Past events: use the object's GET/timeline."
    ),
    "content": {"text/event-stream": {"schema": {"type": "string"}}},
}


def parse_last_event_id(value: str | None) -> int | None:
    """The stream sequence a client saw last; anything else starts from the beginning."""
    if value and value.strip().isdigit():
        return int(value.strip())
    return None


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
    last_event_id: str | None = None,
    *,
    heartbeat_seconds: float = 15.0,
    match: Callable[[dict[str, Any]], bool] | None = None,
    types: Collection[str] | None = None,
) -> AsyncIterator[ServerSentEvent]:
    """Yield the object's events as SSE (and a heartbeat comment when quiet), forever.

    `object_id` is compared with the CloudEvent `subject`; `match` may replace that test (the
    notifications inbox matches on a field of `data`). `types`, when given, is the allow-list of
    event types this caller may see (e.g. customers do not get agent-only events).
    """
    keep = match or (lambda event: event.get("subject") == object_id)
    last_seq = parse_last_event_id(last_event_id)
    if last_seq is None:
        last_seq = (await js.stream_info(stream)).state.last_seq
        yield ServerSentEvent(id=str(last_seq), event="ready", data=f'{{"position":{last_seq}}}')
    sub = await js.subscribe(
        subject_filter, stream=stream, ordered_consumer=True, config=_consumer_config(last_seq + 1)
    )
    try:
        while True:
            try:
                msg = await sub.next_msg(timeout=heartbeat_seconds)
            except (NatsTimeoutError, TimeoutError):
                yield ServerSentEvent(comment="heartbeat")
                continue
            try:
                event = orjson.loads(msg.data)
            except orjson.JSONDecodeError:
                log.warning("sse.bad_event", stream=stream, subject=msg.subject)
                continue
            if not isinstance(event, dict) or not keep(event):
                continue
            if types is not None and event.get("type") not in types:
                continue
            yield ServerSentEvent(
                id=str(msg.metadata.sequence.stream),
                event=str(event.get("type", "message")),
                data=msg.data.decode(),
            )
    finally:
        # Also runs when the client goes away (the generator is cancelled/closed).
        try:
            await asyncio.shield(sub.unsubscribe())
        except Exception as exc:  # connection already closed: the consumer times out on its own
            log.debug("sse.unsubscribe_failed", error=str(exc))


def event_stream_response(
    js: JetStreamContext,
    stream: str,
    subject_filter: str,
    object_id: str | None,
    last_event_id: str | None,
    *,
    heartbeat_seconds: float = 15.0,
    match: Callable[[dict[str, Any]], bool] | None = None,
    types: Collection[str] | None = None,
) -> EventSourceResponse:
    events = stream_events(
        js,
        stream,
        subject_filter,
        object_id,
        last_event_id,
        heartbeat_seconds=heartbeat_seconds,
        match=match,
        types=types,
    )
    # sse-starlette's own ping is off: stream_events sends heartbeats when the stream is quiet.
    return EventSourceResponse(events, ping=0, headers={"X-Accel-Buffering": "no"})


def claim_events(
    js: JetStreamContext,
    claim_id: str,
    last_event_id: str | None,
    heartbeat: float,
    types: Collection[str] | None = None,
) -> EventSourceResponse:
    return event_stream_response(
        js, *CLAIM_STREAM, claim_id, last_event_id, heartbeat_seconds=heartbeat, types=types
    )


def order_events(
    js: JetStreamContext,
    order_id: str,
    last_event_id: str | None,
    heartbeat: float,
    types: Collection[str] | None = None,
) -> EventSourceResponse:
    return event_stream_response(
        js, *ORDER_STREAM, order_id, last_event_id, heartbeat_seconds=heartbeat, types=types
    )


def notification_events(
    js: JetStreamContext, customer_id: str, last_event_id: str | None, heartbeat: float
) -> EventSourceResponse:
    """In-app notifications of one customer (the content stays behind the inbox RPC)."""
    return event_stream_response(
        js,
        *NOTIFICATION_STREAM,
        None,
        last_event_id,
        heartbeat_seconds=heartbeat,
        match=in_app_delivery_for(customer_id),
    )


def in_app_delivery_for(customer_id: str) -> Callable[[dict[str, Any]], bool]:
    """`notifications.message.delivered` on the `in_app` channel for this customer."""

    def mine(event: dict[str, Any]) -> bool:
        data = event.get("data")
        return (
            isinstance(data, dict)
            and data.get("customer_id") == customer_id
            and data.get("channel") == "in_app"
        )

    return mine
