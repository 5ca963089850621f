"""A gateway served on a real nats-server, for the integration tier (fixtures in
tests/integration/gateway/conftest.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI

from services.gateway.auth import CustomerOrAgent, mint_token
from services.gateway.settings import GatewaySettings
from services.gateway.sse import Streams
from tests.support.gateway.harness import Counter


def sse_router() -> APIRouter:
    router = APIRouter(prefix="/v1/test")

    @router.get("/claims/{claim_id}/stream")
    async def stream(claim_id: str, principal: CustomerOrAgent, streams: Streams) -> Any:
        return streams.claim(claim_id)

    @router.get("/inbox/stream")
    async def inbox(principal: CustomerOrAgent, streams: Streams) -> Any:
        return streams.inbox(principal.id)

    return router


class LiveGateway:
    def __init__(self, app: FastAPI, settings: GatewaySettings, counter: Counter, nc: Any) -> None:
        self.app = app
        self.settings = settings
        self.counter = counter
        self.nc = nc

    def auth(self, subject: str = "cust-1", role: str = "customer") -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(self.settings, subject, role, 600)}"}  # type: ignore[arg-type]
