"""Messaging glue: how an RPC is answered, and the route types entrypoints declare.

Entrypoints declare *what* they handle (`RpcRoute`, `EventRoute`); this module (with
`shared.messaging.responder`, which subscribes) and `shared.messaging.consumer` decide *how*:
error replies, correlation ids, the inbox, ack/nack/term and dead-lettering. Keeping that here
means every service fails the same way.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
import structlog
from pydantic import BaseModel, ValidationError

from shared.actor import Actor
from shared.contracts.envelope import RawEvent
from shared.errors import DomainError, ErrorKind
from shared.logging import CORRELATION_HEADER, bind_correlation_id, clear
from shared.messaging.outbox import Tx
from shared.messaging.processed_requests import ProcessedRequests
from shared.messaging.requests import answer_once
from shared.messaging.streams import StreamSpec
from shared.rpc import (
    ACTOR_HEADER,
    REQUEST_FINGERPRINT_HEADER,
    REQUEST_KEY_HEADER,
    error_reply,
    ok_reply,
)

log = structlog.get_logger()

RpcHandler = Callable[[Any, Actor | None], Awaitable[BaseModel | dict[str, Any] | list[Any] | None]]
EventHandler = Callable[[Tx, RawEvent], Awaitable[None]]


@dataclass(frozen=True)
class RpcRoute:
    """`rpc.<service>.<op>` answered by `handler(request, actor)`.

    `command=True`: the operation changes state, so a repeat of a keyed request (same
    `X-Request-Key`) gets the first reply instead of running again (`shared.messaging.requests`).
    `replay(request, actor)` builds that reply from the state the first attempt left when it
    died before storing its reply; without one, the handler runs again, which suits operations
    that are idempotent by design (a create keyed by the request, a PUT).
    """

    subject: str
    handler: RpcHandler
    request_model: type[BaseModel] | None = None
    command: bool = False
    replay: RpcHandler | None = None


@dataclass(frozen=True)
class EventRoute:
    """A durable JetStream consumer applying events once each, through the inbox."""

    durable: str
    stream: StreamSpec
    subject: str
    handler: EventHandler
    max_deliver: int = 5
    ack_wait_s: float = 30.0


class PoisonEvent(DomainError):
    """An event that can never be applied (malformed, or refused by the domain)."""

    code = "poison_event"
    kind = ErrorKind.INVALID


# Requests of one subject in progress at once per process (shared.messaging.responder). One at a
# time would pay every database wait of every request in series; SQLite writes are still
# serialised by Database's write lock.
RPC_CONCURRENCY = 32


async def answer(
    route: RpcRoute, requests: ProcessedRequests | None, headers: dict[str, str], body: bytes
) -> bytes:
    """The reply to one request: the handler's result, or its error as a stable code (a failure
    is never left unanswered, so the caller is not left waiting for its timeout)."""
    bind_correlation_id(headers.get(CORRELATION_HEADER))
    started = time.perf_counter()
    try:
        reply = await _handle(route, requests, headers, body)
        log.info("rpc.handled", subject=route.subject, ms=_ms_since(started))
        return reply
    except DomainError as exc:
        log.info("rpc.refused", subject=route.subject, code=exc.code)
        return error_reply(exc)
    except (ValidationError, orjson.JSONDecodeError) as exc:
        return error_reply(
            DomainError(
                "request does not match the operation's contract",
                code="invalid_request",
                details={"errors": _validation_details(exc)},
            )
        )
    except Exception:
        log.exception("rpc.failed", subject=route.subject)
        return error_reply(
            DomainError(
                "the service failed to answer", code="internal_error", kind=ErrorKind.UNAVAILABLE
            )
        )
    finally:
        clear()


async def _handle(
    route: RpcRoute, requests: ProcessedRequests | None, headers: dict[str, str], body: bytes
) -> bytes:
    actor = Actor.model_validate_json(headers[ACTOR_HEADER]) if ACTOR_HEADER in headers else None
    payload = orjson.loads(body) if body else {}
    request = route.request_model.model_validate(payload) if route.request_model else payload
    key = headers.get(REQUEST_KEY_HEADER)
    if route.command and key and requests is not None:
        fingerprint = headers.get(REQUEST_FINGERPRINT_HEADER)
        return await _answer_keyed(route, requests, key, fingerprint, request, actor)
    return ok_reply(await route.handler(request, actor))


async def _answer_keyed(
    route: RpcRoute,
    requests: ProcessedRequests,
    key: str,
    fingerprint: str | None,
    request: Any,
    actor: Actor | None,
) -> bytes:
    async def run() -> bytes:
        return ok_reply(await route.handler(request, actor))

    async def replay() -> bytes:
        return ok_reply(await (route.replay or route.handler)(request, actor))

    return await answer_once(requests, route.subject, key, run, replay, fingerprint)


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def _validation_details(exc: Exception) -> list[dict[str, Any]]:
    if isinstance(exc, ValidationError):
        return [{"loc": list(e["loc"]), "message": e["msg"]} for e in exc.errors()]
    return [{"loc": [], "message": str(exc)}]
