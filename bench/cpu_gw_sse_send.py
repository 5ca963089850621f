"""CPU per SSE event in the response layer, in-process: `python -m bench.cpu_gw_sse_send`.

sse-starlette's `EventSourceResponse` (what the gateway's streams used) against the gateway's
`EventStreamResponse` (services/gateway/sse_response.py), alternating: each streams `--events`
`ServerSentEvent`s, shaped like an inbox event, from an async generator to an ASGI `send` that
only counts them (no socket), with the client never leaving. time.process_time per event, best
of `--rounds`. What it measures is the response's own work per event (encoding, the send path);
the socket write, the NATS read and the feed are not in it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from sse_starlette import EventSourceResponse, ServerSentEvent

from services.gateway.sse_response import EventStreamResponse

DATA = json.dumps({"type": "notifications.message.delivered", "data": {"channel": "in_app"}})


async def _events(n: int) -> AsyncIterator[ServerSentEvent]:
    for seq in range(n):
        yield ServerSentEvent(id=str(seq), event="notifications.message.delivered", data=DATA)


async def one_stream(kind: type[EventSourceResponse], n: int) -> float:
    sent = 0

    async def send(message: Any) -> None:
        nonlocal sent
        sent += 1

    async def receive() -> Any:
        await asyncio.sleep(3600)  # the client stays

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "path": "/v1/me/notifications/stream", "headers": []}  # fmt: skip
    response = kind(_events(n), ping=0, headers={"X-Accel-Buffering": "no"})
    started = time.process_time()
    await response(scope, receive, send)
    elapsed = time.process_time() - started
    assert sent == n + 2, sent  # the start, n events, the end
    return elapsed / n * 1e6


async def measure(n: int, rounds: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {"sse_starlette": [], "gateway": []}
    await one_stream(EventStreamResponse, 200)  # warm-up
    for _ in range(rounds):
        results["sse_starlette"].append(await one_stream(EventSourceResponse, n))
        results["gateway"].append(await one_stream(EventStreamResponse, n))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    a = parser.parse_args()
    results = asyncio.run(measure(a.events, a.rounds))
    print(json.dumps({name: {"us_per_event_best": round(min(r), 2),
                             "rounds": [round(x, 2) for x in r]}
                      for name, r in results.items()}))  # fmt: skip


if __name__ == "__main__":
    main()
