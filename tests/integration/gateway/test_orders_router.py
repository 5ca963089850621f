"""The gateway's orders router over the orders service's real RPC handlers (SQLite, no NATS).

FakeRpc answers each `rpc.orders.*` subject by running the service's own route handler, with
the same JSON round trip as the wire, so the HTTP contract is tested against the real service
(tests/support/orders/gateway.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.orders.gateway import auth, gateway_client
from tests.support.orders.stack import Stack, orders_stack


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    async with orders_stack(database_url) as built:
        yield built


@pytest.fixture
def client(stack: Stack) -> Iterator[tuple[TestClient, Any]]:
    """The gateway's orders router over this stack's RPC handlers, and the gateway settings."""
    with gateway_client(stack) as built:
        yield built


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
    # The quote paid again (another request): 200 and the same order, not a second one.
    again = http.post("/v1/orders", json={"quote_id": q.json()["quote_id"],
                                          "payment_token": "tok_ok"}, headers=me)  # fmt: skip
    assert (again.status_code, again.json()["order_id"]) == (200, order_id), again.text
    assert "placed_now" not in again.json()

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
