"""Live streams on a real nats-server behind a real uvicorn: each caller holds at most
`sse_max_streams_per_caller` (429 `too_many_streams` above it, the slot comes back when the
client leaves), and `Last-Event-ID` is checked before the stream starts."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

import httpx

from tests.support.gateway.live import LiveGateway

URL = "/v1/test/claims/claim-L/stream"


async def eventually(condition: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def eventually_async(
    value: Callable[[], Awaitable[int]], expected: int, timeout: float = 10.0
) -> None:
    deadline = time.monotonic() + timeout
    while (got := await value()) != expected:
        assert time.monotonic() < deadline, f"still {got}, expected {expected}"
        await asyncio.sleep(0.1)


async def consumers(gateway: LiveGateway) -> int:
    return int((await gateway.nc.jetstream().stream_info("WARRANTY")).state.consumer_count)


async def test_streams_per_caller_are_capped_and_given_back(
    gateway: LiveGateway, served: str
) -> None:
    slots = gateway.app.state.runtime.stream_slots
    cap = gateway.settings.sse_max_streams_per_caller
    me = gateway.auth("cust-streams")
    async with httpx.AsyncClient(base_url=served, timeout=10) as client:
        async with contextlib.AsyncExitStack() as stack:
            opened = [
                await stack.enter_async_context(client.stream("GET", URL, headers=me))
                for _ in range(cap)
            ]
            assert [r.status_code for r in opened] == [200] * cap
            refused = await client.get(URL, headers=me)
            assert refused.status_code == 429
            assert refused.json()["code"] == "too_many_streams"
            assert int(refused.headers["Retry-After"]) > 0
            # The cap is per caller: someone else still gets a stream.
            async with client.stream("GET", URL, headers=gateway.auth("cust-other")) as other:
                assert other.status_code == 200
            await opened[0].aclose()  # the client leaves: its slot comes back
            await eventually(lambda: slots.open_count("customer:cust-streams") == cap - 1)
            async with client.stream("GET", URL, headers=me) as again:
                assert again.status_code == 200
        await eventually(lambda: slots.open_count("customer:cust-streams") == 0)
    # Every JetStream consumer went with its stream (not 30 s later, when the server would drop it).
    await eventually_async(lambda: consumers(gateway), expected=0)


async def test_last_event_id_is_checked_before_the_stream_starts(
    gateway: LiveGateway, served: str
) -> None:
    async with httpx.AsyncClient(base_url=served, timeout=10) as client:
        for bad in ("18446744073709551615", "-1", "abc"):
            r = await client.get(URL, headers={**gateway.auth(), "Last-Event-ID": bad})
            assert (r.status_code, r.json()["code"]) == (400, "invalid_last_event_id")
        # The largest accepted position opens a consumer NATS accepts: the stream stays up and
        # sends heartbeats (nothing has that sequence yet).
        headers = {**gateway.auth(), "Last-Event-ID": "9999999999999999999"}
        async with client.stream("GET", URL, headers=headers) as r:
            assert r.status_code == 200
            lines = r.aiter_lines()
            first = await asyncio.wait_for(anext(lines), 5)
            assert first.startswith(": heartbeat")
    slots = gateway.app.state.runtime.stream_slots
    await eventually(lambda: slots.open_count("customer:cust-1") == 0)
