"""Every JetStream stream, declared with its full configuration in one place.

FastStream's `declare=True` would overwrite a stream's config with its defaults, so subscribers
use `JStream(name, declare=False)` and `ensure_streams` is the only code that creates or updates
streams (at `concierge up`, and by each service at start-up: idempotent).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

import structlog
from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

log = structlog.get_logger()

DAY = 24 * 3600
DUPLICATE_WINDOW_S = 10 * 60
_TOKEN_RE = re.compile(r"^[^\s*>.]+$")


@dataclass(frozen=True)
class StreamSpec:
    name: str
    subjects: tuple[str, ...]
    description: str
    max_age_s: int


WARRANTY = StreamSpec(
    "WARRANTY", ("warranty.>",), "Facts published by the warranty service", 30 * DAY
)
ORDERS = StreamSpec("ORDERS", ("orders.>",), "Facts published by the orders service", 30 * DAY)
NOTIFICATIONS = StreamSpec(
    "NOTIFICATIONS", ("notifications.>",), "Facts published by the notifications service", 30 * DAY
)
# Dead letters: `dlq.<STREAM>.<consumer>`; kept longer so an operator can inspect and replay.
DLQ = StreamSpec("DLQ", ("dlq.>",), "Events a consumer gave up on, with the reason", 90 * DAY)

ALL_STREAMS = (WARRANTY, ORDERS, NOTIFICATIONS, DLQ)
EVENT_STREAMS = (WARRANTY, ORDERS, NOTIFICATIONS)
STREAM_BY_SERVICE = {"warranty": WARRANTY, "orders": ORDERS, "notifications": NOTIFICATIONS}


def stream_config(spec: StreamSpec, replicas: int) -> StreamConfig:
    return StreamConfig(
        name=spec.name,
        description=spec.description,
        subjects=list(spec.subjects),
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        max_age=spec.max_age_s,
        duplicate_window=DUPLICATE_WINDOW_S,
        num_replicas=replicas,
        allow_direct=True,
    )


async def ensure_streams(
    js: JetStreamContext, replicas: int = 1, *, attempts: int = 20, delay: float = 0.5
) -> None:
    """Create missing streams and bring existing ones to the declared config.

    A JetStream cluster that just reported healthy may still be electing its meta leader
    ("no suitable peers for placement", timeouts): retry for a while instead of crashing.
    """
    for attempt in range(1, attempts + 1):
        try:
            for spec in ALL_STREAMS:
                await _ensure_stream(js, stream_config(spec, replicas))
            return
        except (NatsError, TimeoutError) as exc:
            if attempt == attempts:
                raise
            log.warning(
                "stream.declare_retry", attempt=attempt, error=str(exc) or type(exc).__name__
            )
            await asyncio.sleep(delay)


async def _ensure_stream(js: JetStreamContext, config: StreamConfig) -> None:
    try:
        await js.stream_info(config.name or "")
    except NotFoundError:
        await js.add_stream(config)
        log.info("stream.created", stream=config.name, replicas=config.num_replicas)
    else:
        await js.update_stream(config)


def is_event_subject(subject: str) -> bool:
    """A concrete subject (no wildcards, no empty tokens) that an event stream captures: the only
    kind a dead letter may be replayed to (anything else fails, or lands back in the DLQ)."""
    tokens = subject.split(".")
    if not subject or not all(_TOKEN_RE.match(token) for token in tokens):
        return False
    return any(
        _matches(pattern.split("."), tokens)
        for stream in EVENT_STREAMS
        for pattern in stream.subjects
    )


def _matches(pattern: list[str], tokens: list[str]) -> bool:
    for i, part in enumerate(pattern):
        if part == ">":
            return len(tokens) > i
        if i >= len(tokens) or (part != "*" and part != tokens[i]):
            return False
    return len(tokens) == len(pattern)
