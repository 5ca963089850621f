"""FastStream glue: RPC responders and inbox-guarded JetStream consumers.

Entrypoints declare *what* they handle (`RpcRoute`, `EventRoute`); this module decides *how*:
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
from faststream import AckPolicy
from faststream.exceptions import NackMessage, RejectMessage
from faststream.nats import ConsumerConfig, DeliverPolicy, JStream, NatsBroker, PullSub
from faststream.nats.annotations import NatsMessage
from nats.js import JetStreamContext
from pydantic import BaseModel, ValidationError

from shared.contracts.envelope import RawEvent
from shared.errors import DomainError, ErrorKind
from shared.logging import CORRELATION_HEADER, bind_correlation_id, clear
from shared.messaging.dlq import dead_letter
from shared.messaging.inbox import claim_event
from shared.messaging.outbox import Tx, UnitOfWork
from shared.messaging.streams import StreamSpec
from shared.rpc import ACTOR_HEADER, Actor, error_reply, ok_reply

log = structlog.get_logger()

RpcHandler = Callable[[Any, Actor | None], Awaitable[BaseModel | dict[str, Any] | list[Any] | None]]
EventHandler = Callable[[Tx, RawEvent], Awaitable[None]]


@dataclass(frozen=True)
class RpcRoute:
    """`rpc.<service>.<op>` answered by `handler(request, actor)`."""

    subject: str
    handler: RpcHandler
    request_model: type[BaseModel] | None = None


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


def register_rpc(broker: NatsBroker, route: RpcRoute, *, queue: str) -> None:
    @broker.subscriber(route.subject, queue=queue, title=route.subject)
    async def on_request(msg: NatsMessage) -> bytes:
        headers = msg.headers or {}
        bind_correlation_id(headers.get(CORRELATION_HEADER))
        try:
            actor = (
                Actor.model_validate_json(headers[ACTOR_HEADER])
                if ACTOR_HEADER in headers
                else None
            )
            payload = orjson.loads(msg.body) if msg.body else {}
            request = (
                route.request_model.model_validate(payload) if route.request_model else payload
            )
            return ok_reply(await route.handler(request, actor))
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
                    "the service failed to answer",
                    code="internal_error",
                    kind=ErrorKind.UNAVAILABLE,
                )
            )
        finally:
            clear()


def _validation_details(exc: Exception) -> list[dict[str, Any]]:
    if isinstance(exc, ValidationError):
        return [{"loc": list(e["loc"]), "message": e["msg"]} for e in exc.errors()]
    return [{"loc": [], "message": str(exc)}]


@dataclass
class ConsumerRuntime:
    """What a consumer needs at run time, filled in by the service runtime at start-up."""

    uow: UnitOfWork
    js: JetStreamContext | None = None
    retry_base_delay: float = 0.5


def retry_delay(base: float, deliveries: int) -> float:
    """0.5 s, 2 s, 4.5 s, 8 s... with the default base: quadratic, capped at 60 s."""
    return min(60.0, base * deliveries * deliveries)


def register_consumer(broker: NatsBroker, route: EventRoute, rt: ConsumerRuntime) -> None:
    config = ConsumerConfig(
        max_deliver=route.max_deliver,
        ack_wait=route.ack_wait_s,
        deliver_policy=DeliverPolicy.ALL,
    )

    @broker.subscriber(
        route.subject,
        stream=JStream(route.stream.name, declare=False),
        durable=route.durable,
        config=config,
        pull_sub=PullSub(batch_size=64, timeout=1.0),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        title=route.durable,
    )
    async def on_event(msg: NatsMessage) -> None:
        await _apply(route, rt, msg)


async def _apply(route: EventRoute, rt: ConsumerRuntime, msg: Any) -> None:
    raw = msg.raw_message
    meta = raw.metadata
    deliveries = meta.num_delivered
    started = time.perf_counter()
    try:
        event = RawEvent.model_validate_json(msg.body)
    except ValidationError as exc:
        await _dead_letter(route, rt, msg, f"malformed_event: {exc.errors()[:3]}")
        raise RejectMessage() from exc
    bind_correlation_id(event.correlationid)
    structlog.contextvars.bind_contextvars(event_id=event.id, event_type=event.type)
    try:
        async with rt.uow() as tx:
            if not await claim_event(tx.session, route.durable, event.id):
                log.debug("event.duplicate_skipped", consumer=route.durable)
                return
            await route.handler(tx, event)
        log.debug(
            "event.applied",
            consumer=route.durable,
            ms=round((time.perf_counter() - started) * 1000, 2),
        )
    except DomainError as exc:
        # The domain refused it: retrying cannot help.
        await _dead_letter(route, rt, msg, f"{exc.code}: {exc.message}")
        raise RejectMessage() from exc
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        if deliveries >= route.max_deliver:
            await _dead_letter(route, rt, msg, reason)
            raise RejectMessage() from exc
        log.warning("event.retry", consumer=route.durable, deliveries=deliveries, error=reason)
        raise NackMessage(delay=retry_delay(rt.retry_base_delay, deliveries)) from exc
    finally:
        clear()


async def _dead_letter(route: EventRoute, rt: ConsumerRuntime, msg: Any, reason: str) -> None:
    raw = msg.raw_message
    if rt.js is None:
        log.error("dlq.unavailable", consumer=route.durable, reason=reason)
        return
    await dead_letter(
        rt.js,
        stream=raw.metadata.stream,
        stream_seq=raw.metadata.sequence.stream,
        consumer=route.durable,
        subject=raw.subject,
        payload=raw.data,
        headers=dict(raw.headers or {}),
        reason=reason,
        deliveries=raw.metadata.num_delivered,
    )
