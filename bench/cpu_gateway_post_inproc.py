"""The gateway's own CPU per `POST /v1/orders`, in-process: no NATS, no sockets, no orders service.

    .venv/bin/python -m bench.cpu_gateway_post_inproc [--calls N] [--rounds R]

The real app (every router, every middleware) on the test harness's fakes (in-memory KV for the
Idempotency-Key, an RPC fake answering `orders.place` with a real order's JSON), driven through
its ASGI interface: each call has a customer's token, a fresh Idempotency-Key and the body wrk
sends; JSON logs, as deployed (send stderr to /dev/null). time.process_time over N calls, best of R rounds (the machine's load moves the best round
least). What it measures is what the gateway's Python does per POST apart from its socket and
NATS I/O: middleware, routing, dependency solving, validation, the response, the access log.
Compare a change with its base in two worktrees, alternating.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import time
from typing import Any

from services.gateway.app import create_app
from shared.contracts.orders import Subjects
from shared.logging import configure_logging
from tests.support.gateway.harness import Harness, make_settings
from tests.unit.gateway.routers.test_orders_by_id import ORDER


async def _post(app: Any, headers: list[tuple[bytes, bytes]], body: bytes) -> int:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": "/v1/orders", "raw_path": b"/v1/orders",
             "query_string": b"", "root_path": "", "headers": headers,
             "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8000)}  # fmt: skip
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def _round(app: Any, token: str, calls: int, prefix: str) -> float:
    body = json.dumps({"quote_id": "q-1", "payment_token": "tok_ok"}).encode()
    base = [(b"host", b"127.0.0.1:8000"), (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode())]  # fmt: skip
    started = time.process_time()
    for i in range(calls):
        headers = [*base, (b"idempotency-key", f"{prefix}-{i}".encode())]
        status = await _post(app, headers, body)
        assert status == 201, status
    return (time.process_time() - started) / calls * 1e6


async def measure(calls: int, rounds: int) -> list[float]:
    # The rate limit lifted, as bench/stack.py lifts it: one caller sends every call here.
    lifted = make_settings(rate_limit_per_minute=100_000_000, rate_limit_burst=1_000_000)
    harness = Harness(lifted, real_routers=True)
    harness.rpc.handlers[Subjects.PLACE_ORDER] = lambda payload, actor: {
        **ORDER,
        "customer_id": actor.id,
    }
    app = create_app(harness.settings, runtime_factory=_factory(harness))
    token = harness.token("cust-a")
    results = []
    async with app.router.lifespan_context(app):
        await _round(app, token, 200, "warm")
        gc.collect()
        gc.freeze()  # as the gateway's __main__ does after start-up
        for r in range(rounds):
            results.append(await _round(app, token, calls, f"r{r}"))
            harness.rpc.calls.clear()
    return results


def _factory(harness: Harness) -> Any:
    async def factory(_: object) -> Any:
        return harness.runtime

    return factory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    a = parser.parse_args()
    configure_logging("gateway", "json")  # as deployed: one JSON access line per request
    rounds = asyncio.run(measure(a.calls, a.rounds))
    print(json.dumps({"us_cpu_per_post_best": round(min(rounds), 1),
                      "rounds": [round(r, 1) for r in rounds]}))  # fmt: skip


if __name__ == "__main__":
    main()
