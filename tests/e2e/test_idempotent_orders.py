"""Issue 5's acceptance on the real path: 50 concurrent identical POST /v1/orders make one order."""

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
        assert {r.status_code for r in responses} <= {201, 409}, [r.text for r in responses]
        created = [r for r in responses if r.status_code == 201]
        originals = [r for r in created if "idempotent-replayed" not in r.headers]
        assert len(originals) == 1
        assert {r.content for r in created} == {originals[0].content}
        replay = await http.post("/v1/orders", json=body, headers=key)
        assert replay.status_code == 201 and replay.content == originals[0].content
        assert replay.headers["idempotent-replayed"] == "true"
        orders = (await http.get("/v1/orders")).json()["items"]
        assert [o["order_id"] for o in orders] == [originals[0].json()["order_id"]]
