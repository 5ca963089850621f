"""The gateway's orders router over the orders service's real RPC handlers (SQLite, no NATS).

FakeRpc answers each `rpc.orders.*` subject by running the service's own route handler, with
the same JSON round trip as the wire, so the HTTP contract is tested against the real service.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import orjson
import pytest
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


@pytest.fixture
def client(stack: Stack) -> Iterator[tuple[TestClient, Any]]:
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


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_uk_story_through_http(client, stack: Stack) -> None:
    http, settings = client
    me = auth(settings, "cust-uk-1")
    cat = http.get("/v1/catalog", params={"region": "UK"}, headers=me)
    assert cat.status_code == 200, cat.text
    offers = {o["style"]: o for o in cat.json()["offers"]}
    assert offers["TC11"]["kind"] == "cross_region" and offers["TC11"]["price"] == "95.82"
    assert offers["PY01"]["reason_code"] == "restricted_material"
    assert "CITES" in offers["PY01"]["reason"]

    offer = http.get("/v1/products/TC11/offers", params={"region": "UK"}, headers=me).json()
    assert (offer["delivery_days_min"], offer["delivery_days_max"]) == (5, 8)

    q = http.post("/v1/quotes", json={"style": "VT02", "region": "UK"}, headers=me)
    assert q.status_code == 201, q.text
    lines = {x["kind"]: x["amount"] for x in q.json()["lines"]}
    assert lines == {"goods": "231.01", "shipping": "19.38", "duty": "7.51", "vat": "51.58"}
    assert q.json()["total"] == "309.48"

    o = http.post(
        "/v1/orders", json={"quote_id": q.json()["quote_id"], "payment_token": "tok_ok"}, headers=me
    )
    assert o.status_code == 201, o.text
    order_id = o.json()["order_id"]
    assert o.json()["status"] == "pending" and o.json()["placed_by_agent"] is False

    stranger = auth(settings, "cust-other")
    assert http.get(f"/v1/orders/{order_id}", headers=stranger).status_code == 404
    listed = http.get("/v1/orders", headers=me).json()
    assert [x["order_id"] for x in listed["items"]] == [order_id]
    assert http.get("/v1/orders", headers=stranger).json()["items"] == []

    timeline = http.get(f"/v1/orders/{order_id}/timeline", headers=me).json()
    assert [t["status"] for t in timeline["timeline"]] == ["pending"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_bad_input_and_expiry(client, stack: Stack) -> None:
    http, settings = client
    me = auth(settings, "cust-uk-1")
    bad = http.post("/v1/quotes", json={"style": "TC11", "region": "UK", "x": 1}, headers=me)
    assert bad.status_code == 422
    unavailable = http.post("/v1/quotes", json={"style": "PY01", "region": "UK"}, headers=me)
    assert unavailable.status_code == 409
    assert unavailable.json()["code"] == "catalogue_not_available"
    q = http.post("/v1/quotes", json={"style": "TC11", "region": "UK"}, headers=me).json()
    stack.clock.advance(timedelta(minutes=31))
    expired = http.post(
        "/v1/orders", json={"quote_id": q["quote_id"], "payment_token": "tok_ok"}, headers=me
    )
    assert expired.status_code == 410 and expired.json()["code"] == "quote_expired"
    assert http.get("/v1/orders", headers=me).json()["items"] == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_agent_orders_for_a_customer(client, stack: Stack) -> None:
    http, settings = client
    agent = auth(settings, "agent-7", role="agent")
    missing = http.post("/v1/quotes", json={"style": "TC11", "region": "UK"}, headers=agent)
    assert missing.status_code == 422 and missing.json()["code"] == "customer_id_required"
    q = http.post(
        "/v1/quotes",
        json={"style": "TC11", "region": "UK", "customer_id": "cust-uk-9"},
        headers=agent,
    ).json()
    o = http.post(
        "/v1/orders",
        json={"quote_id": q["quote_id"], "payment_token": "tok_ok", "customer_id": "cust-uk-9"},
        headers=agent,
    ).json()
    assert o["customer_id"] == "cust-uk-9" and o["agent_id"] == "agent-7"
    customer_view = http.get(f"/v1/orders/{o['order_id']}", headers=auth(settings, "cust-uk-9"))
    assert customer_view.json()["placed_by_agent"] is True
    assert customer_view.json()["agent_id"] is None
    w = http.post(
        "/v1/waitlist",
        json={"style": "PY01", "region": "UK", "customer_id": "cust-uk-9"},
        headers=agent,
    )
    assert w.status_code == 201 and w.json()["style"] == "PY01"
