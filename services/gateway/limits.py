"""Resource limits (OWASP API4): body size, per-caller rate, page size, cursor pagination."""

from __future__ import annotations

import base64
import binascii
import json
import math
import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request as StarletteRequest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.auth import STATE_KEY
from services.gateway.errors import problem_response
from services.gateway.request_headers import first_header
from shared.contracts.label_photos import PHOTO_MAX_BYTES
from shared.errors import DomainError, ErrorKind

BODY_SCOPE_KEY = "concierge.body"
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Operational endpoints are scraped/probed often and carry no caller.
UNLIMITED_PATHS = ("/healthz", "/readyz", "/metrics")
PAGE_SIZE_LIMIT = 100  # hard ceiling shown in OpenAPI; settings may lower it
PHOTO_ROUTE = "/v1/labels/read"
MULTIPART_MARGIN = 64 * 1024  # the form's boundaries and part headers around an 8 MB photo
# Routes allowed more than the gateway-wide cap: (method, path) -> bytes. Nothing else is.
ROUTE_BODY_CAPS: Mapping[tuple[str, str], int] = {
    ("POST", PHOTO_ROUTE): PHOTO_MAX_BYTES + MULTIPART_MARGIN,
}


# --- body size ------------------------------------------------------------------------------------


class BodyLimitMiddleware:
    """Reject bodies over the cap with a 413 problem; buffer the rest once for later layers.

    The cap is `max_bytes` for every route except those in `route_caps` (the label photo upload).
    Buffering (bodies are small JSON; a photo is at most 8 MB) lets idempotency fingerprint the
    body without reading the stream twice, and makes the cap hold even without a Content-Length
    (chunked uploads): an over-size body is refused before any route, so nothing is stored.
    """

    def __init__(
        self, app: ASGIApp, max_bytes: int, route_caps: Mapping[tuple[str, str], int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.route_caps = ROUTE_BODY_CAPS if route_caps is None else route_caps

    def cap_for(self, method: str, path: str) -> int:
        return self.route_caps.get((method, path.rstrip("/") or "/"), self.max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        cap = self.cap_for(scope["method"], scope["path"])
        declared = first_header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > cap):
            await self._too_large(cap, scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > cap:
                await self._too_large(cap, scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        scope[BODY_SCOPE_KEY] = body
        await self.app(scope, replay_body(body, receive), send)

    async def _too_large(self, cap: int, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            413, "body_too_large", f"The request body exceeds {cap} bytes.",
            request=StarletteRequest(scope), max_bytes=cap,
        )  # fmt: skip
        await response(scope, receive, send)


def replay_body(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # later calls wait for the disconnect, as the server would

    return replay


# --- rate limits ----------------------------------------------------------------------------------


class TokenBucketLimiter:
    """A token bucket per caller key, in this process, sized to this replica's share.

    With N gateway replicas (counted by `replicas.ReplicaCensus`) each enforces 1/N of the
    configured rate and burst, so together they allow the configured limit per caller.
    """

    def __init__(self, per_minute: int, burst: int, max_keys: int = 100_000) -> None:
        self.per_minute = per_minute
        self.configured_burst = burst
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self.set_share(1)

    def set_share(self, replicas: int) -> None:
        self.share = replicas
        self.rate = self.per_minute / 60.0 / replicas
        self.burst = max(1.0, self.configured_burst / replicas)

    def take(self, key: str, now: float | None = None) -> float:
        """0 when allowed, else the seconds to wait before retrying."""
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            wait = 0.0
        else:
            self._buckets[key] = (tokens, now)
            wait = (1.0 - tokens) / self.rate
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)  # least recently seen caller
        return wait


def caller_key(scope: Scope) -> str:
    principal = scope.get("state", {}).get(STATE_KEY)
    if principal is not None:
        return str(principal.key)
    client = scope.get("client")
    return f"ip:{client[0] if client else 'unknown'}"


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNLIMITED_PATHS):
            await self.app(scope, receive, send)
            return
        limiter: TokenBucketLimiter = scope["app"].state.runtime.limiter
        wait = limiter.take(caller_key(scope))
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            response = problem_response(
                429,
                "rate_limited",
                f"Too many requests; retry in {retry_after} s.",
                request=StarletteRequest(scope),
                headers={"Retry-After": str(retry_after)},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


# --- pagination -----------------------------------------------------------------------------------

T = TypeVar("T")


class InvalidCursor(DomainError):
    """A well-formed cursor that names no position of this list: like an unknown id, 404. (A
    cursor that is not base64url at all breaks the published pattern: 422 validation_error.)"""

    code = "cursor_not_found"
    kind = ErrorKind.NOT_FOUND


CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,512}$"  # base64url without padding, as encode_cursor writes


def encode_cursor(position: dict[str, Any]) -> str:
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise InvalidCursor("The cursor is not one this API returned.") from exc
    if not isinstance(position, dict):
        raise InvalidCursor("The cursor is not one this API returned.")
    return position


class Page(BaseModel, Generic[T]):
    """One page of a list. Pass `next_cursor` back as `cursor` to get the next page."""

    items: list[T] = Field(description="The items of this page, in the list's order.")
    next_cursor: str | None = Field(default=None, description="Opaque; null on the last page.")

    @classmethod
    def of(cls, items: list[Any], next_position: dict[str, Any] | None) -> Page[Any]:
        return cls(items=items, next_cursor=encode_cursor(next_position) if next_position else None)


class PageParams(BaseModel):
    limit: int
    after: dict[str, Any] | None = Field(
        None, description="Decoded cursor (the service's position)."
    )


async def page_params(
    request: Request,
    limit: Annotated[int | None, Query(ge=1, le=PAGE_SIZE_LIMIT, description="Page size.")] = None,
    cursor: Annotated[
        str | None,
        Query(
            max_length=512,
            pattern=CURSOR_PATTERN,
            description="`next_cursor` of the previous page (404 `cursor_not_found` for any other).",
        ),
    ] = None,
) -> PageParams:
    settings = request.app.state.runtime.settings
    size = min(limit or settings.default_page_size, settings.max_page_size)
    return PageParams(limit=size, after=decode_cursor(cursor) if cursor else None)


Paging = Annotated[PageParams, Depends(page_params)]


class NewestFirstPosition(BaseModel):
    """Where a newest-first list (created_at desc, id) left off: the last item's time and id."""

    model_config = ConfigDict(extra="forbid")
    before: AwareDatetime | None = None
    before_id: str | None = Field(default=None, max_length=64)

    @classmethod
    def of(cls, paging: PageParams) -> NewestFirstPosition:
        try:
            return cls.model_validate(paging.after or {})
        except ValidationError as exc:
            raise InvalidCursor("The cursor is not one this API returned.") from exc

    @staticmethod
    def after_page(items: list[Any], limit: int, *, key: str = "id") -> dict[str, Any] | None:
        """The position after a full page (None when this page is the last)."""
        if not items or len(items) < limit:
            return None
        last = items[-1]
        return {"before": last.created_at.isoformat(), "before_id": getattr(last, key)}
