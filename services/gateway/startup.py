"""Gateway start-up that waits for NATS and its KV buckets instead of exiting.

On a cluster still electing leaders, opening a KV bucket times out; that used to fail the
lifespan ("Application startup failed", exit 3). Now start-up runs as a task: NATS connects
(nats-py retries for ever and logs each refusal), then the buckets open through
`shared.runtime.startup.wait_for` (bounded back-off, `dependency.waiting` with the reason).
The lifespan waits for that task up to `SERVE_AFTER_S`, then serves anyway: `/healthz` is OK,
`/readyz` answers 503 with what start-up waits for, and every other request gets 503
`service_starting` with Retry-After until the runtime is in place. No restart is needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from services.gateway.errors import problem_response
from services.gateway.replicas import ReplicaCensus
from services.gateway.runtime import Runtime, open_replica_census, runtime_from_nats
from services.gateway.settings import GatewaySettings
from shared.nats_conn import connect
from shared.runtime.startup import StartupState, wait_for

log = structlog.get_logger()

SERVE_AFTER_S = 5.0  # a normal start-up finishes before the first request is served
RuntimeFactory = Callable[[GatewaySettings], Awaitable[Runtime]]


class GatewayStartup:
    """Builds the runtime in the background and owns what it started (census, connection)."""

    def __init__(
        self, app: Any, settings: GatewaySettings, nc: Any, factory: RuntimeFactory | None
    ) -> None:
        self.app, self.settings, self.nc, self.factory = app, settings, nc, factory
        self.state = StartupState()
        self.runtime: Runtime | None = None
        self._own_connection = False
        self._census: ReplicaCensus | None = None
        self._census_task: asyncio.Task[None] | None = None
        self._task: asyncio.Task[None] | None = None

    async def begin(self) -> None:
        self._task = asyncio.create_task(self._start(), name="gateway-startup")
        await asyncio.wait({self._task}, timeout=SERVE_AFTER_S)
        if self._task.done():
            self._task.result()  # a runtime factory's error (tests) stays an error
        else:
            log.warning("gateway.serving_before_ready", waiting_for=self.state.describe())

    async def _start(self) -> None:
        if self.factory is not None:
            runtime = await self.factory(self.settings)
        else:
            if self.nc is None:
                self._own_connection = True
                self.state.waiting_for = "nats"
                self.nc = await connect(self.settings.nats_url, name="gateway")
            nc = self.nc
            runtime = await self._wait_for(
                "kv buckets", lambda: runtime_from_nats(self.settings, nc)
            )
        if runtime.js is not None:
            self._census = await self._wait_for(
                "replica census", lambda: open_replica_census(runtime)
            )
            self._census_task = asyncio.create_task(self._census.run())
        self.runtime = runtime
        self.app.state.runtime = runtime
        self.state.ready = True
        log.info("gateway.started", env=self.settings.env)

    async def _wait_for(self, what: str, attempt: Callable[[], Awaitable[Any]]) -> Any:
        # No deadline: the gateway holds no work of its own, and /readyz says what it waits for.
        return await wait_for(what, attempt, state=self.state, deadline_s=math.inf)

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.wait({self._task}, timeout=5)
        if self._census_task is not None and self._census is not None:
            self._census_task.cancel()
            await asyncio.wait({self._census_task}, timeout=5)  # never hold up a stop
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._census.leave(), 5)
        if self._own_connection and self.nc is not None:
            with contextlib.suppress(Exception):
                await self.nc.drain()
        log.info("gateway.stopped")


class StartingGate:
    """Until start-up is done: `/healthz` 200, `/readyz` 503 with what it waits for, anything
    else 503 `service_starting` (the middlewares behind this one need the runtime)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = hasattr(scope["app"].state, "runtime") if "app" in scope else True
        if scope["type"] != "http" or started:
            await self.app(scope, receive, send)
            return
        startup: GatewayStartup | None = getattr(scope["app"].state, "startup", None)
        reason = startup.state.describe() if startup else "start-up"
        response: Response
        if scope["path"] == "/healthz":
            response = JSONResponse({"status": "ok"})
        elif scope["path"] == "/readyz":
            body = {"status": "unavailable", "checks": {"started": False}, "reason": reason}
            response = JSONResponse(body, status_code=503)
        else:
            response = problem_response(503, "service_starting", f"The gateway is {reason}.",
                                        request=Request(scope), headers={"Retry-After": "2"})  # fmt: skip
        await response(scope, receive, send)
