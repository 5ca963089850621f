"""The load generator's `paced` mode: the CPU-per-order row's baseline sends the e2e's POSTs at
the e2e's rate, each with its own Idempotency-Key."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import orjson
import pytest

from bench import loadgen

SPEC: dict[str, Any] = {
    "mode": "paced",
    "base_url": "http://bare.test",
    "rate": 200.0,
    "duration": 0.25,
    "connections": 3,
    "headers": {"authorization": "Bearer t"},
    "requests": [{"method": "POST", "path": "/v1/orders", "body": {"quote_id": "q"}}],
}


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[httpx.Request]:
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(201, json={})

    def client(base_url: str, connections: int) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=base_url, transport=httpx.MockTransport(answer))

    monkeypatch.setattr(loadgen, "_client", client)
    return requests


def test_it_sends_rate_times_duration_requests_spread_over_the_window(
    seen: list[httpx.Request],
) -> None:
    started = time.perf_counter()
    result = asyncio.run(loadgen.MODES["paced"](SPEC))
    elapsed = time.perf_counter() - started
    assert result["sent"] == len(seen) == 50
    assert result["statuses"] == {"201": 50}
    assert elapsed >= 0.24  # open loop: the last request is due at 49/200 s, not at once


def test_each_request_is_the_e2e_post_with_a_fresh_idempotency_key(
    seen: list[httpx.Request],
) -> None:
    asyncio.run(loadgen.MODES["paced"](SPEC))
    assert {(r.method, r.url.path) for r in seen} == {("POST", "/v1/orders")}
    assert all(orjson.loads(r.content) == {"quote_id": "q"} for r in seen)
    assert all(r.headers["authorization"] == "Bearer t" for r in seen)
    assert len({r.headers["idempotency-key"] for r in seen}) == len(seen)
