"""The gateway's orders router over the orders service's real RPC handlers (no NATS).

FakeRpc answers each `rpc.orders.*` subject by running the service's own route handler, with
the same JSON round trip as the wire, so the HTTP contract is tested against the real service.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from fastapi.testclient import TestClient

from services.gateway.app import create_app
from services.gateway.auth import mint_token
from services.gateway.routers.orders import router
from services.gateway.runtime import build_runtime
from services.orders.entrypoints.rpc import routes
from shared.rpc import ok_reply
from tests.support.gateway.fakes import FakeKV, FakeRpc
from tests.support.gateway.harness import make_settings
from tests.support.orders.stack import Stack


def wire_rpc(stack: Stack) -> FakeRpc:
    fake = FakeRpc()
    for route in routes(stack.cases):

        async def answer(payload: Any, actor: Any, route=route) -> Any:
            body = payload.model_dump(mode="json") if hasattr(payload, "model_dump") else payload
            request = route.request_model.model_validate(orjson.loads(orjson.dumps(body)))
            reply = orjson.loads(ok_reply(await route.handler(request, actor)))
            return reply["data"]

        fake.handlers[route.subject] = answer
    return fake


@contextmanager
def gateway_client(stack: Stack) -> Iterator[tuple[TestClient, Any]]:
    """An HTTP client of the gateway (orders router only) and its settings."""
    settings = make_settings()
    runtime = build_runtime(
        settings, idempotency_kv=FakeKV(), partner_kv=FakeKV(), rpc=wire_rpc(stack)
    )

    async def factory(_: Any) -> Any:
        return runtime

    app = create_app(settings, runtime_factory=factory, routers=[router])
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c, settings


def auth(settings: Any, subject: str, role: str = "customer") -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(settings, subject, role, 600)}"}
