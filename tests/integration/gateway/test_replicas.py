"""Gateway replicas count each other through NATS KV and split the rate limit between them."""

from __future__ import annotations

import asyncio
from typing import Any

from services.gateway.limits import TokenBucketLimiter
from services.gateway.replicas import BUCKET, ReplicaCensus
from services.gateway.runtime import open_bucket
from tests.support.waiting import eventually

BEAT = 0.2


async def census(nats_client: Any, instance: str) -> ReplicaCensus:
    js = nats_client.jetstream()
    kv = await open_bucket(js, BUCKET, ttl=3 * BEAT, history=1, replicas=1)
    return ReplicaCensus(js, kv, instance, TokenBucketLimiter(per_minute=600, burst=60), BEAT)


async def test_replicas_split_the_limit_and_take_it_back_when_one_goes(nats_client: Any) -> None:
    a, b = await census(nats_client, "gw-a:101"), await census(nats_client, "gw-b:202")
    assert await a.beat() == 1 and a.limiter.share == 1
    assert await b.beat() == 2 and await a.beat() == 2
    assert (a.limiter.rate, a.limiter.burst) == (5.0, 30.0)  # 600/min and 60 over two replicas

    await b.leave()  # a clean stop: gone at once
    assert await a.beat() == 1 and a.limiter.rate == 10.0


async def test_a_replica_that_died_stops_counting_after_three_missed_beats(
    nats_client: Any,
) -> None:
    a, b = await census(nats_client, "gw-a:101"), await census(nats_client, "gw-c:303")
    await b.beat()  # then SIGKILLed: never leaves
    task = asyncio.create_task(a.run())
    try:
        await asyncio.sleep(BEAT / 2)
        assert a.limiter.share == 2
        started = asyncio.get_running_loop().time()
        await eventually(lambda: _alone(a), timeout=10, interval=0.05)
        # The entry's age limit (3 beats) plus the server's expiry sweep.
        print(f"dead replica dropped after {asyncio.get_running_loop().time() - started:.2f}s")
    finally:
        task.cancel()


async def _alone(census: ReplicaCensus) -> bool:
    return census.limiter.share == 1


async def test_a_longer_heartbeat_lengthens_the_existing_buckets_ttl(
    nats_server: Any, nats_client: Any
) -> None:
    from services.gateway.app import create_app
    from tests.support.gateway.harness import make_settings

    for heartbeat in (10.0, 20.0):  # the second deployment beats less often
        settings = make_settings(nats_url=nats_server.url, replica_heartbeat_seconds=heartbeat)
        app = create_app(settings, nc=nats_client)
        async with app.router.lifespan_context(app):
            kv = await nats_client.jetstream().key_value(BUCKET)
            assert (await kv.status()).ttl == 3 * heartbeat
