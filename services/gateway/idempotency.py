"""`Idempotency-Key` on POST, PUT, PATCH and DELETE, Stripe semantics, shared by replicas through
NATS KV `idempotency`.

- The first request with a key claims it atomically (`kv.create` fails if the key exists) with
  a fingerprint of method, path, query and body (the body as canonical JSON: key order and
  whitespace do not matter), in state `in_progress`.
- When it completes, the status, a few headers and the body are stored (`done`) and a retry with
  the same key and body gets exactly that response again, with `Idempotent-Replayed: true`.
- The same key with another body is 422 `idempotency_key_reused`; a retry while the first is still
  running is 409 `idempotency_request_in_progress`.
- Only requests that started executing are stored: a 5xx (the work may not have happened) and a
  request refused by validation before anything ran (400/422 `validation_error`) release the key,
  so a corrected retry can use it.
- The lock is a short lease (`LEASE_SECONDS`) that the owner renews every `HEARTBEAT_SECONDS`
  while the request runs, and never past the request's deadline (the RPC timeout plus
  `DEADLINE_MARGIN_SECONDS`). A retry that finds a lapsed lease (its owner died, or overran its
  deadline) takes the key over at once with a compare-and-set, unless the owner answers that it
  is still running that request and its deadline has not passed (renewals come late on a
  starved loop; a replica asks itself without NATS). That is safe because every RPC
  of the request carries the key (`shared.rpc.REQUEST_KEY_HEADER`) and the services answer a
  repeat of an applied command with its first reply (`idempotency_lease`). A retry also takes
  over at once when the owner replica is gone (its liveness probe has no responder). Worst
  case after a gateway crash: the probe (no wait), else `LEASE_SECONDS`; behind a live but slow
  owner, the deadline.
Keys are scoped per principal and per target (method and path): two callers can never see each
other's responses, and one key sent to two operations is two requests (`kv_key_for`). Requests
without valid credentials are not recorded (they fail with 401 anyway, and must not be able to
fill the bucket).
The header is optional: a request without it is simply not deduplicated (documented in OpenAPI).
KV access goes through the `_kv_*` methods of `IdempotencyStore` only (idempotency_store.py).

One layer per request: a route whose whole effect is one keyed command of a service
(`KEPT_BY_SERVICE`) leaves the key to that service, which records it in the same transaction as
the effect (`shared.messaging.requests`), with the request's fingerprint. Keeping it here as
well cost two NATS round trips per request (the claim and the outcome record) for nothing the
service does not already do. The answers are the same (a replay with `Idempotent-Replayed`,
422 `idempotency_key_reused`, the service's refusals kept, 5xx and validation errors not kept),
but for these:
- a retry sent while the first request is still running is not a 409: it reaches the service,
  which answers it with the first's answer once that is recorded (it holds one of the
  service's RPC slots meanwhile);
- what the gateway refuses before any RPC (an invalid body, `customer_id_required`,
  `customer_not_found`) is not kept: a retry gets the same refusal again, and the key with
  another body gets that body's answer rather than `idempotency_key_reused`;
- a replay is the service's stored reply rendered again by the gateway: the same bytes while
  the gateway's code is the same.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import structlog
from nats.errors import Error as NatsError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.auth import STATE_KEY
from services.gateway.errors import problem_response
from services.gateway.idempotency_lease import Claim, LeaseKeeper
from services.gateway.idempotency_store import IdempotencyStore
from services.gateway.limits import BODY_SCOPE_KEY
from services.gateway.request_fingerprint import fingerprint, started_executing
from services.gateway.request_headers import first_header
from shared.rpc import (
    KeptRequest,
    KeyReused,
    keep_request_in_service,
    release_kept_request,
    reset_request_key,
    set_request_key,
)

log = structlog.get_logger()

BUCKET = "idempotency"
HEADER = "idempotency-key"
_HEADER_BYTES = HEADER.encode()
REPLAYED_HEADER = "Idempotent-Replayed"
IDEMPOTENCY_STATE_KEY = "idempotency_key"
METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces (Stripe allows 255)
_REPLAYED_HEADER_ITEM = (REPLAYED_HEADER.lower().encode(), b"true")

# The targets (`request_target`) whose whole effect is one RPC to a command route of a service
# (`RpcRoute(command=True)`): the service keeps their Idempotency-Key (see the docstring).
KEPT_BY_SERVICE = frozenset({"POST /v1/quotes", "POST /v1/orders", "POST /v1/webhooks"})
# Registering an endpoint and rotating its secret answer with a signing secret: kept by the
# gateway, the reply would lie in clear in its KV bucket for a day; the notifications service
# seals the replies it keeps (services/notifications/app.py, secret_box).
_KEPT_BY_SERVICE_PATHS = re.compile(r"^POST /v1/webhooks/[A-Za-z0-9_.:-]{1,64}/rotate-secret$")


def kept_by_service(target: str) -> bool:
    """Whether the service that does the work keeps this request's Idempotency-Key."""
    return target in KEPT_BY_SERVICE or _KEPT_BY_SERVICE_PATHS.match(target) is not None


async def request_idempotency_key(request: Request) -> str | None:
    """Dependency: a stable id for this logical request (same for every retry with the same
    Idempotency-Key from the same caller), or None without the header. Every RPC of the request
    already carries it (`X-Request-Key`); a create operation may also take it in its contract to
    derive the new object's id from it."""
    value = request.scope.get("state", {}).get(IDEMPOTENCY_STATE_KEY)
    return str(value) if value else None


def kv_key_for(principal_key: str, target: str, idempotency_key: str) -> str:
    """The store key of one logical request: a key is scoped to its caller and its target
    (`"POST /v1/claims"`). The same key sent to another operation or resource is another
    request (IETF httpapi Idempotency-Key draft: the key identifies a request to a resource);
    on the same target with another body or query it is 422 `idempotency_key_reused` (Stripe)."""
    # Hashing makes any header value a valid KV key and keeps caller ids out of the bucket's keys.
    scoped = f"{principal_key}\0{target}\0{idempotency_key}"
    return hashlib.sha256(scoped.encode()).hexdigest()


def request_target(scope: Scope) -> str:
    return f"{scope['method']} {scope['path']}"


def _store_unavailable(exc: Exception, request: Request) -> Response:
    """The shared store is briefly unreachable (its R3 stream electing a new leader after a NATS
    node died): nothing ran, so 503 + Retry-After, not an unhandled 500."""
    log.warning("idempotency.store_unavailable", error=f"{type(exc).__name__}: {exc}")
    detail = "Cannot record the Idempotency-Key right now; retry with the same key."
    return problem_response(
        503, "upstream_unavailable", detail, request=request, headers={"Retry-After": "1"}
    )


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in METHODS:
            await self.app(scope, receive, send)
            return
        key = first_header(scope, _HEADER_BYTES)
        if key is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if not _KEY_RE.match(key):
            detail = "Idempotency-Key must be 1-255 printable ASCII characters without spaces."
            await problem_response(422, "idempotency_key_invalid", detail, request=request)(
                scope, receive, send
            )
            return
        principal = scope.get("state", {}).get(STATE_KEY)
        if principal is None:
            await self.app(scope, receive, send)
            return
        body = scope.get(BODY_SCOPE_KEY, b"")
        fp = fingerprint(scope, body)
        target = request_target(scope)
        kv_key = kv_key_for(principal.key, target, key)
        if kept_by_service(target):
            await self._leave_to_service(kv_key, fp, scope, receive, send)
            return
        store: IdempotencyStore = scope["app"].state.runtime.idempotency
        try:
            claim, stored = await store.claim(kv_key, fp)
        except (NatsError, TimeoutError) as exc:
            await _store_unavailable(exc, request)(scope, receive, send)
            return
        if claim is None:
            assert stored is not None
            await self._answer_existing(stored, fp, request, receive, send)
            return
        scope["state"][IDEMPOTENCY_STATE_KEY] = claim.kv_key
        await self._run_and_record(store, claim, scope, receive, send)

    async def _leave_to_service(
        self, kv_key: str, fp: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """Run the request with its key and fingerprint on its RPC; the service keeps them."""
        kept = KeptRequest(fp)

        async def mark_replay(message: Message) -> None:
            if message["type"] == "http.response.start" and kept.replayed:
                headers = [*message.get("headers", []), _REPLAYED_HEADER_ITEM]
                message = {**message, "headers": headers}
            await send(message)

        scope["state"][IDEMPOTENCY_STATE_KEY] = kv_key
        key_token, kept_token = set_request_key(kv_key), keep_request_in_service(kept)
        try:
            await self.app(scope, receive, mark_replay)
        finally:
            release_kept_request(kept_token)
            reset_request_key(key_token)

    async def _answer_existing(
        self, stored: dict[str, Any], fp: str, request: Request, receive: Receive, send: Send
    ) -> None:
        scope = request.scope
        if stored["fingerprint"] != fp:
            reused = KeyReused()
            response = problem_response(422, reused.code, reused.message, request=request)
        elif stored["state"] != "done":
            detail = "A request with this Idempotency-Key is still being processed; retry later."
            response = problem_response(
                409,
                "idempotency_request_in_progress",
                detail,
                request=request,
                headers={"Retry-After": "1"},
            )
        else:
            await self._replay(stored, send)
            return
        await response(scope, receive, send)

    async def _replay(self, stored: dict[str, Any], send: Send) -> None:
        body = base64.b64decode(stored["body"])
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in stored["headers"]]
        headers.append((b"content-length", str(len(body)).encode()))
        headers.append(_REPLAYED_HEADER_ITEM)
        await send({"type": "http.response.start", "status": stored["status"], "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    async def _run_and_record(
        self, store: IdempotencyStore, claim: Claim, scope: Scope, receive: Receive, send: Send
    ) -> None:
        status = 500
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        keeper = LeaseKeeper(store, claim)
        token = set_request_key(claim.kv_key)  # every RPC of this request carries the key
        try:
            await self.app(scope, receive, capture)
        finally:
            reset_request_key(token)
            # Runs on success, on error and on cancellation: a 5xx or a crash must not pin the key.
            await keeper.stop()
            await _record_outcome(store, claim, status, headers, b"".join(chunks))


async def _record_outcome(
    store: IdempotencyStore,
    claim: Claim,
    status: int,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
) -> None:
    try:
        if status >= 500 or not started_executing(status, body):
            await store.release(claim)
        else:
            await store.complete(claim, status, headers, body)
    except Exception as exc:  # the response is already sent; the lease covers a lost write
        log.warning("idempotency.record_failed", error=str(exc), status=status)
    finally:
        store.finished(claim)
