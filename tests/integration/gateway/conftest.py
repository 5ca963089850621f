"""The gateway on a real nats-server (the `nats_server`/`nats_client` fixtures of tests/conftest.py:
free loopback ports, temp store dir), with the test-only routes of the unit tier."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn

from services.gateway.app import create_app
from shared.messaging.streams import ensure_streams
from shared.runtime.nats_server import NatsServer, free_port
from tests.support.gateway.harness import Counter, build_test_router, make_settings
from tests.support.gateway.live import LiveGateway, sse_router


@pytest.fixture
async def gateway(nats_server: NatsServer, nats_client: Any) -> AsyncIterator[LiveGateway]:
    settings = make_settings(
        nats_url=nats_server.url, rpc_timeout_seconds=0.5, sse_heartbeat_seconds=0.5
    )
    await ensure_streams(nats_client.jetstream())
    counter = Counter()
    app = create_app(settings, nc=nats_client, routers=[build_test_router(counter), sse_router()])
    async with app.router.lifespan_context(app):
        yield LiveGateway(app, settings, counter, nats_client)


@pytest.fixture
async def http(gateway: LiveGateway) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=gateway.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def served(gateway: LiveGateway) -> AsyncIterator[str]:
    """The same app behind a real uvicorn on a free port (for streaming responses)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(gateway.app, host="127.0.0.1", port=port, lifespan="off", log_config=None)
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes only a flag
        await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)
