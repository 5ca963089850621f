"""Two replicas of a service share one durable consumer: they split the events, none twice."""

from __future__ import annotations

import asyncio

import nats
import sqlalchemy as sa

from shared.persistence.db import Database
from tests.integration.runtime.sample_service.app import SUBJECT, SampleSettings, build, tally
from tests.integration.runtime.test_outbox_inbox import credit_event
from tests.support.waiting import eventually


async def total(db: Database) -> int:
    async with db.read() as s:
        return int(
            (await s.execute(sa.select(sa.func.coalesce(sa.func.sum(tally.c.total), 0)))).scalar()
            or 0
        )


async def test_two_replicas_split_one_durable(nats_server, tmp_path):
    # Separate databases make each replica's share visible (in production they share one).
    replicas = [
        build(
            SampleSettings(
                nats_url=nats_server.url,
                database_url=f"sqlite+aiosqlite:///{tmp_path}/r{i}.db",
                relay_sweep_interval=0.1,
            )
        )
        for i in range(2)
    ]
    for rt in replicas:
        await rt.app.start()
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    try:
        for _ in range(20):
            await asyncio.gather(
                *(
                    js.publish(SUBJECT, credit_event(f"acct{i}", 1).model_dump_json().encode())
                    for i in range(10)
                )
            )
            await asyncio.sleep(0.01)
        await eventually(lambda: _sum(replicas, 200), timeout=30)
        shares = [await total(rt.db) for rt in replicas]
        assert sum(shares) == 200
        assert all(share > 0 for share in shares), f"one replica did all the work: {shares}"
    finally:
        await nc.drain()
        for rt in replicas:
            await rt.app.stop()


async def _sum(replicas, expected: int) -> bool:
    return sum([await total(rt.db) for rt in replicas]) >= expected
