"""The gateway with only the notifications routes, over a fake RPC: what it sends, and answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from services.gateway.app import create_app
from services.gateway.auth import mint_token
from services.gateway.routers import notifications as routes
from services.gateway.runtime import Runtime, build_runtime
from tests.support.gateway.fakes import FakeKV, FakeRpc
from tests.support.gateway.harness import make_settings


class App:
    def __init__(self) -> None:
        self.settings = make_settings()
        self.rpc = FakeRpc()
        self.runtime: Runtime = build_runtime(
            self.settings, idempotency_kv=FakeKV(), partner_kv=FakeKV(), rpc=self.rpc
        )

        async def factory(_settings):
            return self.runtime

        self.app = create_app(self.settings, runtime_factory=factory, routers=[routes.router])

    def auth(self, subject: str = "cust-1", role: str = "customer") -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(self.settings, subject, role, 600)}"}

    async def partner(self, actions: list[str]) -> dict[str, str]:
        plain, _ = await self.runtime.partner_keys.create("acme", ["warranty.claim.*"], actions)
        return {"X-API-Key": plain}


@asynccontextmanager
async def gateway_env() -> AsyncIterator[tuple[App, httpx.AsyncClient]]:
    """The gateway (notifications routes only, fake RPC), started, and an HTTP client for it."""
    app = App()
    async with app.app.router.lifespan_context(app.app):
        transport = httpx.ASGITransport(app=app.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield app, client
