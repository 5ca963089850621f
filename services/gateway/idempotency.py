"""`Idempotency-Key` on POST, Stripe semantics, shared by replicas through NATS KV `idempotency`.

- The first request with a key claims it atomically (`kv.create` fails if the key exists) with
  a fingerprint of method, path, query and body, in state `in_progress`.
- When it completes, the status, a few headers and the body are stored (`done`) and a retry with
  the same key and body gets exactly that response again, with `Idempotent-Replayed: true`.
- The same key with another body is 422 `idempotency_key_reused`; a retry while the first is still
  running is 409 `idempotency_request_in_progress`.
- 5xx responses release the key (the work may not have happened; retrying must be possible). A
  claim whose owner died is taken over after `LEASE_SECONDS` with a compare-and-set.
Keys are scoped per principal, so two callers can never see each other's responses. Requests
without valid credentials are not recorded (they fail with 401 anyway, and must not be able to
fill the bucket).
The header is optional: a POST without it is simply not deduplicated (documented in OpenAPI).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from dataclasses import dataclass
from typing import Any

import structlog
from nats.errors import Error as NatsError
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.auth import STATE_KEY
from services.gateway.errors import problem_response
from services.gateway.limits import BODY_SCOPE_KEY
from services.gateway.partner_keys import KeyValueLike

log = structlog.get_logger()

BUCKET = "idempotency"
HEADER = "idempotency-key"
REPLAYED_HEADER = "Idempotent-Replayed"
IDEMPOTENCY_STATE_KEY = "idempotency_key"
LEASE_SECONDS = 60.0  # longer than any RPC timeout: an in-progress claim older than this is dead
_KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces (Stripe allows 255)
_STORED_HEADERS = {"content-type", "location", "etag", "retry-after"}


@dataclass
class Claim:
    kv_key: str
    fingerprint: str
    revision: int


class IdempotencyStore:
    def __init__(self, kv: KeyValueLike) -> None:
        self._kv = kv

    async def claim(
        self, kv_key: str, fingerprint: str
    ) -> tuple[Claim | None, dict[str, Any] | None]:
        """(claim, None) when this request owns the key, else (None, stored record)."""
        record = {"state": "in_progress", "fingerprint": fingerprint, "started": time.time()}
        for _ in range(3):
            try:
                revision = await self._kv.create(kv_key, json.dumps(record).encode())
                return Claim(kv_key, fingerprint, revision), None
            except KeyWrongLastSequenceError:
                pass
            try:
                entry = await self._kv.get(kv_key)
            except KeyNotFoundError:
                continue  # released between our create and get: try to claim again
            stored = json.loads(entry.value)
            stale = (
                stored["state"] == "in_progress" and time.time() - stored["started"] > LEASE_SECONDS
            )
            if not stale or stored["fingerprint"] != fingerprint:
                return None, stored
            try:  # take over a dead claim; only one taker wins the compare-and-set
                revision = await self._kv.update(
                    kv_key, json.dumps(record).encode(), last=entry.revision
                )
                return Claim(kv_key, fingerprint, revision), None
            except KeyWrongLastSequenceError:
                continue
        return None, {"state": "in_progress", "fingerprint": fingerprint}

    async def complete(
        self, claim: Claim, status: int, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> None:
        kept = [
            [k.decode("latin-1"), v.decode("latin-1")]
            for k, v in headers
            if k.decode("latin-1").lower() in _STORED_HEADERS
        ]
        record = {
            "state": "done",
            "fingerprint": claim.fingerprint,
            "status": status,
            "headers": kept,
            "body": base64.b64encode(body).decode(),
        }
        await self._kv.update(claim.kv_key, json.dumps(record).encode(), last=claim.revision)

    async def release(self, claim: Claim) -> None:
        await self._kv.delete(claim.kv_key)


def request_idempotency_key(request: Request) -> str | None:
    """Dependency: a stable id for this logical request (same for every retry with the same
    Idempotency-Key from the same caller), or None without the header. Pass it to a service's
    create operation so the service can deduplicate too: if the gateway dies after the service
    acted but before the response was stored, the retry re-executes after the lease."""
    value = request.scope.get("state", {}).get(IDEMPOTENCY_STATE_KEY)
    return str(value) if value else None


def fingerprint(scope: Scope, body: bytes) -> str:
    h = hashlib.sha256()
    for part in (scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1")):
        h.update(part.encode() + b"\0")
    h.update(body)
    return h.hexdigest()


def kv_key_for(principal_key: str, idempotency_key: str) -> str:
    # Hashing makes any header value a valid KV key and keeps caller ids out of the bucket's keys.
    return hashlib.sha256(f"{principal_key}\0{idempotency_key}".encode()).hexdigest()


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        key = request.headers.get(HEADER)
        if key is None:
            await self.app(scope, receive, send)
            return
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
        store: IdempotencyStore = scope["app"].state.runtime.idempotency
        body = scope.get(BODY_SCOPE_KEY, b"")
        fp = fingerprint(scope, body)
        try:
            claim, stored = await store.claim(kv_key_for(principal.key, key), fp)
        except (NatsError, TimeoutError) as exc:
            # The shared store is briefly unreachable (its R3 stream electing a new leader after
            # a NATS node died): nothing ran, so 503 + Retry-After, not an unhandled 500.
            log.warning("idempotency.store_unavailable", error=f"{type(exc).__name__}: {exc}")
            detail = "Cannot record the Idempotency-Key right now; retry with the same key."
            response = problem_response(
                503, "upstream_unavailable", detail, request=request, headers={"Retry-After": "1"}
            )
            await response(scope, receive, send)
            return
        if claim is None:
            assert stored is not None
            await self._answer_existing(stored, fp, request, receive, send)
            return
        scope["state"][IDEMPOTENCY_STATE_KEY] = claim.kv_key
        await self._run_and_record(store, claim, scope, receive, send)

    async def _answer_existing(
        self, stored: dict[str, Any], fp: str, request: Request, receive: Receive, send: Send
    ) -> None:
        scope = request.scope
        if stored["fingerprint"] != fp:
            detail = "This Idempotency-Key was used with a different request; use a new key."
            response = problem_response(422, "idempotency_key_reused", detail, request=request)
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
        headers.append((REPLAYED_HEADER.lower().encode(), b"true"))
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

        try:
            await self.app(scope, receive, capture)
        finally:
            # Runs on success, on error and on cancellation: a 5xx or a crash must not pin the key.
            try:
                if status >= 500:
                    await store.release(claim)
                else:
                    await store.complete(claim, status, headers, b"".join(chunks))
            except Exception as exc:  # the response is already sent; the lease covers a lost write
                log.warning("idempotency.record_failed", error=str(exc), status=status)
