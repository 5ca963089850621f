"""Request context: request id / correlation id, access metrics, security headers, last-resort 500.

Pure ASGI middleware (no BaseHTTPMiddleware) so streaming responses (SSE) pass straight through
and contextvars bound here are seen by the route and by the RPC client.
"""

from __future__ import annotations

import re
import time
import traceback
import uuid
from collections.abc import Callable
from typing import Any

import structlog
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.requests import ClientDisconnect
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.auth import STATE_KEY, AuthError
from services.gateway.errors import problem_response
from services.gateway.request_headers import first_header
from services.gateway.response_headers import encoded, stamped
from services.gateway.rpc_retry import mark_request, unmark_request
from shared.errors import DomainError

log = structlog.get_logger()

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is echoed into logs and headers: accept only short, plain tokens.
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_DOCS_PATHS = ("/docs", "/redoc")
QUIET_PATHS = ("/healthz", "/readyz", "/metrics")  # probed every few seconds: no access log

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "interest-cohort=()",
}
API_CSP = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=63072000; includeSubDomains"
_CREDENTIAL_HEADERS = (b"authorization", b"x-api-key")  # what Authenticator reads


class Metrics:
    """Per-app Prometheus metrics (one registry per app, so tests can build many apps)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "gateway_http_requests_total",
            "HTTP requests by route template, method and status (499: the client left first).",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "gateway_http_request_duration_seconds",
            "HTTP request latency by route template and method.",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        # Each (method, route, status)'s two children, looked up once: `labels()` validates and
        # locks on every call, and returns the same child every time anyway.
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, elapsed: float) -> None:
        children = self._children.get((method, route, status))
        if children is None:
            children = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
            self._children[(method, route, status)] = children
        children[0].inc()
        children[1].observe(elapsed)


CLIENT_ABORT_STATUS = 499  # nginx's "client closed request": the client left before an answer


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    template = getattr(route, "path", None)
    if template is None and "app" in scope:
        # Requests that end before routing (a client gone mid-body) still name their route.
        template = _documented_template(scope["app"], scope.get("path", ""))
    # Unmatched paths share one label so random URLs cannot blow up metric cardinality.
    return template or "unmatched"


def _documented_template(app: Any, path: str) -> str | None:
    """The OpenAPI path template `path` falls under (the document lists every route once)."""
    patterns: list[tuple[re.Pattern[str], str]] | None = getattr(app.state, "route_patterns", None)
    if patterns is None:
        patterns = [(compile_path(t)[0], t) for t in app.openapi().get("paths", {})]
        app.state.route_patterns = patterns
    return next((template for regex, template in patterns if regex.match(path)), None)


def _bind_request_id(scope: Scope) -> str:
    """The caller's X-Request-ID when well formed (else a new one), bound to every log line."""
    incoming = first_header(scope, b"x-request-id") or ""
    request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(correlation_id=request_id)
    scope.setdefault("state", {})["request_id"] = request_id
    return request_id


class _Exchange:
    """One request's ASGI channels, watched: the status sent, and whether the client left."""

    def __init__(self, receive: Receive, send: Send, on_start: Callable[[Message], None]) -> None:
        self._receive, self._send, self._on_start = receive, send, on_start
        self.status = 500
        self.started = False
        self.client_gone = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            self.status = message["status"]
            self._on_start(message)
        await self._send(message)

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.disconnect":
            self.client_gone = True
        return message

    def status_to_record(self) -> int:
        if self.client_gone and not self.started:
            # Not a server error: nobody was left to answer (counted apart from 5xx).
            return CLIENT_ABORT_STATUS
        return self.status


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics, hsts: bool = False) -> None:
        self.app = app
        self.metrics = metrics
        self.hsts = hsts
        # Added when the app did not set them; the docs pages load scripts, so no API CSP there.
        tail = [("Strict-Transport-Security", HSTS)] if hsts else []
        api = [("Content-Security-Policy", API_CSP), ("Cache-Control", "no-store")]
        self._api_defaults = encoded([*SECURITY_HEADERS.items(), *api, *tail])
        self._docs_defaults = encoded([*SECURITY_HEADERS.items(), *tail])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _bind_request_id(scope)
        path = scope.get("path", "")
        exchange = _Exchange(
            receive, send, lambda message: self._add_headers(message, request_id, path)
        )
        begin = time.perf_counter()
        read_only = mark_request(scope["method"])  # a read's RPCs may be asked again
        try:
            await self.app(scope, exchange.receive, exchange.send)
        except ClientDisconnect:
            exchange.client_gone = True
        except Exception as exc:
            self._unhandled(exc, path)
            if not exchange.started:
                response = problem_response(
                    500,
                    "internal_error",
                    "Something went wrong on our side; quote the correlation id.",
                )
                await response(scope, receive, exchange.send)
        finally:
            unmark_request(read_only)
            self._record(scope, path, exchange.status_to_record(), time.perf_counter() - begin)

    def _add_headers(self, message: Message, request_id: str, path: str) -> None:
        defaults = self._docs_defaults if path.startswith(_DOCS_PATHS) else self._api_defaults
        message["headers"] = stamped(message["headers"], request_id.encode("latin-1"), defaults)

    @staticmethod
    def _unhandled(exc: Exception, path: str) -> None:
        # Last resort: never let the server's default error page (or a trace) out.
        # A plain traceback, not exc_info: with structlog's console default (rich, frame
        # locals) one error logged ~600 KB of locals, including truncated Authorization
        # header values, and blocked the loop for ~15 s on the deep ASGI stack.
        log.error(
            "http.unhandled_error",
            path=path,
            error=type(exc).__name__,
            traceback=_plain_traceback(exc),
        )

    def _record(self, scope: Scope, path: str, status: int, elapsed: float) -> None:
        route = _route_template(scope)
        method = scope.get("method", "")
        self.metrics.observe(method, route, status, elapsed)
        if not path.startswith(QUIET_PATHS):
            # The access log line: carries the correlation id like every other line.
            log.info(
                "http.request",
                method=method,
                route=route,
                status=status,
                duration_ms=round(elapsed * 1000, 1),
            )


def _plain_traceback(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))


class AuthContextMiddleware:
    """Authenticate once, early, so rate limits and idempotency keys are per principal.

    A failure is remembered, not answered: routes without auth (health, docs) still work, and
    routes with auth raise the remembered error through their dependency.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        authenticator = scope["app"].state.runtime.authenticator
        # Only the two headers credentials come in (decoding every header was per-request work).
        headers = {
            k.decode("latin-1"): v.decode("latin-1")
            for k, v in scope["headers"]
            if k in _CREDENTIAL_HEADERS
        }
        try:
            principal = await authenticator.authenticate(headers)
        except AuthError as exc:
            state["auth_error"] = exc
            principal = None
        except DomainError as exc:  # e.g. partner key store unreachable
            state["auth_error"] = exc
            principal = None
        state[STATE_KEY] = principal
        if principal is not None:
            structlog.contextvars.bind_contextvars(principal=principal.key)
        await self.app(scope, receive, send)
