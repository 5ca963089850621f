"""Replicas of a service share each durable consumer (issue 20).

Replicas start at the same instant, as compose and Kubernetes start them, many times over: each
replica must receive work every time (with push consumers and a deliver group, racing replicas
could leave one listening on an inbox nothing published to). Then one replica is SIGKILLed and
the others take every new message within the ack wait, leaving nothing pending.

Each replica has its own SQLite file so its share is visible (in production they share one).
`REPLICA_RACE_ROUNDS` (default 4) sets how many racing start-ups run.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nats
from nats.js import JetStreamContext

from shared.persistence.db import Database
from tests.integration.runtime.sample_service.app import SUBJECT, SampleSettings, build
from tests.support.processes import ServiceProcess, service_process
from tests.support.runtime.sample_events import DURABLE, STREAM, account_total, credit_event
from tests.support.waiting import eventually

ROUNDS = int(os.environ.get("REPLICA_RACE_ROUNDS", "4"))
REPLICAS = 3
ACK_WAIT_S = 5.0  # the sample consumer's ack wait
BUSY_MACHINE_SLACK_S = 10.0


async def shares(dbs: list[Database], account: str) -> list[int]:
    return [await account_total(db, account) for db in dbs]


async def publish_until_all_worked(
    js: JetStreamContext, dbs: list[Database], account: str, timeout: float = 60.0
) -> int:
    """Publish waves of events until every replica has applied some (bounded); returns how many
    were published. A replica bound to nothing never applies any, however long this runs."""
    published, deadline = 0, time.monotonic() + timeout
    while time.monotonic() < deadline:
        wave = [credit_event(account, 1).model_dump_json().encode() for _ in range(10)]
        await asyncio.gather(*(js.publish(SUBJECT, body) for body in wave))
        published += len(wave)
        await asyncio.sleep(0.05)
        if published % 100 == 0 and all(await shares(dbs, account)):
            break
    return published


async def test_replicas_started_at_once_all_receive_work(nats_server, tmp_path):
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    urls = [f"sqlite+aiosqlite:///{tmp_path}/r{i}.db" for i in range(REPLICAS)]
    try:
        for round_ in range(ROUNDS):
            await _delete_consumer(js)  # every round races the consumer's creation again
            replicas = [build(SampleSettings(nats_url=nats_server.url, database_url=url,
                                             relay_sweep_interval=0.1)) for url in urls]  # fmt: skip
            await asyncio.gather(*(rt.app.start() for rt in replicas))
            try:
                account = f"round{round_}"
                dbs = [rt.db for rt in replicas]
                published = await publish_until_all_worked(js, dbs, account)
                await eventually(all_applied(dbs, account, published), timeout=30)
                got = await shares(dbs, account)
                assert sum(got) == published
                assert all(got), f"round {round_}: a replica received no work: {got}"
            finally:
                await asyncio.gather(*(rt.app.stop() for rt in replicas))
    finally:
        await nc.drain()


async def test_killed_replica_work_moves_to_the_others(nats_server, tmp_path):
    procs = [sample_process(nats_server.url, tmp_path, i) for i in range(REPLICAS)]
    dbs = [Database(f"sqlite+aiosqlite:///{tmp_path}/p{i}.db") for i in range(REPLICAS)]
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    try:
        with ThreadPoolExecutor(REPLICAS) as pool:  # all at the same instant
            list(pool.map(lambda p: p.start(timeout=60), procs))
        await publish_until_all_worked(js, dbs, "before")
        procs[0].kill()
        survivors = dbs[1:]
        started = time.monotonic()
        for _ in range(10):
            await asyncio.gather(*(js.publish(SUBJECT, credit_event("after", 1)
                                              .model_dump_json().encode()) for _ in range(10)))  # fmt: skip
        await eventually(all_applied(survivors, "after", 100),
                         timeout=ACK_WAIT_S + BUSY_MACHINE_SLACK_S)  # fmt: skip
        took = time.monotonic() - started
        print(f"\nsurvivors applied all 100 new events {took:.2f}s after the kill")
        assert sum(await shares(survivors, "after")) == 100
        await eventually(lambda: _nothing_pending(js), timeout=ACK_WAIT_S + BUSY_MACHINE_SLACK_S)
    finally:
        await nc.drain()
        for proc in procs:
            proc.kill()
        for db in dbs:
            await db.dispose()


def sample_process(nats_url: str, tmp_path: Path, index: int) -> ServiceProcess:
    db_url = f"sqlite+aiosqlite:///{tmp_path}/p{index}.db"
    module = "tests.integration.runtime.sample_service"
    return service_process(module, "SAMPLE_", nats_url, db_url, tmp_path / f"p{index}.log")


async def _delete_consumer(js: JetStreamContext) -> None:
    try:
        await js.delete_consumer(STREAM, DURABLE)
    except nats.js.errors.NotFoundError:
        pass


def all_applied(dbs: list[Database], account: str, expected: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return sum(await shares(dbs, account)) >= expected

    return check


async def _nothing_pending(js: JetStreamContext) -> bool:
    info = await js.consumer_info(STREAM, DURABLE)
    return info.num_pending == 0 and info.num_ack_pending == 0
