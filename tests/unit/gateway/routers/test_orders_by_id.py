"""GET /v1/orders/{id}: agents read any order by its id alone (the console's search); customers
only their own; an agent naming a customer still gets only that customer's order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.gateway.routers import orders
from tests.support.gateway.harness import Harness

GET = "rpc.orders.get_order"
CUSTOMS = {
    "hs_code": "4202.32",
    "origin_country": "VN",
    "quantity": 1,
    "declared_value": "80.00",
    "currency": "GBP",
    "incoterm": "DDP",
}
QUOTE = {
    "quote_id": "q-1",
    "region": "UK",
    "style": "TC11",
    "name": "Sleeve",
    "quantity": 1,
    "offer_kind": "cross_region",
    "warehouse": "US-NJ",
    "ships_from_region": "US",
    "currency": "GBP",
    "lines": [],
    "total": "95.82",
    "tax_treatment": "low_value_vat",
    "delivery_days_min": 5,
    "delivery_days_max": 8,
    "customs": CUSTOMS,
    "created_at": "2026-12-05T01:00:00Z",
    "expires_at": "2026-12-05T01:15:00Z",
}
ORDER: dict[str, Any] = {"order_id": "ord-1", "customer_id": "cust-a", "agent_id": None, "status": "confirmed",
         "quote": QUOTE, "timeline": [], "created_at": "2026-12-05T01:00:00Z"}  # fmt: skip


@pytest.fixture
def client(harness: Harness) -> Iterator[TestClient]:
    with harness.serving(orders.router) as c:
        yield c


def test_an_agent_reads_an_order_by_its_id_alone(client: TestClient, harness: Harness) -> None:
    harness.rpc.handlers[GET] = ORDER
    r = client.get("/v1/orders/ord-1", headers=harness.auth("agent-1", "agent"))
    assert r.status_code == 200, r.text
    assert r.json()["customer_id"] == "cust-a"
    actor = harness.rpc.calls[-1]["actor"]
    assert (actor.type, actor.id, actor.on_behalf_of) == ("agent", "agent-1", None)


def test_an_agent_naming_a_customer_reads_on_their_behalf(client: TestClient, harness: Harness) -> None:  # fmt: skip
    harness.rpc.handlers[GET] = ORDER
    r = client.get("/v1/orders/ord-1", params={"customer_id": "cust-a"},
                   headers=harness.auth("agent-1", "agent"))  # fmt: skip
    assert r.status_code == 200, r.text
    assert harness.rpc.calls[-1]["actor"].on_behalf_of == "cust-a"


def test_customers_still_read_as_themselves(client: TestClient, harness: Harness) -> None:
    harness.rpc.handlers[GET] = ORDER
    calls = len(harness.rpc.calls)
    r = client.get("/v1/orders/ord-1", params={"customer_id": "cust-b"},
                   headers=harness.auth("cust-a"))  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (404, "customer_not_found")
    assert len(harness.rpc.calls) == calls  # refused before any service is asked
    client.get("/v1/orders/ord-1", headers=harness.auth("cust-a"))
    actor = harness.rpc.calls[-1]["actor"]
    assert (actor.type, actor.id) == ("customer", "cust-a")
