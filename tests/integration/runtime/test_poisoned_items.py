"""The runtime's own loops survive a poisoned item (issue 12 item 1).

- The outbox relay: a row that can never be published (bigger than the server's max payload)
  used to hold back every row behind it for ever; it is now parked and the rest go out.
- Background tasks: one that keeps crashing is restarted, and /readyz says not ready meanwhile.
"""

from __future__ import annotations

import asyncio

import nats
import sqlalchemy as sa

from shared.messaging.outbox import UnitOfWork
from shared.messaging.relay import PARKED, OutboxRelay
from shared.messaging.streams import ensure_streams
from shared.persistence.db import Database
from shared.persistence.messaging_tables import outbox_table
from shared.persistence.migrations import upgrade_async
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import ServiceSettings
from tests.support.runtime.sample_events import MIGRATIONS, credit_event, stream_count
from tests.support.waiting import eventually


async def test_a_row_too_big_to_publish_is_parked_and_the_rows_behind_it_go_out(
    nats_server, sqlite_url
):
    await upgrade_async(sqlite_url, MIGRATIONS)
    db = Database(sqlite_url)
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await ensure_streams(js)
    try:
        uow = UnitOfWork(db)
        async with uow() as tx:
            tx.publish(credit_event(account="x" * (nc.max_payload + 1)))
            tx.publish(credit_event(account="after"))
        relay = OutboxRelay(db, js)
        assert await relay.publish_pending() == 2
        assert await stream_count(js) == 1
        async with db.read() as session:
            rows = (await session.execute(sa.select(outbox_table).order_by("seq"))).all()
        assert [(r.published_at is None, r.attempts) for r in rows] == [
            (True, PARKED),  # kept for an operator, never sent
            (False, 0),
        ]
        assert await relay.publish_pending() == 0  # the parked row no longer blocks the sweep
    finally:
        await nc.close()
        await db.dispose()


async def test_a_crashing_background_task_counts_against_readiness(sqlite_url):
    rt = ServiceRuntime("poisoned", ServiceSettings(database_url=sqlite_url))
    crashes = 0

    async def crashed_twice() -> bool:
        return crashes >= 2

    async def broken_loop(_rt: ServiceRuntime) -> None:
        nonlocal crashes
        crashes += 1
        raise RuntimeError("poisoned")

    assert (await rt.ready())["background"] is True
    task = asyncio.create_task(rt._guard(broken_loop))
    try:
        await eventually(crashed_twice, timeout=10)  # restarted after the first crash
        checks = await rt.ready()
        assert checks["background"] is False
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await rt.db.dispose()


class RecordingLog:
    def __init__(self) -> None:
        self.lines: list[tuple[str, dict]] = []

    def info(self, event: str, **fields) -> None:
        self.lines.append((event, fields))

    def __getattr__(self, _level: str):
        return lambda event, **fields: None


async def test_the_consumers_applied_line_names_the_causing_request(
    nats_server, sqlite_url, monkeypatch
):
    """Issue 12 item 10: `events.applied` carries the correlation id of what it applied."""
    import nats as nats_client

    from shared.messaging import consumer
    from shared.rpc import RpcClient
    from tests.integration.runtime.sample_service.app import SampleSettings, build
    from tests.support.runtime.sample_events import tally_of

    recorded = RecordingLog()
    monkeypatch.setattr(consumer, "log", recorded)
    settings = SampleSettings(
        nats_url=nats_server.url, database_url=sqlite_url, relay_sweep_interval=0.1
    )
    rt = build(settings)
    await rt.app.start()
    nc = await nats_client.connect(nats_server.url)
    try:
        credit = {"id": "c1", "account": "corr", "amount": 3}
        await RpcClient(nc).call("rpc.sample.credit", credit, correlation_id="req-credit-1")
        assert await eventually(lambda: tally_of(rt.db, "corr")) == 3

        async def applied_line():
            return [f for e, f in recorded.lines if e == "events.applied"]

        [line, *_] = await eventually(applied_line)
        assert line["correlation_id"] == "req-credit-1"
    finally:
        await nc.drain()
        await rt.app.stop()


async def test_the_dlq_watcher_survives_a_poisoned_advisory(nats_server):
    """Junk on the MAX_DELIVERIES advisory subject, then a real advisory: it is still handled."""
    import orjson

    from shared.messaging.dlq import (
        MAX_DELIVERIES_ADVISORY,
        list_dead_letters,
        watch_max_deliveries,
    )

    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await ensure_streams(js)
    try:
        ack = await js.publish("orders.sample.credited", b'{"x": 1}', headers={"Nats-Msg-Id": "m1"})
        await watch_max_deliveries(nc, js, {"sample-tally": "ORDERS"})
        subject = f"{MAX_DELIVERIES_ADVISORY}.ORDERS.sample-tally"
        for junk in (b"not json", b'{"stream": "ORDERS"}', b'{"stream": "NOPE", "consumer": "x", '
                     b'"stream_seq": 999}'):  # fmt: skip
            await nc.publish(subject, junk)
        advisory = {"stream": "ORDERS", "consumer": "sample-tally", "stream_seq": ack.seq,
                    "deliveries": 5}  # fmt: skip
        await nc.publish(subject, orjson.dumps(advisory))
        [letter] = await eventually(lambda: list_dead_letters(js), timeout=10)
        assert (letter.original_seq, letter.consumer) == (ack.seq, "sample-tally")
    finally:
        await nc.close()
