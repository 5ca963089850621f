"""Messaging benchmarks: the outbox relay and the inbox-guarded consumer against bare baselines."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime
from pathlib import Path

import nats
import sqlalchemy as sa
from faststream import AckPolicy
from faststream.nats import ConsumerConfig, DeliverPolicy, JStream, NatsBroker
from faststream.nats.annotations import NatsMessage
from nats.js.api import StreamConfig

from bench.harness import Row
from shared.contracts.envelope import CloudEvent, RawEvent
from shared.messaging.consumer import ConsumerRuntime, PullConsumer
from shared.messaging.glue import EventRoute
from shared.messaging.outbox import Tx, UnitOfWork, encode_event, event_headers
from shared.messaging.relay import OutboxRelay
from shared.messaging.streams import StreamSpec
from shared.persistence.db import Database
from shared.persistence.messaging_tables import outbox_table
from shared.persistence.migrations import upgrade_async

SAMPLE_MIGRATIONS = (
    Path(__file__).resolve().parents[1] / "tests/integration/runtime/sample_service/migrations"
)
WINDOW = 256  # publishes in flight for the raw baseline, as the relay's batch size


def _event(i: int) -> CloudEvent[dict[str, object]]:
    return CloudEvent[dict[str, object]](
        id=uuid.uuid4().hex,
        source="/bench",
        type="bench.item.created",
        subject=str(i),
        time=datetime.now(UTC),
        data={"account": f"a{i % 50}", "amount": 1, "id": str(i)},
    )


async def _fresh_stream(js, name: str, subject: str) -> None:  # type: ignore[no-untyped-def]
    try:
        await js.delete_stream(name)
    except Exception:
        pass
    await js.add_stream(StreamConfig(name=name, subjects=[subject], duplicate_window=600))


async def relay_vs_raw_publish(nats_url: str, db_url: str, n: int) -> Row:
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    await _fresh_stream(js, "BENCHRAW", "benchraw.>")
    events = [_event(i) for i in range(n)]
    start = asyncio.get_running_loop().time()
    for i in range(0, n, WINDOW):
        chunk = events[i : i + WINDOW]
        await asyncio.gather(
            *(js.publish("benchraw.item", encode_event(e), headers=event_headers(e)) for e in chunk)
        )
    raw_rate = n / (asyncio.get_running_loop().time() - start)

    await upgrade_async(db_url, SAMPLE_MIGRATIONS)
    db = Database(db_url)
    await _fresh_stream(js, "BENCH", "bench.>")
    async with db.transaction() as s:
        await s.execute(
            sa.insert(outbox_table),
            [
                {
                    "event_id": e.id,
                    "subject": e.type,
                    "payload": encode_event(e),
                    "headers": event_headers(e),
                    "created_at": datetime.now(UTC),
                }
                for e in [_event(i) for i in range(n)]
            ],
        )
    relay = OutboxRelay(db, js, batch_size=WINDOW)
    start = asyncio.get_running_loop().time()
    published = 0
    while published < n:
        published += await relay.publish_pending()
    relay_rate = n / (asyncio.get_running_loop().time() - start)
    await db.dispose()
    await nc.drain()
    return Row("outbox relay -> JetStream", "msg/s", relay_rate, floor=0.50,
               baseline=raw_rate, baseline_name="raw nats-py async publish")  # fmt: skip


async def _consume_rate(broker: NatsBroker, done: asyncio.Event, n: int) -> float:
    await broker.start()
    start = asyncio.get_running_loop().time()
    await asyncio.wait_for(done.wait(), timeout=120)
    elapsed = asyncio.get_running_loop().time() - start
    await broker.stop()
    return n / elapsed


async def inbox_consumer_vs_bare(nats_url: str, db_url: str, n: int) -> Row:
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    await _fresh_stream(js, "BENCH", "bench.>")
    for i in range(0, n, WINDOW):
        await asyncio.gather(
            *(
                js.publish("bench.item.created", encode_event(e), headers=event_headers(e))
                for e in [_event(j) for j in range(i, min(n, i + WINDOW))]
            )
        )
    config = ConsumerConfig(max_deliver=5, ack_wait=30, deliver_policy=DeliverPolicy.ALL)

    bare = NatsBroker(nats_url, log_level=logging.DEBUG)
    bare_done, bare_count = asyncio.Event(), [0]

    @bare.subscriber(
        "bench.item.created",
        stream=JStream("BENCH", declare=False),
        durable="bare",
        queue="bare",  # the fastest FastStream shape: a push durable with a deliver group
        config=config,
        ack_policy=AckPolicy.NACK_ON_ERROR,
    )
    async def bare_handler(msg: NatsMessage) -> None:
        bare_count[0] += 1
        if bare_count[0] >= n:
            bare_done.set()

    bare_rate = await _consume_rate(bare, bare_done, n)

    await upgrade_async(db_url, SAMPLE_MIGRATIONS)
    db = Database(db_url)
    done, count = asyncio.Event(), [0]
    credits = sa.table("credits", sa.column("id"), sa.column("amount"))

    async def apply(tx: Tx, event: RawEvent) -> None:
        await tx.session.execute(sa.insert(credits).values(id=event.id, amount=1))
        count[0] += 1
        if count[0] >= n:
            done.set()

    rt = ConsumerRuntime(UnitOfWork(db), js=js)
    spec = StreamSpec("BENCH", ("bench.>",), "", 0)
    puller = PullConsumer(EventRoute("guarded", spec, "bench.item.created", apply), rt)
    await puller.bind()  # the services' shape: a durable pull consumer, fetch + group commit
    started = asyncio.get_running_loop().time()
    runner = asyncio.create_task(puller.run())
    await asyncio.wait_for(done.wait(), timeout=120)
    guarded_rate = n / (asyncio.get_running_loop().time() - started)
    await puller.drain(timeout=5)
    runner.cancel()
    await db.dispose()
    await nc.drain()
    return Row("inbox-guarded consumer (DB write + inbox + ack)", "msg/s", guarded_rate,
               floor=0.30, baseline=bare_rate,
               baseline_name="bare FastStream JetStream consumer")  # fmt: skip
