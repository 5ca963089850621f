"""Request-reply over NATS (`rpc.<service>.<op>`): the wire format and the client.

Request: JSON body of the operation's request model; headers `X-Correlation-ID`, `X-Actor`
(who is asking, and for whom) and, for a request the client may retry, `X-Request-Key`: the same
for every retry of one logical request (the gateway derives it from the caller and the
Idempotency-Key). A service records it with the effect of a state-changing operation and answers
a repeat with the first reply (`shared.messaging.requests`). Where the gateway leaves the key to
the service, the request also carries `X-Request-Fingerprint` (what the HTTP request was), and a
reply that repeats the first one carries the header `X-Replayed: true`. Reply: `{"ok": true, "data": {...}}` or
`{"ok": false, "error": {"code", "kind", "message", "details"}}`. A domain error raised by a
service comes back to the caller as the same `DomainError` (same code), so the gateway maps it
to problem+json without knowing the service's types.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import orjson
from nats.aio.client import Client
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError
from pydantic import BaseModel

from shared.actor import Actor
from shared.errors import DomainError, ErrorKind
from shared.logging import CORRELATION_HEADER, current_correlation_id
from shared.runtime.faults import crash_point

ACTOR_HEADER = "X-Actor"
REQUEST_KEY_HEADER = "X-Request-Key"
REQUEST_FINGERPRINT_HEADER = "X-Request-Fingerprint"
REPLAYED_HEADER = "X-Replayed"

# Set by the gateway for the duration of a request that carries an Idempotency-Key, so every
# RPC it makes passes the key on without each route having to.
_request_key: ContextVar[str | None] = ContextVar("request_key", default=None)


def set_request_key(key: str | None) -> Any:
    """Bind the request key for the current task; returns a token for `reset_request_key`."""
    return _request_key.set(key)


def reset_request_key(token: Any) -> None:
    _request_key.reset(token)


def current_request_key() -> str | None:
    return _request_key.get()


@dataclass
class KeptRequest:
    """An HTTP request whose Idempotency-Key the service keeps (the gateway records nothing):
    its fingerprint goes with every RPC, and a replayed reply is noted here for the response."""

    fingerprint: str
    replayed: bool = False


_kept_request: ContextVar[KeptRequest | None] = ContextVar("kept_request", default=None)


def keep_request_in_service(kept: KeptRequest) -> Any:
    """Bind it for the current task; returns a token for `release_kept_request`."""
    return _kept_request.set(kept)


def release_kept_request(token: Any) -> None:
    _kept_request.reset(token)


def current_kept_request() -> KeptRequest | None:
    return _kept_request.get()


class UpstreamTimeout(DomainError):
    code = "upstream_timeout"
    kind = ErrorKind.UNAVAILABLE


class UpstreamUnavailable(DomainError):
    code = "upstream_unavailable"
    kind = ErrorKind.UNAVAILABLE


class KeyReused(DomainError):
    """An Idempotency-Key sent again with another request: refused by whichever layer keeps the
    key (the gateway, or the service for a key left to it)."""

    code = "idempotency_key_reused"
    kind = ErrorKind.INVALID

    def __init__(self) -> None:
        super().__init__("This Idempotency-Key was used with a different request; use a new key.")


def ok_reply(data: BaseModel | dict[str, Any] | list[Any] | None) -> bytes:
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    return orjson.dumps({"ok": True, "data": data})


def error_reply(error: DomainError) -> bytes:
    return orjson.dumps({"ok": False, "error": error.to_dict()})


def parse_reply(raw: bytes) -> Any:
    reply = orjson.loads(raw)
    if reply.get("ok"):
        return reply.get("data")
    raise DomainError.from_dict(reply.get("error") or {})


class RpcClient:
    def __init__(self, nc: Client, default_timeout: float = 5.0) -> None:
        self.nc = nc
        self.default_timeout = default_timeout

    async def call(
        self,
        subject: str,
        payload: BaseModel | dict[str, Any] | None = None,
        *,
        actor: Actor | None = None,
        correlation_id: str | None = None,
        timeout: float | None = None,
    ) -> Any:
        if isinstance(payload, BaseModel):
            body = payload.model_dump_json().encode()
        else:
            body = orjson.dumps(payload or {})
        headers = {}
        cid = correlation_id or current_correlation_id()
        if cid:
            headers[CORRELATION_HEADER] = cid
        if actor is not None:
            headers[ACTOR_HEADER] = actor.header()
        request_key = current_request_key()
        kept = current_kept_request()
        if request_key:
            headers[REQUEST_KEY_HEADER] = request_key
            if kept is not None:
                headers[REQUEST_FINGERPRINT_HEADER] = kept.fingerprint
        try:
            msg = await self.nc.request(
                subject, body, timeout=timeout or self.default_timeout, headers=headers or None
            )
        except NoRespondersError as exc:
            raise UpstreamUnavailable(f"no service is answering {subject}") from exc
        except (NatsTimeoutError, TimeoutError) as exc:
            raise UpstreamTimeout(f"{subject} did not answer in time") from exc
        crash_point(f"rpc_client.after_reply:{subject}")  # the service acted; nobody heard
        if kept is not None and msg.headers and msg.headers.get(REPLAYED_HEADER) == "true":
            kept.replayed = True
        return parse_reply(msg.data)
