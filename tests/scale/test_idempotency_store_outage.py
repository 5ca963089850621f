"""Regression for a bug the scale-out test found: while the R3 `KV_idempotency` stream elected a
new leader after a NATS node was SIGKILLed, `kv.create` raised NoStreamResponseError and every
POST with an Idempotency-Key answered an unhandled 500 `internal_error` (logged as
http.unhandled_error). Nothing ran, so the answer is 503 `upstream_unavailable` with
Retry-After, and a retry with the same key runs the request once the store answers again.

Issue 20: an election shorter than the gateway's ride-through budget (services/gateway/kv.py)
is not seen by the client at all: the request is slower and succeeds, and runs once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from nats.js.errors import NoStreamResponseError

from services.gateway import kv
from tests.support.gateway.harness import Harness, make_settings

URL = "/v1/test/things"
BODY = {"name": "handbag", "quantity": 1}


@pytest.fixture
async def harness() -> AsyncIterator[tuple[Harness, httpx.AsyncClient]]:
    h = Harness(make_settings())
    async with h.app.router.lifespan_context(h.app):
        transport = httpx.ASGITransport(app=h.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield h, c


async def test_store_outage_is_503_and_the_retry_runs_once(
    harness: tuple[Harness, httpx.AsyncClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    h, client = harness
    create = h.idempotency_kv.create

    async def no_stream(key: str, value: bytes) -> int:
        raise NoStreamResponseError

    monkeypatch.setattr(h.idempotency_kv, "create", no_stream)
    monkeypatch.setattr(kv, "BUDGET_S", 0.3)  # an outage longer than the ride-through
    headers = {**h.auth(), "Idempotency-Key": "during-failover"}
    r = await client.post(URL, json=BODY, headers=headers)
    assert r.status_code == 503, r.text
    assert r.json()["code"] == "upstream_unavailable" and r.headers["retry-after"] == "1"
    assert h.counter.executions == 0

    monkeypatch.setattr(h.idempotency_kv, "create", create)
    assert (await client.post(URL, json=BODY, headers=headers)).status_code == 201
    replay = await client.post(URL, json=BODY, headers=headers)
    assert replay.headers["idempotent-replayed"] == "true"
    assert h.counter.executions == 1


async def test_an_election_within_the_budget_is_only_slower(
    harness: tuple[Harness, httpx.AsyncClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    h, client = harness
    create, failures = h.idempotency_kv.create, []

    async def electing(key: str, value: bytes) -> int:
        if len(failures) < 3:  # three attempts land on a leaderless stream, then it answers
            failures.append(key)
            raise NoStreamResponseError
        return await create(key, value)

    monkeypatch.setattr(h.idempotency_kv, "create", electing)
    headers = {**h.auth(), "Idempotency-Key": "during-election"}
    r = await client.post(URL, json=BODY, headers=headers)
    assert r.status_code == 201, r.text
    assert len(failures) == 3 and h.counter.executions == 1
    replay = await client.post(URL, json=BODY, headers=headers)
    assert replay.headers["idempotent-replayed"] == "true" and h.counter.executions == 1
