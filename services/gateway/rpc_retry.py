"""RPC calls from the gateway that ride through a NATS node loss when that is safe.

- "No responders" means no process received the request (every replica of the service is
  restarting, or reconnecting after its NATS node died): retried with a short growing pause
  until the call's own timeout. It can never run anything twice.
- A timeout may mean the service received the request and acted, or that the request or its
  reply was lost with a connection to a NATS node that died (the client reconnects to another
  node; what was in flight on the old connection never arrives). It is retried once, inside the
  request's deadline (the RPC timeout plus `DEADLINE_MARGIN_SECONDS`, the same deadline the
  gateway's Idempotency-Key lease has, where the gateway keeps the key), and only when
  repeating the request is harmless:
  - a request of an HTTP request that carries an Idempotency-Key: every RPC of it carries the
    key (`X-Request-Key`), and services answer a repeat of a command they already applied with
    its first reply (`shared.messaging.requests`, issue 18);
  - a request of a read (GET or HEAD): reading twice changes nothing;
  - a request that carries a `request_id` (claims and quotes derive their ids from it), or an
    operation documented as idempotent (`PlaceOrderRequest`: "placing the same quote twice
    returns the same order").
  A client then sees a slower success instead of a 504 (issue 20). A POST without an
  Idempotency-Key whose reply was lost stays a 504: repeating it could apply it twice.
"""

from __future__ import annotations

import asyncio
import time
from contextvars import ContextVar
from typing import Any

import structlog
from nats.errors import NoRespondersError
from pydantic import BaseModel

from services.gateway.idempotency_lease import DEADLINE_MARGIN_SECONDS
from shared.contracts import orders
from shared.rpc import (
    UpstreamTimeout,
    UpstreamUnavailable,
    current_kept_request,
    current_request_key,
)

log = structlog.get_logger()

IDEMPOTENT_BY_CONTRACT = frozenset({orders.Subjects.PLACE_ORDER})
SAFE_METHODS = frozenset({"GET", "HEAD"})
# Set by RequestContextMiddleware for the HTTP request being served: is it a read?
_read_only: ContextVar[bool] = ContextVar("gateway_read_only_request", default=False)


def mark_request(method: str) -> Any:
    """Bind whether the HTTP request being served is a read; returns a token for `unmark`."""
    return _read_only.set(method in SAFE_METHODS)


def unmark_request(token: Any) -> None:
    _read_only.reset(token)


def repeatable(subject: str, payload: Any) -> bool:
    """Whether asking again after a timeout cannot apply anything twice."""
    return (
        _read_only.get()
        or current_request_key() is not None
        or subject in IDEMPOTENT_BY_CONTRACT
        or _carries_request_id(payload)
    )


class RidingRpc:
    """Wraps an RpcClient (or a fake with the same `call`)."""

    def __init__(self, rpc: Any) -> None:
        self._rpc = rpc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._rpc, name)

    async def call(self, subject: str, payload: Any = None, **options: Any) -> Any:
        asked: float | None = options.get("timeout")
        default: float = getattr(self._rpc, "default_timeout", 5.0)
        budget = asked or default
        deadline = time.monotonic() + budget + DEADLINE_MARGIN_SECONDS
        try:
            return await self._until_someone_answers(subject, payload, **options)
        except UpstreamTimeout:
            left = deadline - time.monotonic()
            if not repeatable(subject, payload) or left < 0.5:
                raise
            log.warning("rpc.retry_after_timeout", subject=subject, within_s=round(left, 1))
            again = {**options, "timeout": min(budget, left)}
            try:
                return await self._until_someone_answers(subject, payload, **again)
            finally:
                # Whatever the service answers (an order or a refusal), it most likely replays
                # the attempt that timed out, of this same HTTP request (it may be an earlier
                # request's, which this cannot tell): not a replay to the client.
                kept = current_kept_request()
                if kept is not None:
                    kept.replayed = False

    async def _until_someone_answers(self, subject: str, payload: Any, **options: Any) -> Any:
        timeout = options.pop("timeout", None)
        budget = timeout or getattr(self._rpc, "default_timeout", 5.0)
        deadline, pause = time.monotonic() + budget, 0.05
        while True:
            try:
                return await self._rpc.call(subject, payload, timeout=timeout, **options)
            except UpstreamUnavailable as exc:
                if not isinstance(exc.__cause__, NoRespondersError):
                    raise
                if time.monotonic() + pause >= deadline:
                    raise
                await asyncio.sleep(pause)
                pause = min(pause * 2, 0.5)
                timeout = max(deadline - time.monotonic(), 0.05)  # what is left of the budget


def _carries_request_id(payload: Any) -> bool:
    if isinstance(payload, BaseModel):
        return bool(getattr(payload, "request_id", None))
    return isinstance(payload, dict) and bool(payload.get("request_id"))
