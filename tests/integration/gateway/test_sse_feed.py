"""The inbox streams' shared feed on a real nats-server: one consumer for every open stream, each
stream sees exactly what a consumer of its own would have sent (its customer's in-app deliveries,
in order, none missed or repeated), an old resume position and a slow stream fall back to a
consumer of their own, and the consumer goes when the last stream leaves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from httpx_sse import aconnect_sse

from services.gateway import sse_feed
from services.gateway.sse import NOTIFICATION_STREAM, stream_events
from services.gateway.sse_feed import (
    SharedFeed,
    feed_events,
    in_app_customer,
    in_app_delivery_for,
)
from tests.support.gateway.deliveries import delivered
from tests.support.gateway.live import LiveGateway

STREAM, SUBJECT = NOTIFICATION_STREAM


def inbox(js: Any, feed: SharedFeed, customer: str, resume: int | None) -> AsyncIterator[Any]:
    def alone(after: int) -> AsyncIterator[Any]:
        match = in_app_delivery_for(customer)
        return stream_events(js, STREAM, SUBJECT, None, after, heartbeat_seconds=0.2, match=match)

    return feed_events(feed, customer, resume, alone, heartbeat_seconds=0.2)


async def take(agen: AsyncIterator[Any], n: int, timeout: float = 5.0) -> list[str]:
    out: list[str] = []

    async def run() -> None:
        async for item in agen:
            if item.comment is None:
                out.append(str(item.id))
                if len(out) == n:
                    return

    await asyncio.wait_for(run(), timeout)
    return out


async def consumers(js: Any) -> int:
    return int((await js.stream_info(STREAM)).state.consumer_count)


async def test_one_consumer_serves_every_stream_its_own_events(gateway: LiveGateway) -> None:
    js = gateway.nc.jetstream()
    feed = SharedFeed(js, STREAM, SUBJECT, in_app_customer)
    a, a2, b = inbox(js, feed, "A", None), inbox(js, feed, "A", None), inbox(js, feed, "B", None)
    ready = [(await anext(s)).event for s in (a, a2, b)]
    assert ready == ["ready"] * 3
    assert (feed.listening, await consumers(js)) == (3, 1)
    await delivered(js, "A", "email")
    b1 = await delivered(js, "B")
    a1 = await delivered(js, "A")
    a2_seq = await delivered(js, "A")
    assert await take(a, 2) == [str(a1), str(a2_seq)]
    assert await take(a2, 2) == [str(a1), str(a2_seq)]
    assert await take(b, 1) == [str(b1)]
    for s in (a, a2, b):
        await s.aclose()  # type: ignore[attr-defined]
    assert feed.listening == 0
    assert await consumers(js) == 0


async def test_resume_behind_the_feed_and_after_it(gateway: LiveGateway) -> None:
    js = gateway.nc.jetstream()
    feed = SharedFeed(js, STREAM, SUBJECT, in_app_customer)
    old = await delivered(js, "R")
    seen = await delivered(js, "R")
    holder = inbox(js, feed, "other", None)
    await anext(holder)  # the feed starts after `seen`
    # A resume older than the feed: served by a consumer of its own, from the next sequence.
    behind = inbox(js, feed, "R", old)
    assert await take(behind, 1) == [str(seen)]
    live = await delivered(js, "R")
    assert await take(behind, 1) == [str(live)]
    # A resume the feed covers: what came after it, nothing before.
    ahead = inbox(js, feed, "R", live)
    later = await delivered(js, "R")
    assert await take(ahead, 1) == [str(later)]
    for s in (behind, ahead, holder):
        await s.aclose()  # type: ignore[attr-defined]
    assert await consumers(js) == 0


async def test_a_slow_stream_is_cut_off_and_misses_nothing(
    gateway: LiveGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sse_feed, "QUEUE_LIMIT", 3)
    js = gateway.nc.jetstream()
    feed = SharedFeed(js, STREAM, SUBJECT, in_app_customer)
    slow, fast = inbox(js, feed, "S", None), inbox(js, feed, "S", None)
    await anext(slow)
    await anext(fast)
    reading = asyncio.create_task(take(fast, 8))  # keeps up, stays on the feed
    sent = [str(await delivered(js, "S")) for _ in range(8)]
    assert await reading == sent
    # The slow one read nothing meanwhile: its queue overflowed, it was cut off the feed.
    assert await take(slow, 8) == sent
    assert feed.listening == 1  # it left the feed for a consumer of its own
    after = await delivered(js, "S")
    assert await take(slow, 1) == await take(fast, 1) == [str(after)]
    await slow.aclose()  # type: ignore[attr-defined]
    await fast.aclose()  # type: ignore[attr-defined]
    assert await consumers(js) == 0


async def test_inbox_streams_over_http_share_the_process_feed(
    gateway: LiveGateway, served: str
) -> None:
    js = gateway.nc.jetstream()
    url = "/v1/test/inbox/stream"

    async def read(client: httpx.AsyncClient, customer: str, n: int, got: list[str]) -> None:
        async with aconnect_sse(client, "GET", url, headers=gateway.auth(customer)) as source:
            async for sse in source.aiter_sse():
                got.append(sse.event if sse.event == "ready" else sse.id)
                if len(got) == n + 1:
                    return

    async with httpx.AsyncClient(base_url=served, timeout=10) as client:
        got_a: list[str] = []
        got_b: list[str] = []
        tasks = [asyncio.create_task(read(client, "H-A", 2, got_a)),
                 asyncio.create_task(read(client, "H-B", 1, got_b))]  # fmt: skip
        while len(got_a) + len(got_b) < 2:  # noqa: ASYNC110 - both `ready` events
            await asyncio.sleep(0.02)
        assert await consumers(js) == 1  # two streams, one consumer
        a1 = await delivered(js, "H-A")
        await delivered(js, "H-A", "email")
        b1 = await delivered(js, "H-B")
        a2 = await delivered(js, "H-A")
        await asyncio.wait_for(asyncio.gather(*tasks), 5)
    assert got_a == ["ready", str(a1), str(a2)]
    assert got_b == ["ready", str(b1)]
    # The clients left: the server notices, the streams leave the feed and its consumer goes.
    feed = gateway.app.state.runtime.inbox_feed
    for _ in range(100):
        if feed.listening == 0 and await consumers(js) == 0:
            break
        await asyncio.sleep(0.05)
    assert (feed.listening, await consumers(js)) == (0, 0)
