"""The gateway's KV buckets ride through a JetStream leader election instead of failing.

Each bucket is an R3 stream in a cluster. When the node leading it dies, the other two elect a
new leader; until then (measured: 2-6 s on loopback, see docs/operations.md) writes get "no
response from stream" or time out. The idempotency store sits in front of every POST, so a
plain error there was a 503 for every POST for that long. `RidingKV` retries those errors, and
only those, with a growing pause, for up to `budget_s`: the client sees a slower answer.

Retrying a write is safe here because an ambiguous failure (a timeout: did the write land?) is
resolved by reading the key back: `create` and `update` that find the key already holding
exactly the value they were writing return its revision, as if the first attempt had answered.
Every value the gateway writes is unique (it carries a start time or a completed response), so
finding it means this request wrote it. `put` and `delete` are idempotent as they are.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import structlog
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.errors import KeyWrongLastSequenceError, NoStreamResponseError, ServiceUnavailableError

log = structlog.get_logger()

T = TypeVar("T")

BUDGET_S = 10.0  # longer than an election (2-6 s), shorter than a client's patience (15 s+)
FIRST_PAUSE_S, LONGEST_PAUSE_S = 0.1, 1.0
ATTEMPT_TIMEOUT_S = 2.0  # per KV request (the JetStream context's timeout): a dead leader
# answers nothing, so a short timeout leaves room for the retries

# What a leader election looks like from a client; everything else is an answer.
ELECTION_ERRORS = (
    NoStreamResponseError,
    NoRespondersError,
    ServiceUnavailableError,
    NatsTimeoutError,
    TimeoutError,
)


class RidingKV:
    """A KV bucket (or a fake with the same methods) whose operations ride through elections."""

    def __init__(self, kv: Any, budget_s: float | None = None) -> None:
        self._kv = kv
        self._budget_s = budget_s

    def __getattr__(self, name: str) -> Any:  # status(), keys(), watch()...: as they are
        return getattr(self._kv, name)

    async def get(self, key: str) -> Any:
        return await self._ride("get", lambda: self._kv.get(key))

    async def put(self, key: str, value: bytes) -> int:
        return int(await self._ride("put", lambda: self._kv.put(key, value)))

    async def delete(self, key: str) -> bool:
        return bool(await self._ride("delete", lambda: self._kv.delete(key)))

    async def create(self, key: str, value: bytes) -> int:
        return await self._write(key, value, lambda: self._kv.create(key, value))

    async def update(self, key: str, value: bytes, last: int | None = None) -> int:
        return await self._write(key, value, lambda: self._kv.update(key, value, last=last))

    async def _write(self, key: str, value: bytes, write: Callable[[], Awaitable[int]]) -> int:
        ambiguous = False

        async def attempt() -> int:
            nonlocal ambiguous
            try:
                return await write()
            except KeyWrongLastSequenceError:
                if ambiguous:  # an earlier attempt may have written it after all
                    entry = await self._kv.get(key)
                    if entry.value == value:
                        return int(entry.revision)
                raise
            except ELECTION_ERRORS:
                ambiguous = True
                raise

        return int(await self._ride("write", attempt))

    async def _ride(self, op: str, attempt: Callable[[], Awaitable[T]]) -> T:
        budget = BUDGET_S if self._budget_s is None else self._budget_s
        started, pause, tries = time.monotonic(), FIRST_PAUSE_S, 0
        while True:
            tries += 1
            try:
                result = await attempt()
            except ELECTION_ERRORS as exc:
                waited = time.monotonic() - started
                if waited + pause > budget:
                    log.warning("kv.gave_up", op=op, attempts=tries, waited_s=round(waited, 2),
                                error=type(exc).__name__)  # fmt: skip
                    raise
                await asyncio.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE_S)
                continue
            if tries > 1:
                log.info("kv.rode_through", op=op, attempts=tries,
                         waited_ms=int((time.monotonic() - started) * 1000))  # fmt: skip
            return result
