"""Composition root of the gateway: settings, NATS, KV buckets, middleware, routers.

`create_app(settings, nc=None)` connects to NATS in the lifespan (or uses `nc`). Tests that do
not want NATS pass `runtime_factory` returning a `Runtime` built with fakes.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import pkgutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import JSONResponse, Response

from services.gateway import routers as routers_pkg
from services.gateway.asyncapi import build_asyncapi
from services.gateway.docs import custom_openapi
from services.gateway.errors import Problem, install_error_handlers
from services.gateway.idempotency import IdempotencyMiddleware
from services.gateway.limits import BodyLimitMiddleware, RateLimitMiddleware
from services.gateway.middleware import AuthContextMiddleware, Metrics, RequestContextMiddleware
from services.gateway.models import refuse_unchecked_optional_bodies
from services.gateway.route_guard import guard_included_routers
from services.gateway.runtime import Runtime
from services.gateway.settings import GatewaySettings
from services.gateway.startup import GatewayStartup, StartingGate
from shared.contracts.system import ping_subject
from shared.errors import DomainError

log = structlog.get_logger()

VERSION = "1.0.0"
DOCS_ASSETS_URL = "/docs/assets"
DESCRIPTION = """Customer-care API of Concierge: warranty claims and RMAs, cross-region orders,
notifications and partner webhooks.

Authentication: `Authorization: Bearer <JWT>` for customers and agents; partners send their
API key as `X-API-Key: ck_...` (or `Authorization: Bearer ck_...`). Every error is
`application/problem+json` (RFC 9457) with a stable `code`. POSTs accept `Idempotency-Key`.
"""
RuntimeFactory = Callable[[GatewaySettings], Awaitable[Runtime]]
# Routers tried first when routing a request: the hot paths (GET a claim, POST an order).
HOT_ROUTERS = ("warranty", "orders")
CORS_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID", "Last-Event-ID"]


def discover_routers() -> list[APIRouter]:
    """Every module in services/gateway/routers/ that defines `router` (service engineers' files)."""
    found = []
    for module_info in sorted(pkgutil.iter_modules(routers_pkg.__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{routers_pkg.__name__}.{module_info.name}")
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            found.append(router)
    return found


def create_app(
    settings: GatewaySettings | None = None,
    nc: Any = None,
    *,
    runtime_factory: RuntimeFactory | None = None,
    routers: Iterable[APIRouter] | None = None,
) -> FastAPI:
    settings = settings or GatewaySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Waits for NATS and the KV buckets in the background (services/gateway/startup.py).
        startup = app.state.startup = GatewayStartup(app, settings, nc, runtime_factory)
        await startup.begin()
        try:
            yield
        finally:
            await startup.stop()

    app = _documented_app(lifespan)
    app.state.settings = settings
    metrics = Metrics()
    app.state.metrics = metrics
    install_error_handlers(app)
    _add_middleware(app, settings, metrics)
    _add_operational_routes(app, metrics)
    included = discover_routers() if routers is None else list(routers)
    for router in included:
        app.include_router(router)
    refuse_unchecked_optional_bodies(app.routes)
    documented = list(app.router.routes)  # the document keeps the routers' discovery order
    match_hot_first(app, [r for name in HOT_ROUTERS for r in included if r is _router_of(name)])
    guard_included_routers(app)
    app.openapi = lambda: custom_openapi(app, documented)  # type: ignore[method-assign]
    return app


def _router_of(module: str) -> Any:
    return getattr(importlib.import_module(f"{routers_pkg.__name__}.{module}"), "router", None)


def match_hot_first(app: FastAPI, hot: list[APIRouter]) -> None:
    """Try the `hot` routers' routes first when routing a request (FastAPI tries routes in order:
    the ~60 path patterns ahead of the claim routes cost about a quarter of the gateway's CPU
    per `GET /v1/claims/{id}`), ahead of the app's own routes too (the docs pages, /healthz,
    /metrics...: nine more patterns tried on every API request). Only the order of trying
    changes, never which route answers: no path of a hot router can match a path of a route it
    moves ahead of (tests/unit/gateway/test_route_order.py)."""
    entries = app.router.routes
    moved = sorted(
        (e for e in entries if getattr(e, "original_router", None) in hot),
        key=lambda e: hot.index(e.original_router),  # type: ignore[attr-defined]
    )
    entries[:] = [*moved, *(e for e in entries if e not in moved)]


def _documented_app(lifespan: Callable[[FastAPI], Any]) -> FastAPI:
    # /docs and /redoc load Swagger UI and ReDoc from files inside the fastapi-offline package
    # (pinned), not from a CDN: the docs work offline and no third-party script runs on them.
    return FastAPIOffline(
        static_url=DOCS_ASSETS_URL,
        title="Concierge API",
        version=VERSION,
        description=DESCRIPTION,
        lifespan=lifespan,
        telemetry=_telemetry_config(),
        responses={
            500: {"model": Problem, "description": "Unexpected error (no details are disclosed)."}
        },
    )


def _telemetry_config() -> Any:
    """FastAPI's OpenTelemetry only when the environment configures OpenTelemetry.

    Enabled, FastAPI asks on every request whether a global tracer, meter or logger provider is
    set (environment lookups: 5% of the gateway's CPU on `GET /v1/claims/{id}`). Nothing in
    Concierge sets one in code (its metrics are Prometheus'), so only `OTEL_*` or FastAPI's
    auto-configure variable in the environment can; with either, it stays on as before.
    """
    configured = os.getenv("FASTAPI_OTEL_AUTO_CONFIGURE", "").lower() == "true" or any(
        name.startswith("OTEL_") for name in os.environ
    )
    return None if configured else {"tracing": False, "metrics": False, "logs": False}


def _add_middleware(app: FastAPI, settings: GatewaySettings, metrics: Metrics) -> None:
    # add_middleware prepends: the last one added runs first.
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(RateLimitMiddleware)
    app.add_middleware(AuthContextMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=CORS_HEADERS,
        )
    app.add_middleware(StartingGate)
    app.add_middleware(RequestContextMiddleware, metrics=metrics, hsts=not settings.is_local)


def _add_operational_routes(app: FastAPI, metrics: Metrics) -> None:
    @app.get("/healthz", tags=["operations"], summary="The process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["operations"],
        summary="NATS is connected and every service answers its ping",
        responses={503: {"description": "Not ready; `checks` says what failed."}},
    )
    async def readyz(request: Request) -> JSONResponse:
        runtime: Runtime = request.app.state.runtime
        checks = await readiness_checks(runtime)
        ready = all(checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "unavailable", "checks": checks},
            status_code=200 if ready else 503,
        )

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics", response_class=Response)
    async def metrics_endpoint() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get(
        "/asyncapi.json", tags=["operations"], summary="AsyncAPI 3.0 document of partner events"
    )
    async def asyncapi() -> JSONResponse:
        return JSONResponse(build_asyncapi(app.version))


async def readiness_checks(runtime: Runtime) -> dict[str, bool]:
    settings = runtime.settings
    nats_ok = runtime.nc is None or runtime.nc.is_connected

    async def ping(service: str) -> bool:
        try:
            await runtime.rpc.call(
                ping_subject(service), {}, timeout=settings.ready_timeout_seconds
            )
        except (DomainError, TimeoutError, OSError):
            return False
        return True

    results = await asyncio.gather(*(ping(s) for s in settings.ready_services))
    return {
        "nats": nats_ok,
        **{f"rpc.{s}": ok for s, ok in zip(settings.ready_services, results, strict=True)},
    }
