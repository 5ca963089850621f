"""The delivery guarantees of the shared runtime, against a real nats-server and real databases.

Each test would fail if its mechanism were broken: publishing before commit shows up as a
message from a rolled-back transaction; a missing inbox shows up as a double-applied credit; a
relay that marks before publishing loses the event when killed.
"""

from __future__ import annotations

import asyncio

import nats
import pytest
import sqlalchemy as sa

from shared.messaging.outbox import UnitOfWork
from shared.messaging.relay import OutboxRelay
from shared.messaging.streams import ensure_streams
from shared.persistence.db import Database
from shared.persistence.messaging_tables import outbox_table
from shared.persistence.migrations import upgrade_async
from shared.rpc import RpcClient
from tests.integration.runtime.sample_service.app import SUBJECT
from tests.support.processes import service_process
from tests.support.runtime.sample_events import MIGRATIONS, credit_event, stream_count, tally_of
from tests.support.waiting import eventually


async def test_events_are_published_only_after_commit(nats_server, database_url):
    await upgrade_async(database_url, MIGRATIONS)
    db = Database(database_url)
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await ensure_streams(js)
    relay = OutboxRelay(db, js, sweep_interval=0.05)
    uow = UnitOfWork(db, on_commit=relay.hand_over)
    task = asyncio.create_task(relay.run())
    try:
        with pytest.raises(RuntimeError):
            async with uow() as tx:
                tx.publish(credit_event())
                raise RuntimeError("handler failed after recording its event")
        committed = credit_event()
        async with uow() as tx:
            tx.publish(committed)
            await asyncio.sleep(0.3)  # the relay is running: nothing may leave before commit
            assert await stream_count(js) == 0
        await eventually(lambda: stream_count(js))
        await asyncio.sleep(0.3)
        assert await stream_count(js) == 1  # the rolled-back event never appears
        msg = await js.get_last_msg("ORDERS", SUBJECT)
        assert msg.headers["Nats-Msg-Id"] == committed.id
        async with db.read() as s:
            pending = (
                await s.execute(
                    sa.select(sa.func.count()).where(outbox_table.c.published_at.is_(None))
                )
            ).scalar()
        assert pending == 0
    finally:
        relay.stop()
        await task
        await nc.drain()
        await db.dispose()


async def test_relay_killed_between_publish_and_mark_republishes_and_consumer_applies_once(
    nats_server, database_url, tmp_path
):
    log = tmp_path / "svc.log"
    crashing = service_process(
        "tests.integration.runtime.sample_service",
        "SAMPLE_",
        nats_server.url,
        database_url,
        log,
        CONCIERGE_CRASH_AT="relay.after_publish",
    ).start()
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await RpcClient(nc).call("rpc.sample.credit", {"id": "ev-1", "account": "k", "amount": 7})
    assert crashing.wait_exit() == 137, "the relay should have died right after publishing"
    db = Database(database_url)
    async with db.read() as s:
        row = (await s.execute(sa.select(outbox_table.c.published_at))).one()
    assert row.published_at is None  # published but never marked
    assert await stream_count(js) == 1

    restarted = service_process(
        "tests.integration.runtime.sample_service", "SAMPLE_", nats_server.url, database_url, log
    ).start()
    try:
        await eventually(lambda: tally_of(db, "k"))

        async def marked():
            async with db.read() as s:
                return (await s.execute(sa.select(outbox_table.c.published_at))).scalar()

        await eventually(marked)
        await asyncio.sleep(0.5)
        assert await tally_of(db, "k") == 7  # applied once
        assert await stream_count(js) == 1  # the re-publish was dropped by Nats-Msg-Id
    finally:
        assert restarted.terminate() == 0
        await nc.drain()
        await db.dispose()


async def test_redelivered_event_is_applied_once(nats_server, database_url, tmp_path):
    svc = service_process(
        "tests.integration.runtime.sample_service",
        "SAMPLE_",
        nats_server.url,
        database_url,
        tmp_path / "s.log",
    ).start()
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    db = Database(database_url)
    try:
        event = credit_event("r", 3)
        payload = event.model_dump_json().encode()
        # Two publishes of one event that JetStream cannot dedupe (different Nats-Msg-Id),
        # as after a replay: only the consumer's inbox stands between it and a double credit.
        await js.publish(SUBJECT, payload, headers={"Nats-Msg-Id": "a"})
        await js.publish(SUBJECT, payload, headers={"Nats-Msg-Id": "b"})
        await eventually(lambda: tally_of(db, "r"))
        await asyncio.sleep(0.5)
        assert await tally_of(db, "r") == 3
        info = await js.consumer_info("ORDERS", "sample-tally")
        assert info.num_ack_pending == 0 and info.num_pending == 0
    finally:
        assert svc.terminate() == 0
        await nc.drain()
        await db.dispose()
