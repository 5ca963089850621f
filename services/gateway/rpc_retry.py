"""RPC calls from the gateway that ride through a NATS node loss when that is safe.

- "No responders" means no process received the request (every replica of the service is
  restarting, or reconnecting after its NATS node died): retried with a short growing pause
  until the call's own timeout. It can never run anything twice.
- A timeout may mean the service received the request and acted. It is retried once, and only
  when repeating the request is harmless by contract: a request that carries a `request_id`
  (the gateway derives it from the caller and the Idempotency-Key; a service answers a repeated
  `request_id` with what the first one created: claims and quotes derive their ids from it),
  or an operation documented as idempotent (`PlaceOrderRequest`: "placing the same quote twice
  returns the same order"). A request in flight on a connection that died with its node is
  lost without an answer; this turns that 504 into a slower success.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import structlog
from nats.errors import NoRespondersError
from pydantic import BaseModel

from shared.contracts import orders
from shared.rpc import UpstreamTimeout, UpstreamUnavailable

log = structlog.get_logger()

IDEMPOTENT_BY_CONTRACT = frozenset({orders.Subjects.PLACE_ORDER})


class RidingRpc:
    """Wraps an RpcClient (or a fake with the same `call`)."""

    def __init__(self, rpc: Any) -> None:
        self._rpc = rpc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._rpc, name)

    async def call(self, subject: str, payload: Any = None, **options: Any) -> Any:
        try:
            return await self._until_someone_answers(subject, payload, **options)
        except UpstreamTimeout:
            if subject not in IDEMPOTENT_BY_CONTRACT and not _carries_request_id(payload):
                raise
            log.warning("rpc.retry_after_timeout", subject=subject)
            return await self._until_someone_answers(subject, payload, **options)

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
