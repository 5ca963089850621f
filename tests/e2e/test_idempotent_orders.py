"""Issue 5's acceptance on the real path: 50 concurrent identical POST /v1/orders make one order.

`POST /v1/orders` leaves its Idempotency-Key to the orders service (the gateway's
KEPT_BY_SERVICE): the semantics below are the gateway's, kept in the service's database."""

from __future__ import annotations

import asyncio
import uuid

import httpx


async def test_fifty_concurrent_identical_orders_create_one(running_stack):
    customer = f"cus_idem_{uuid.uuid4().hex[:8]}"
    headers = {"Authorization": f"Bearer {running_stack.token(customer)}"}
    async with httpx.AsyncClient(base_url=running_stack.api, headers=headers, timeout=30) as http:
        quote = await http.post("/v1/quotes", json={"style": "TC11", "region": "UK"},
                                headers={"Idempotency-Key": uuid.uuid4().hex})  # fmt: skip
        assert quote.status_code == 201, quote.text
        body = {"quote_id": quote.json()["quote_id"], "payment_token": "tok_ok"}
        key = {"Idempotency-Key": f"order-{uuid.uuid4().hex}"}
        responses = await asyncio.gather(
            *(http.post("/v1/orders", json=body, headers=key) for _ in range(50))
        )
        # The service keeps the key: a retry sent while the first runs waits for its answer.
        assert {r.status_code for r in responses} == {201}, [r.text for r in responses]
        created = [r for r in responses if r.status_code == 201]
        originals = [r for r in created if "idempotent-replayed" not in r.headers]
        assert len(originals) == 1
        assert {r.content for r in created} == {originals[0].content}
        replay = await http.post("/v1/orders", json=body, headers=key)
        assert replay.status_code == 201 and replay.content == originals[0].content
        assert replay.headers["idempotent-replayed"] == "true"
        orders = (await http.get("/v1/orders")).json()["items"]
        assert [o["order_id"] for o in orders] == [originals[0].json()["order_id"]]


async def test_the_key_on_another_order_or_a_refusal_answers_as_the_gateway_did(running_stack):
    customer = f"cus_idem_{uuid.uuid4().hex[:8]}"
    headers = {"Authorization": f"Bearer {running_stack.token(customer)}"}
    async with httpx.AsyncClient(base_url=running_stack.api, headers=headers, timeout=30) as http:
        quotes = [
            (await http.post("/v1/quotes", json={"style": "TC11", "region": "UK"})).json()
            for _ in range(2)
        ]
        key = {"Idempotency-Key": f"order-{uuid.uuid4().hex}"}
        first = await http.post(
            "/v1/orders", json={"quote_id": quotes[0]["quote_id"], "payment_token": "tok_ok"},
            headers=key,
        )  # fmt: skip
        assert first.status_code == 201, first.text
        assert "idempotent-replayed" not in first.headers
        other = await http.post(
            "/v1/orders", json={"quote_id": quotes[1]["quote_id"], "payment_token": "tok_ok"},
            headers=key,
        )  # fmt: skip
        assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
        orders = (await http.get("/v1/orders")).json()["items"]
        assert [o["order_id"] for o in orders] == [first.json()["order_id"]]

        refused_key = {"Idempotency-Key": f"order-{uuid.uuid4().hex}"}
        unknown = {"quote_id": "q_" + "0" * 24, "payment_token": "tok_ok"}
        refused = await http.post("/v1/orders", json=unknown, headers=refused_key)
        assert 400 <= refused.status_code < 500, refused.text
        again = await http.post("/v1/orders", json=unknown, headers=refused_key)
        assert (again.status_code, again.json()["code"]) == (
            refused.status_code,
            refused.json()["code"],
        )
        assert again.headers["idempotent-replayed"] == "true"
        assert "idempotent-replayed" not in refused.headers


async def test_a_quote_keeps_its_key_in_the_orders_service(running_stack):
    customer = f"cus_idem_{uuid.uuid4().hex[:8]}"
    headers = {"Authorization": f"Bearer {running_stack.token(customer)}"}
    async with httpx.AsyncClient(base_url=running_stack.api, headers=headers, timeout=30) as http:
        key = {"Idempotency-Key": f"quote-{uuid.uuid4().hex}"}
        body = {"style": "TC11", "region": "UK"}
        responses = await asyncio.gather(
            *(http.post("/v1/quotes", json=body, headers=key) for _ in range(10))
        )
        assert {r.status_code for r in responses} == {201}, [r.text for r in responses]
        assert len({r.json()["quote_id"] for r in responses}) == 1
        assert len({r.content for r in responses}) == 1
        originals = [r for r in responses if "idempotent-replayed" not in r.headers]
        assert len(originals) == 1
        other = await http.post("/v1/quotes", json={**body, "quantity": 2}, headers=key)
        assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
