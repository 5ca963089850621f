"""A keyed placement (`rpc.orders.place` under a request key) stores its reply in the
placement's own transaction: no second transaction after the answer, and a repeat still gets
the first reply byte for byte, after the saga has moved the order on."""

from __future__ import annotations

import orjson
import pytest

from services.orders.entrypoints.rpc import routes
from shared.contracts import orders as c
from shared.messaging.glue import answer
from shared.messaging.requests import ProcessedRequests
from shared.rpc import ACTOR_HEADER, REQUEST_KEY_HEADER
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
    assert await store.find("cust-uk-1:key-1", c.Subjects.PLACE_ORDER) == (True, first)
    order_id = orjson.loads(first)["data"]["order_id"]
    await stack.runner.saga.advance(order_id)  # the order moves on: a rebuilt reply would differ
    assert await answer(place, store, headers, body) == first
