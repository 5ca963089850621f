"""A keyed placement (`rpc.orders.place` under a request key) stores its reply in the
placement's own transaction: no second transaction after the answer, and a repeat still gets
the first reply byte for byte, after the saga has moved the order on."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from services.orders.entrypoints.rpc import routes
from shared.contracts import orders as c
from shared.messaging.glue import answer
from shared.messaging.processed_requests import ProcessedRequests
from shared.messaging.requests import Replayed
from shared.rpc import ACTOR_HEADER, REQUEST_FINGERPRINT_HEADER, REQUEST_KEY_HEADER
from tests.support.orders.stack import UK_CUSTOMER, Stack


async def test_the_placement_stores_its_reply_with_the_order(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ProcessedRequests(stack.db)
    stored_after: list[str] = []

    async def store_reply(key: str, operation: str, reply: bytes) -> None:
        stored_after.append(key)  # the second transaction this placement must not need

    monkeypatch.setattr(store, "store_reply", store_reply)
    place = next(r for r in routes(stack.cases) if r.subject == c.Subjects.PLACE_ORDER)
    quote = await stack.cases.quotes.quote(UK_CUSTOMER, "TC11", "UK", 1)
    headers = {ACTOR_HEADER: UK_CUSTOMER.header(), REQUEST_KEY_HEADER: "cust-uk-1:key-1"}
    body = orjson.dumps({"quote_id": quote.quote_id, "payment_token": "tok_ok"})

    first = await answer(place, store, headers, body)

    assert orjson.loads(first)["data"]["status"] == "pending", first
    assert stored_after == []
    assert await store.find("cust-uk-1:key-1", c.Subjects.PLACE_ORDER) == (first, None)
    order_id = orjson.loads(first)["data"]["order_id"]
    await stack.runner.saga.advance(order_id)  # the order moves on: a rebuilt reply would differ
    assert await answer(place, store, headers, body) == first


async def test_a_placement_keeps_the_gateways_key_semantics(stack: Stack) -> None:
    """`POST /v1/orders` leaves its Idempotency-Key to orders (the gateway's KEPT_BY_SERVICE):
    a retry of the same request is replayed and marked so; the key on another request is
    refused without placing anything; a refusal is the request's answer for good."""
    store = ProcessedRequests(stack.db)
    place = next(r for r in routes(stack.cases) if r.subject == c.Subjects.PLACE_ORDER)
    quote = await stack.cases.quotes.quote(UK_CUSTOMER, "TC11", "UK", 1)
    other = await stack.cases.quotes.quote(UK_CUSTOMER, "TC11", "UK", 1)

    def keyed(key: str, fingerprint: str) -> dict[str, str]:
        return {
            ACTOR_HEADER: UK_CUSTOMER.header(),
            REQUEST_KEY_HEADER: key,
            REQUEST_FINGERPRINT_HEADER: fingerprint,
        }

    def body(quote_id: str) -> bytes:
        return orjson.dumps({"quote_id": quote_id, "payment_token": "tok_ok"})

    first = await answer(place, store, keyed("k-1", "fp-1"), body(quote.quote_id))
    assert orjson.loads(first)["ok"] and not isinstance(first, Replayed)
    again = await answer(place, store, keyed("k-1", "fp-1"), body(quote.quote_id))
    assert again == first and isinstance(again, Replayed)
    reused = orjson.loads(await answer(place, store, keyed("k-1", "fp-2"), body(other.quote_id)))
    assert reused["error"]["code"] == "idempotency_key_reused"
    assert await _orders_placed(stack) == 1

    refused = await answer(place, store, keyed("k-3", "fp-3"), body("q_unknown"))
    assert not orjson.loads(refused)["ok"]
    repeat = await answer(place, store, keyed("k-3", "fp-3"), body("q_unknown"))
    assert repeat == refused and isinstance(repeat, Replayed)


async def _orders_placed(stack: Stack) -> int:
    async with stack.db.read() as session:
        return int((await session.execute(sa.text("SELECT count(*) FROM orders"))).scalar_one())


async def test_a_quote_placed_under_another_key_keeps_this_key_too(stack: Stack) -> None:
    """Placing a quote placed earlier answers with its order and writes nothing; the key the
    service keeps is still recorded with that answer, so it cannot place another order."""
    store = ProcessedRequests(stack.db)
    place = next(r for r in routes(stack.cases) if r.subject == c.Subjects.PLACE_ORDER)
    quote = await stack.cases.quotes.quote(UK_CUSTOMER, "TC11", "UK", 1)
    other = await stack.cases.quotes.quote(UK_CUSTOMER, "TC11", "UK", 1)

    def call(key: str, fingerprint: str, quote_id: str) -> Any:
        headers = {
            ACTOR_HEADER: UK_CUSTOMER.header(),
            REQUEST_KEY_HEADER: key,
            REQUEST_FINGERPRINT_HEADER: fingerprint,
        }
        body = orjson.dumps({"quote_id": quote_id, "payment_token": "tok_ok"})
        return answer(place, store, headers, body)

    first = await call("k-a", "fp-a", quote.quote_id)
    again = await call("k-b", "fp-b", quote.quote_id)  # the same quote, another key
    assert orjson.loads(again)["data"]["order_id"] == orjson.loads(first)["data"]["order_id"]
    # The reply says which request placed it (the gateway answers 201 for it, 200 for the rest).
    assert orjson.loads(first)["data"]["placed_now"] is True
    assert orjson.loads(again)["data"]["placed_now"] is False
    reused = orjson.loads(await call("k-b", "fp-c", other.quote_id))
    assert reused["error"]["code"] == "idempotency_key_reused"
    assert await _orders_placed(stack) == 1
