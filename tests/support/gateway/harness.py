"""Test-only routes exercising the gateway machinery, and a gateway app built on fakes (no NATS)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.testclient import TestClient
from pydantic import Field

from services.gateway.app import create_app
from services.gateway.auth import (
    CustomerIdQuery,
    CustomerOrAgent,
    Principal,
    acting_customer,
    mint_token,
    require_partner,
)
from services.gateway.idempotency import request_idempotency_key
from services.gateway.limits import Page, Paging
from services.gateway.models import RequestModel, ResponseModel
from services.gateway.runtime import Rpc, Runtime, build_runtime
from services.gateway.settings import GatewaySettings
from shared.errors import DomainError, ErrorKind
from tests.support.gateway.fakes import FakeKV, FakeRpc

SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"


class ThingIn(RequestModel):
    name: str = Field(min_length=1, max_length=50)
    quantity: int = Field(ge=1, le=10)


class ClaimOut(ResponseModel):
    claim_id: str
    status: str = "open"


class Counter:
    def __init__(self) -> None:
        self.executions = 0
        self.release = asyncio.Event()  # lets /v1/test/slow finish


def build_test_router(counter: Counter) -> APIRouter:
    router = APIRouter(prefix="/v1/test")

    @router.post("/things", status_code=201)
    async def create_thing(body: ThingIn, principal: CustomerOrAgent) -> dict[str, Any]:
        counter.executions += 1
        n = counter.executions
        await asyncio.sleep(0.2)  # long enough for concurrent duplicates to overlap
        return {"id": f"thing-{n}", "name": body.name, "owner": principal.id}

    @router.post("/slow", status_code=201)
    async def slow(principal: CustomerOrAgent) -> dict[str, int]:
        counter.executions += 1
        await asyncio.wait_for(counter.release.wait(), timeout=10)
        return {"execution": counter.executions}

    @router.delete("/things/{thing_id}", status_code=204)
    async def delete_thing(thing_id: str, principal: CustomerOrAgent) -> None:
        counter.executions += 1

    @router.post("/refuse")
    async def refuse(principal: CustomerOrAgent) -> None:
        counter.executions += 1
        raise DomainError("Not now.", code="sample_conflict", kind=ErrorKind.CONFLICT)

    @router.post("/claims/{claim_id}/touch")
    async def touch_claim(claim_id: str, principal: CustomerOrAgent, rpc: Rpc) -> dict[str, Any]:
        return dict(await rpc.call("rpc.warranty.get_claim", {"claim_id": claim_id}))

    @router.post("/echo-key")
    async def echo_key(
        principal: CustomerOrAgent, key: Annotated[str | None, Depends(request_idempotency_key)]
    ) -> dict[str, str | None]:
        return {"key": key}

    @router.post("/explode")
    async def explode(principal: CustomerOrAgent) -> dict[str, Any]:
        counter.executions += 1
        raise RuntimeError("secret internal detail /srv/app/db.py password=hunter2")

    @router.get("/things")
    async def list_things(principal: CustomerOrAgent, paging: Paging) -> Page[dict[str, Any]]:
        start = int(paging.after["i"]) if paging.after else 0
        items = [{"i": i} for i in range(start, min(start + paging.limit, 250))]
        nxt = {"i": start + paging.limit} if start + paging.limit < 250 else None
        return Page.of(items, nxt)

    @router.get("/claims/{claim_id}")
    async def get_claim(
        claim_id: str, principal: CustomerOrAgent, rpc: Rpc, customer_id: CustomerIdQuery = None
    ) -> ClaimOut:
        acting = acting_customer(principal, customer_id)
        data = await rpc.call("rpc.warranty.get_claim", {"claim_id": claim_id}, actor=acting.actor)
        return ClaimOut.model_validate(data)

    @router.get("/domain-error/{kind}")
    async def domain_error(kind: str) -> None:
        raise DomainError("It went wrong.", code=f"sample_{kind}", kind=ErrorKind(kind))

    @router.get("/partner-only")
    async def partner_only(
        principal: Annotated[Principal, Depends(require_partner("webhooks.manage"))],
    ) -> dict[str, str]:
        return {"partner": principal.id}

    return router


def make_settings(**overrides: Any) -> GatewaySettings:
    values: dict[str, Any] = {
        "env": "local",
        "jwt_secret": SECRET,
        "rate_limit_per_minute": 100_000,
        "rate_limit_burst": 10_000,
        "ready_services": ["warranty"],
    }
    values.update(overrides)
    return GatewaySettings(**values)


class Harness:
    """The gateway on fakes; with `real_routers` it serves the product's routers instead of the
    test-only ones (for checks that must hold on every operation)."""

    def __init__(self, settings: GatewaySettings, *, real_routers: bool = False) -> None:
        self.settings = settings
        self.idempotency_kv = FakeKV()
        self.partner_kv = FakeKV()
        self.rpc = FakeRpc()
        self.counter = Counter()
        self.runtime: Runtime = build_runtime(
            settings, idempotency_kv=self.idempotency_kv, partner_kv=self.partner_kv, rpc=self.rpc
        )

        async def factory(_: GatewaySettings) -> Runtime:
            return self.runtime

        routers = None if real_routers else [build_test_router(self.counter)]
        self.app = create_app(settings, runtime_factory=factory, routers=routers)

    def token(self, subject: str = "cust-1", role: str = "customer", ttl: int = 600) -> str:
        return mint_token(self.settings, subject, role, ttl)  # type: ignore[arg-type]

    def auth(self, subject: str = "cust-1", role: str = "customer") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(subject, role)}"}

    @contextmanager
    def serving(self, *routers: APIRouter) -> Iterator[TestClient]:
        """A client of the gateway serving only `routers` (the product's own) on these fakes."""

        async def factory(_: GatewaySettings) -> Runtime:
            return self.runtime

        app = create_app(self.settings, runtime_factory=factory, routers=list(routers))
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client
